import datetime

from django.contrib import admin, messages
from django.db.models import Q

from donors.admin.base import (
    ActionsFromOtherApps,
    AuditedAdmin,
    EstimatedCountPaginator,
    ViewOnly,
    money_column,
)
from donors.admin.exporting import ExportActionsMixin
from donors.admin.importing import EngineImportMixin
from donors.exports import gift_rows
from donors.imports.resources import GiftImportResource
from donors.models import Gift, GiftAdjustment, SoftCredit
from donors.money import usd
from donors.selectors import donors_matching, gift_tax_years
from donors.services import (
    gift_delete,
    gift_save,
    gifts_delete,
    soft_credit_save,
    soft_credits_delete,
    soft_credits_save,
)

# A name search matching more donors than this shows the gifts of the first ones found.
SEARCH_DONORS_MAX = 500


class TaxYearFilter(admin.SimpleListFilter):
    """The years come from the first and last tax dates (an index), not a scan of every gift."""

    title = "tax year"
    parameter_name = "tax_year"

    def lookups(self, request, model_admin):
        return [(str(y), str(y)) for y in gift_tax_years()]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            year = int(value)
            return queryset.filter(
                tax_date__gte=datetime.date(year, 1, 1), tax_date__lte=datetime.date(year, 12, 31)
            )
        return queryset


class SoftCreditInline(admin.TabularInline):
    model = SoftCredit
    fk_name = "gift"
    extra = 0
    autocomplete_fields = ["donor"]
    fields = ["donor", "kind", "amount"]
    verbose_name_plural = "soft credits (count toward goals, never toward anyone's taxes)"


class GiftAdjustmentInline(ViewOnly, admin.TabularInline):
    """Refunds and disputes as the processor reported them: history, never edited here."""

    model = GiftAdjustment
    extra = 0
    max_num = 0
    can_delete = False
    fields = ["kind", "stripe_id", "amount", "status", "reason", "occurred_at"]
    readonly_fields = fields
    verbose_name_plural = "refunds and disputes"


@admin.register(Gift)
class GiftAdmin(ActionsFromOtherApps, ExportActionsMixin, EngineImportMixin, AuditedAdmin):
    import_noun = "gifts"
    actions = ["export_csv", "export_xlsx"]
    export_name = "gifts"
    export_kind = "gifts"
    resource_classes = [GiftImportResource]
    import_permission = "donors.add_gift"
    list_display = [
        "tax_date",
        "donor",
        "amount_usd",
        "refunded_usd",
        "method",
        "status",
        "campaign",
        "fund",
    ]
    list_display_links = ["tax_date", "amount_usd"]
    list_select_related = ["donor", "campaign", "fund"]
    list_filter = [
        TaxYearFilter,
        "status",
        "method",
        "campaign",
        "fund",
        "benefit_declined",
        "tribute_kind",
    ]
    # What the search box finds; see get_search_results.
    search_fields = ["donor__display_name"]
    search_help_text = (
        "A donor's name or email, a check number, or a Stripe or import id (exactly)."
    )
    list_per_page = 50
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    # Linked to by an import run's page (what it created) and by exports of one donor's gifts.
    url_lookups = ("import_run__id__exact", "donor__id__exact")

    @admin.display(description="amount", ordering="amount")
    def amount_usd(self, gift):
        return usd(gift.amount)

    @admin.display(description="refunded", ordering="amount_refunded")
    def refunded_usd(self, gift):
        return usd(gift.amount_refunded) if gift.amount_refunded else "-"

    autocomplete_fields = ["donor", "pledge", "recurring_plan"]
    inlines = [SoftCreditInline, GiftAdjustmentInline]
    readonly_fields = [
        "tax_date",
        "net",
        "created_at",
        "updated_at",
        "tribute_notified_at",
        # A payment in another currency: as the processor settled it.
        "original_amount",
        "original_currency",
        "exchange_rate",
    ]
    fieldsets = [
        (None, {"fields": ["donor", ("amount", "method", "status")]}),
        (
            "Dates",
            {
                "fields": [("gift_date", "tax_date"), ("date_received", "date_deposited")],
                "description": "The tax date is worked out from the others and decides the "
                "donor's tax year.",
            },
        ),
        ("Check", {"fields": [("check_number", "postmark_date")], "classes": ["collapse"]}),
        ("Where it goes", {"fields": [("campaign", "fund"), "designation"]}),
        (
            "Benefit received",
            {
                "fields": [
                    ("benefit_value", "benefit_declined"),
                    "benefit_description",
                    "benefit_is_low_cost_article",
                ]
            },
        ),
        (
            "Stock and in-kind",
            {
                "fields": [("stock_shares", "stock_issuer"), "non_cash_description"],
                "classes": ["collapse"],
            },
        ),
        (
            "Processor",
            {
                "fields": [
                    ("processor", "charged_at"),
                    ("fee", "net", "amount_refunded"),
                    ("original_amount", "original_currency", "exchange_rate"),
                    ("stripe_payment_id", "stripe_charge_id"),
                    ("stripe_invoice_id", "card_last4"),
                    "external_id",
                ],
                "classes": ["collapse"],
            },
        ),
        ("Pledge and monthly plan", {"fields": [("pledge", "recurring_plan")]}),
        (
            "Tribute",
            {
                "fields": [
                    ("tribute_kind", "tribute_name"),
                    ("tribute_notify_name", "tribute_notify_email"),
                    "tribute_notified_at",
                ],
                "classes": ["collapse"],
            },
        ),
        (None, {"fields": ["notes", ("created_at", "updated_at")]}),
    ]

    def get_search_results(self, request, queryset, search_term):
        # Names are matched on the donors table, then gifts found by donor through an index:
        # never a scan of every gift joined to its donor.
        term = search_term.strip()
        if not term:
            return queryset, False
        exact = (
            Q(check_number=term)
            | Q(stripe_payment_id=term)
            | Q(stripe_charge_id=term)
            | Q(external_id=term)
        )
        # The matching donors are read first: an OR over a subquery would defeat the indexes
        # (each branch of this OR has one), and a search box never needs more than a page.
        donor_ids = list(donors_matching(term).values_list("pk", flat=True)[:SEARCH_DONORS_MAX])
        return queryset.filter(Q(donor_id__in=donor_ids) | exact), False

    def get_inlines(self, request, obj):
        # Refunds and disputes come from the processor only: shown on its gifts.
        if obj is not None and obj.processor == "stripe":
            return [SoftCreditInline, GiftAdjustmentInline]
        return [SoftCreditInline]

    def export_rows(self, request, queryset):
        return gift_rows(queryset)

    def save_model(self, request, obj, form, change):
        gift_save(gift=obj)

    def delete_model(self, request, obj):
        gift_delete(gift=obj)

    def delete_queryset(self, request, queryset):
        count = gifts_delete(gifts=queryset)
        self.message_user(request, f"Deleted {count} gifts.", messages.SUCCESS)

    def save_formset(self, request, form, formset, change):
        if formset.model is SoftCredit:
            credits = formset.save(commit=False)  # builds the records; writes nothing
            soft_credits_save(gift=form.instance, credits=credits, deleted=formset.deleted_objects)
        else:  # refunds and disputes: read-only
            super().save_formset(request, form, formset, change)


@admin.register(SoftCredit)
class SoftCreditAdmin(ActionsFromOtherApps, AuditedAdmin):
    list_display = ["donor", "kind", money_column("amount"), "gift"]
    list_select_related = ["donor", "gift__donor"]
    list_filter = ["kind"]
    search_fields = ["donor__display_name", "gift__donor__display_name"]
    autocomplete_fields = ["donor", "gift"]
    list_per_page = 50

    def save_model(self, request, obj, form, change):
        soft_credit_save(credit=obj)

    def delete_model(self, request, obj):
        soft_credits_delete(credits=[obj])

    def delete_queryset(self, request, queryset):
        soft_credits_delete(credits=queryset)
