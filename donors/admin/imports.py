from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from donors.admin.base import BackOfficeAdmin, ViewOnly
from donors.models import ImportRun
from donors.selectors import IMPORT_REJECTS_DAYS, imports_with_rejected_rows


class RejectedFilter(admin.SimpleListFilter):
    """The runs that skipped rows lately: the staff home links here with its count."""

    title = "rejected rows"
    parameter_name = "rejected"

    def lookups(self, request, model_admin):
        return [("recent", f"With rejected rows, last {IMPORT_REJECTS_DAYS} days")]

    def queryset(self, request, queryset):
        if self.value() == "recent":
            return queryset & imports_with_rejected_rows()
        return queryset


@admin.register(ImportRun)
class ImportRunAdmin(ViewOnly, BackOfficeAdmin):
    """Who imported which file, when, and what it did: read-only, written by the imports.

    Administrators and Staff see every run. Whoever may import RSVPs (event organizers) opens
    the page, and the rejected rows, of their own RSVP imports only: never another person's,
    nor a donor, gift or GlobalGiving run (those rows may hold amounts)."""

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
    list_filter = ["kind", "source", RejectedFilter]
    list_select_related = ["user"]
    search_fields = ["file_name", "user__username"]
    list_per_page = 50
    shown_through = ("user",)  # who imported: a name, for Staff who may not open users
    readonly_fields = [*list_display, "finished_at", "records", "rejected_file"]
    exclude = ["rejected_rows"]

    def get_urls(self):
        return [
            path(
                "<int:object_id>/rejected.csv",
                self.admin_site.admin_view(self.rejected_view),
                name="donors_importrun_rejected",
            )
        ] + super().get_urls()

    def has_view_permission(self, request, obj=None):
        if super().has_view_permission(request, obj):
            return True
        return obj is not None and self._own_rsvp_run(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        response = super().render_change_form(request, context, add, change, form_url, obj)
        # The breadcrumb and the Close button link to the list of runs only for those who may
        # open it (an organizer opens their own RSVP runs, not the list).
        can_open_list = self.has_view_permission(request)
        response.context_data["has_view_permission"] = can_open_list
        response.context_data["can_open_list"] = can_open_list
        return response

    @staticmethod
    def _own_rsvp_run(request, obj) -> bool:
        return (
            obj.kind == ImportRun.Kind.RSVPS
            and obj.user_id is not None
            and obj.user_id == request.user.pk
            and request.user.has_perm("events.change_rsvp")
        )

    def rejected_view(self, request, object_id):
        """The rows an import skipped for errors, with an error column, to fix and import."""
        run = get_object_or_404(ImportRun, pk=object_id)
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        response = HttpResponse(run.rejected_rows or "error\n", content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="rejected-rows-{run.pk}.csv"'
        return response

    @admin.display(description="rows not imported")
    def rejected_file(self, obj):
        if not obj.rejected_rows:
            return "none"
        url = reverse("admin:donors_importrun_rejected", args=[obj.pk])
        return format_html('<a href="{}">{} rows, with their errors (CSV)</a>', url, obj.skipped)

    @admin.display(description="records it created")
    def records(self, obj):
        if obj.kind == ImportRun.Kind.RSVPS:
            # RSVPs keep no pointer to the run (the events' audit log names the file); the
            # donors the import created do.
            donors = reverse("admin:donors_donor_changelist") + f"?import_run__id__exact={obj.pk}"
            return format_html('<a href="{}">new donors</a>', donors)
        gifts = reverse("admin:donors_gift_changelist") + f"?import_run__id__exact={obj.pk}"
        donors = reverse("admin:donors_donor_changelist") + f"?import_run__id__exact={obj.pk}"
        return format_html('<a href="{}">gifts</a> · <a href="{}">donors</a>', gifts, donors)
