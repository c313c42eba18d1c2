import datetime

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.html import format_html

from donors.admin.base import (
    ActionsFromOtherApps,
    AuditedAdmin,
    EstimatedCountPaginator,
    ServiceModelForm,
    ViewOnly,
    money_column,
)
from donors.admin.exporting import ExportActionsMixin
from donors.admin.importing import EngineImportMixin
from donors.deductible import benefit_limit_years, benefit_limits_for, missing_limits_warning
from donors.exports import gift_rows
from donors.imports.resources import GiftImportResource
from donors.models import Gift, GiftAdjustment, PropertyRecord, SoftCredit
from donors.models.gift import NON_CASH_METHODS
from donors.money import usd
from donors.selectors import donors_matching, gift_tax_years, property_gifts_missing_8283
from donors.services import (
    gift_delete,
    gift_save,
    gifts_delete,
    property_records_save,
    soft_credit_save,
    soft_credits_delete,
    soft_credits_save,
)
from donors.services.thanks import thanked_in_words

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


class Form8283Filter(admin.SimpleListFilter):
    """Property gifts claimed at over $5,000 need the charity's signature on the donor's Form
    8283 (Section B, Part V): this finds those still waiting for it."""

    title = "Form 8283"
    parameter_name = "form_8283"

    def lookups(self, request, model_admin):
        return [("unsigned", "Property over $5,000, Form 8283 not signed")]

    def queryset(self, request, queryset):
        if self.value() == "unsigned":
            return property_gifts_missing_8283(queryset)
        return queryset


class PropertyRecordInline(admin.StackedInline):
    """A gift of property's Forms 8283 and 8282: shown on stock and in-kind gifts."""

    model = PropertyRecord
    form = ServiceModelForm
    fk_name = "gift"
    extra = 1
    max_num = 1
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "appraised_value",
                    ("form_8283_presented", "form_8283_signed_on", "form_8283_signer"),
                    ("disposed_on", "disposal_amount"),
                ],
                "description": "Property claimed at over $5,000: the charity signs the donor's "
                "Form 8283 (Section B, Part V). Sold or disposed of within three years of "
                "receipt: Form 8282 is due 125 days later, and goes on the compliance calendar. "
                "The appraised value is never printed on a receipt.",
            },
        )
    ]


def _limits_flag(year: int) -> str:
    return format_html(
        '<strong class="limits-missing" title="{}">No {} benefit limits</strong>',
        missing_limits_warning(year),
        year,
    )


def limits_column(request, year_of=lambda gift: gift.tax_date.year):
    """A list's flag on each row (a gift, or a document with ``year_of``) of a year with no
    insubstantial-benefit limits. The years that have them are read once per request (the
    admin asks for the columns twice), not per row."""
    known = getattr(request, "_benefit_limit_years", None)
    if known is None:
        known = request._benefit_limit_years = benefit_limit_years()

    @admin.display(description="benefit limits")
    def benefit_limits(obj):
        year = year_of(obj)
        return "" if year in known else _limits_flag(year)

    return benefit_limits


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
        Form8283Filter,
        "unusual_grant",
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
    # An appeal's page links to the gifts that answer it.
    url_lookups = ("import_run__id__exact", "donor__id__exact", "appeal__id__exact")

    @admin.display(description="amount", ordering="amount")
    def amount_usd(self, gift):
        return usd(gift.amount)

    @admin.display(description="refunded", ordering="amount_refunded")
    def refunded_usd(self, gift):
        return usd(gift.amount_refunded) if gift.amount_refunded else "-"

    autocomplete_fields = ["donor", "pledge", "recurring_plan", "appeal"]
    inlines = [SoftCreditInline, GiftAdjustmentInline]
    readonly_fields = [
        "tax_date",
        "net",
        "created_at",
        "updated_at",
        "tribute_notified_at",
        "benefit_limits_note",
        "thanked_note",
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
        (
            "Where it goes",
            {
                "fields": [("campaign", "fund"), "appeal", "designation"],
                "description": "The appeal the gift answers (its code on the reply slip): "
                "left without a campaign, the gift takes the appeal's.",
            },
        ),
        (
            "Benefit received",
            {
                "fields": [
                    ("benefit_value", "benefit_declined"),
                    "benefit_description",
                    "benefit_is_low_cost_article",
                    "benefit_limits_note",
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
            "Public support (Form 990 Schedule A)",
            {"fields": [("earmarked", "unusual_grant")], "classes": ["collapse"]},
        ),
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
        (None, {"fields": ["notes", "thanked_note", ("created_at", "updated_at")]}),
    ]

    def get_list_display(self, request):
        return [*super().get_list_display(request), limits_column(request)]

    @admin.display(description="insubstantial-benefit limits")
    def benefit_limits_note(self, gift):
        if gift is None or gift.tax_date is None:
            return "-"
        year = gift.tax_date.year
        if benefit_limits_for(year) is None:
            return _limits_flag(year)
        return f"The IRS's {year} limits are recorded."

    @admin.display(description="thanked")
    def thanked_note(self, gift):
        if gift is None or gift.pk is None:
            return "-"
        if gift.thanked_at is None:
            return "Not yet: the gift is on the thank-you queue."
        who = gift.thanked_by.get_username() if gift.thanked_by_id else "the system"
        return f"Thanked {thanked_in_words(gift)}, by {who}."

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # A gift of a year with no limits says so at the top of its page, not only in its
        # benefit section: its receipt would state any benefit in full.
        if request.method == "GET":
            gift = self.get_object(request, object_id)
            if gift is not None and benefit_limits_for(gift.tax_date.year) is None:
                self.message_user(
                    request, missing_limits_warning(gift.tax_date.year), messages.WARNING
                )
        return super().change_view(request, object_id, form_url, extra_context)

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
        inlines = [SoftCreditInline]
        # Refunds and disputes come from the processor only: shown on its gifts.
        if obj is not None and obj.processor == "stripe":
            inlines.append(GiftAdjustmentInline)
        # The forms of a gift of property: on a recorded stock or in-kind gift's page.
        if obj is not None and obj.method in NON_CASH_METHODS:
            inlines.append(PropertyRecordInline)
        return inlines

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
        elif formset.model is PropertyRecord:
            records = formset.save(commit=False)  # builds the record; writes nothing
            property_records_save(records=records, deleted=formset.deleted_objects)
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
