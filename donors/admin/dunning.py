"""Failed monthly payments in the back office: the plans at risk (Stripe still retrying),
those recovered and those lost, each with its attempts, the emails the donor got and
Stripe's next try; and the words of those emails, with a preview."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import format_html

from donors import dunning
from donors.admin.base import AuditedAdmin, ReadOnlyInline, ViewOnly, money_column
from donors.models import DunningNotice, DunningTemplate, PaymentFailure
from donors.services.dunning import dunning_template_save


class NoticeInline(ReadOnlyInline, admin.TabularInline):
    model = DunningNotice
    fields = ["kind", "attempt", "to", "queued_at", "sent_at"]
    readonly_fields = fields
    show_change_link = False
    verbose_name_plural = "emails to the donor"


@admin.register(PaymentFailure)
class PaymentFailureAdmin(ViewOnly, AuditedAdmin):
    list_display = [
        "donor", "plan_amount", money_column("amount", "invoice"), "state", "attempts",
        "last_email", "next_attempt_at", "card_updated_at", "recovered_at",
        money_column("recovered_amount", "recovered"),
    ]  # fmt: skip
    list_filter = ["state"]
    list_select_related = ["plan__donor"]
    search_fields = ["plan__donor__display_name", "=stripe_invoice_id"]
    list_per_page = 50
    inlines = [NoticeInline]
    fields = [
        "plan", "stripe_invoice_id", "amount", "state", "attempts",
        ("first_failed_at", "last_failed_at"), "next_attempt_at", "card_updated_at",
        ("recovered_at", "recovered_amount", "recovered_invoice_id"), "ended_at",
    ]  # fmt: skip
    readonly_fields = [
        "plan", "stripe_invoice_id", "amount", "state", "attempts", "first_failed_at",
        "last_failed_at", "next_attempt_at", "card_updated_at", "recovered_at",
        "recovered_amount", "recovered_invoice_id", "ended_at",
    ]  # fmt: skip

    def get_queryset(self, request):
        from django.db.models import Max

        return super().get_queryset(request).annotate(last_email_at=Max("notices__sent_at"))

    @admin.display(description="donor", ordering="plan__donor__sort_name")
    def donor(self, obj):
        return obj.plan.donor

    @admin.display(description="plan")
    def plan_amount(self, obj):
        return f"${obj.plan.amount:,.2f} {obj.plan.get_interval_display().lower()}"

    @admin.display(description="last email sent", ordering="last_email_at")
    def last_email(self, obj):
        return obj.last_email_at or "-"


@admin.register(DunningTemplate)
class DunningTemplateAdmin(AuditedAdmin):
    list_display = ["kind", "subject", "updated_at"]
    fields = ["kind", "subject", "body", "preview", "updated_at"]
    readonly_fields = ["kind", "preview", "updated_at"]

    def has_add_permission(self, request):
        return False  # one row per kind, seeded by the migration

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="preview (saved words, sample donor)")
    def preview(self, obj):
        if obj is None or not obj.pk:
            return "-"
        try:
            subject, body = dunning.render(obj.kind, dunning.SAMPLE)
        except ValidationError as error:
            return " ".join(error.messages)
        return format_html(
            '<div class="dunning-preview"><strong>{}</strong><pre>{}</pre></div>', subject, body
        )

    def save_model(self, request, obj, form, change):
        dunning_template_save(template=obj)

    def delete_model(self, request, obj):
        raise PermissionDenied

    def delete_queryset(self, request, queryset):
        raise PermissionDenied
