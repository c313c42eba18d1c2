from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from donors.models import ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """Who imported which file, when, and what it did: read-only, written by the imports."""

    list_display = [
        "started_at",
        "kind",
        "file_name",
        "user",
        "source",
        "rows",
        "new",
        "updated",
        "unchanged",
        "skipped",
        "donors_created",
    ]
    list_filter = ["kind", "source"]
    list_select_related = ["user"]
    search_fields = ["file_name", "user__username"]
    list_per_page = 50
    readonly_fields = [*list_display, "finished_at", "records"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="records it created")
    def records(self, obj):
        gifts = reverse("admin:donors_gift_changelist") + f"?import_run__id__exact={obj.pk}"
        donors = reverse("admin:donors_donor_changelist") + f"?import_run__id__exact={obj.pk}"
        return format_html('<a href="{}">gifts</a> · <a href="{}">donors</a>', gifts, donors)
