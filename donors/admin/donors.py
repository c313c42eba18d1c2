from django import forms
from django.contrib import admin, messages
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.urls import reverse
from django.utils.html import format_html

from donors.admin.base import (
    AuditedAdmin,
    BackOfficeAdmin,
    EstimatedCountPaginator,
    ReadOnlyInline,
    can_see_giving,
    relinked_fields,
)
from donors.admin.duplicates import DuplicatesMixin
from donors.admin.exporting import ExportActionsMixin
from donors.admin.importing import EngineImportMixin
from donors.exports import donor_rows
from donors.history import donor_history
from donors.imports.resources import DonorImportResource
from donors.models import (
    Donor,
    DonorAddress,
    DonorEmail,
    DonorNotDuplicate,
    Gift,
    Interaction,
    Pledge,
    RecurringPlan,
    Relationship,
    SoftCredit,
    Tag,
)
from donors.selectors import donors_matching, donors_with_contacts, gift_tax_years
from donors.services import (
    donor_contacts_save,
    donor_figures_refresh,
    donor_save,
    donor_tags_set,
    donors_delete,
    interactions_save,
    relationships_save,
    tag_save,
    tags_delete,
)


class OnePrimaryFormSet(forms.BaseInlineFormSet):
    """At most one primary email (or address) per donor, said in words, not a database error."""

    def clean(self):
        super().clean()
        primaries = [
            form
            for form in self.forms
            if form.cleaned_data.get("is_primary") and not form.cleaned_data.get("DELETE")
        ]
        if len(primaries) > 1:
            raise forms.ValidationError("Mark only one as primary.")


class DonorEmailInline(admin.TabularInline):
    model = DonorEmail
    formset = OnePrimaryFormSet
    extra = 0
    fields = ["email", "kind", "is_primary"]


class DonorAddressInline(admin.StackedInline):
    model = DonorAddress
    formset = OnePrimaryFormSet
    extra = 0
    fields = [
        ("kind", "is_primary"),
        "line1",
        "line2",
        ("city", "region", "postal_code"),
        "country",
    ]


class RelationshipInline(admin.TabularInline):
    model = Relationship
    fk_name = "from_donor"
    extra = 0
    autocomplete_fields = ["to_donor"]
    fields = ["kind", "to_donor", "notes"]
    verbose_name = "relationship"


class InteractionInline(admin.StackedInline):
    model = Interaction
    extra = 0
    fields = [("kind", "occurred_on"), "summary", "created_by"]
    readonly_fields = ["created_by"]
    verbose_name = "note or interaction"
    verbose_name_plural = "notes and interactions"


class GiftInline(ReadOnlyInline, admin.TabularInline):
    model = Gift
    fields = ["tax_date", "amount", "amount_refunded", "method", "status", "campaign", "fund"]
    readonly_fields = fields
    ordering = ["-tax_date", "-id"]
    verbose_name_plural = "gifts"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("campaign", "fund")


class SoftCreditInline(ReadOnlyInline, admin.TabularInline):
    model = SoftCredit
    fk_name = "donor"
    fields = ["gift", "kind", "amount"]
    readonly_fields = fields
    verbose_name_plural = "soft credits (recognition, not tax-deductible for this donor)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("gift__donor")


class PledgeInline(ReadOnlyInline, admin.TabularInline):
    model = Pledge
    fields = ["pledge_date", "amount", "status", "campaign"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("campaign")


class RecurringPlanInline(ReadOnlyInline, admin.TabularInline):
    model = RecurringPlan
    fields = ["started_on", "amount", "interval", "status", "next_charge_on"]
    readonly_fields = fields


STATES_CACHE_KEY = "donors:admin:us-states-in-use"


def _us_states_in_use() -> list[str]:
    return list(
        DonorAddress.objects.filter(is_primary=True, country="US")
        .exclude(region="")
        .values_list("region", flat=True)
        .distinct()
        .order_by("region")
    )


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        # Reading the distinct states of 100,000 addresses costs more than the rest of the
        # page: the list is kept in the shared cache for a few minutes.
        states = cache.get_or_set(STATES_CACHE_KEY, _us_states_in_use, timeout=300)
        return [(s, s) for s in states]

    def queryset(self, request, queryset):
        if self.value():
            primary_here = DonorAddress.objects.filter(
                donor=OuterRef("pk"), is_primary=True, region=self.value()
            )
            return queryset.filter(Exists(primary_here))
        return queryset


class GaveInYearFilter(admin.SimpleListFilter):
    title = "gave in year"
    parameter_name = "gave_in"

    def lookups(self, request, model_admin):
        return [(str(y), str(y)) for y in gift_tax_years()[:10]]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(year_totals__year=int(self.value()))
        return queryset


def _may_view_history(request, model) -> bool:
    """A record's entries are shown to whoever may view such records (so no gift, pledge,
    interaction or receipt to an event organizer); not-duplicate marks, which no role views on
    their own, to whoever may change donors (who makes them)."""
    if model is DonorNotDuplicate:
        return request.user.has_perm("donors.change_donor")
    opts = model._meta
    return request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}")


@admin.register(Donor)
class DonorAdmin(DuplicatesMixin, ExportActionsMixin, EngineImportMixin, AuditedAdmin):
    import_noun = "donors"
    export_name = "donors"
    export_kind = "donors"
    resource_classes = [DonorImportResource]
    import_permission = "donors.add_donor"
    search_fields = [
        "display_name",
        "first_name",
        "last_name",
        "organization_name",
        "emails__email",
        "addresses__postal_code",
        "phone",
    ]
    list_filter = [
        "kind",
        StateFilter,
        GaveInYearFilter,
        "tags",
        "email_opt_in",
        "mail_opt_in",
        "do_not_solicit",
        "anonymous",
    ]
    list_per_page = 50
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    filter_horizontal = ["tags"]
    actions = ["refresh_figures", "export_csv", "export_xlsx"]
    giving_fields = (
        "lifetime_total",
        "gift_count",
        "largest_gift",
        "first_gift_date",
        "last_gift_date",
        "years_given",
    )
    # The import run's page links here to list what one import created.
    url_lookups = ("import_run__id__exact",)
    # The history page gathers the entries of all their records (auditlog_entries).
    auditlog_history_per_page = 50

    def get_search_results(self, request, queryset, search_term):
        # An email address is found exactly through its index, not by scanning every field.
        term = search_term.strip()
        if "@" in term and " " not in term:
            return queryset.filter(pk__in=donors_matching(term).values("pk")), False
        return super().get_search_results(request, queryset, search_term)

    def get_queryset(self, request):
        return donors_with_contacts(super().get_queryset(request)).prefetch_related(
            Prefetch("tags", queryset=Tag.objects.order_by("name"))
        )

    def get_list_filter(self, request):
        # Who gave in which year is giving history: not for event organizers.
        list_filter = super().get_list_filter(request)
        if can_see_giving(request):
            return list_filter
        return [f for f in list_filter if f is not GaveInYearFilter]

    def get_list_display(self, request):
        columns = ["display_name", "kind", "email", "location", "tag_list"]
        if can_see_giving(request):
            columns += ["lifetime_total", "last_gift_date"]
        return columns

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ["kind", ("prefix", "first_name", "last_name", "suffix")]}),
            (
                "Organization or household",
                {"fields": ["organization_name", "public_support_org"]},
            ),
            ("How to address them", {"fields": ["salutation", "phone", "time_zone"]}),
            (
                "Communication preferences",
                {"fields": [("email_opt_in", "mail_opt_in", "do_not_solicit", "anonymous")]},
            ),
            ("Tags and notes", {"fields": ["tags", "notes"]}),
        ]
        if obj is not None and can_see_giving(request):
            fieldsets.append(("Lifetime giving", {"fields": [self.giving_fields]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return list(self.giving_fields)

    def get_inlines(self, request, obj):
        inlines = [DonorEmailInline, DonorAddressInline, RelationshipInline]
        if can_see_giving(request):
            inlines.append(InteractionInline)
            if obj is not None:
                inlines += [GiftInline, SoftCreditInline, PledgeInline, RecurringPlanInline]
        return inlines

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("donors.change_donor"):
            actions.pop("refresh_figures", None)
        return actions

    @admin.display(description="email", ordering="primary_email")
    def email(self, obj):
        return obj.primary_email or ""

    @admin.display(description="city, state", ordering="primary_state")
    def location(self, obj):
        return ", ".join(p for p in (obj.primary_city, obj.primary_state) if p)

    @admin.display(description="tags")
    def tag_list(self, obj):
        return ", ".join(tag.name for tag in obj.tags.all())

    @admin.action(description="Recompute lifetime figures", permissions=["change"])
    def refresh_figures(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        donor_figures_refresh(donor_ids=ids)
        self.message_user(
            request, f"Recomputed the figures of {len(ids)} donors.", messages.SUCCESS
        )

    def export_rows(self, request, queryset):
        return donor_rows(queryset, **self.export_options(request))

    def export_options(self, request) -> dict:
        return {"with_giving": can_see_giving(request)}

    def auditlog_entries(self, request, obj):
        """One history across everything about the donor: their emails, addresses, gifts,
        soft credits, pledges, receipts, RSVPs... each kind shown only to those who may view
        it (an event organizer never sees gifts here: donors.history)."""
        return donor_history(obj, may_view=lambda model: _may_view_history(request, model))

    def save_model(self, request, obj, form, change):
        donor_save(donor=obj)

    def save_formset(self, request, form, formset, change):
        donor = form.instance
        records = formset.save(commit=False)  # builds the records; writes nothing
        deleted = formset.deleted_objects
        if formset.model in (DonorEmail, DonorAddress):
            donor_contacts_save(donor=donor, contacts=records, deleted=deleted)
        elif formset.model is Relationship:
            relationships_save(donor=donor, relationships=records, deleted=deleted)
        elif formset.model is Interaction:
            interactions_save(donor=donor, interactions=records, deleted=deleted, user=request.user)
        else:  # gifts, soft credits, pledges, plans: listed read-only
            super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        if "tags" in relinked_fields(form):
            donor_tags_set(donor=form.instance, tags=form.cleaned_data["tags"])
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        donors_delete(donors=[obj])

    def delete_queryset(self, request, queryset):
        donors_delete(donors=queryset)


@admin.register(Tag)
class TagAdmin(BackOfficeAdmin):
    search_fields = ["name"]
    list_display = ["name", "donor_count"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(donor_count=Count("donors"))

    @admin.display(description="donors", ordering="donor_count")
    def donor_count(self, obj):
        return obj.donor_count

    def save_model(self, request, obj, form, change):
        tag_save(tag=obj)

    def delete_model(self, request, obj):
        tags_delete(tags=[obj])

    def delete_queryset(self, request, queryset):
        tags_delete(tags=queryset)


def donor_link(donor) -> str:
    return format_html(
        '<a href="{}">{}</a>', reverse("admin:donors_donor_change", args=[donor.pk]), donor
    )
