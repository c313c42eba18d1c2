"""The events back office: organizers keep events, tickets, invitations and RSVPs; the money
(goal, costs, ticket revenue, paddle-raise gifts) is shown only to those who see giving."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from common.roles import EVENT_ORGANIZER
from donors.admin.base import AuditedAdmin, BackOfficeAdmin, ServiceModelForm, can_see_giving
from donors.admin.importing import EngineImportMixin, SkipErrorsImportForm
from donors.exports import csv_stream, xlsx_file
from donors.models import Donor, GiftMethod
from events import selectors, services
from events.models import (
    RSVP,
    EventStatus,
    Event,
    EventGift,
    GuestList,
    Invitation,
    Table,
    TicketPurchase,
    TicketType,
)
from events.imports import rsvp_export_rows
from events.resources import RSVPResource

_LOCAL_TIMES = ("starts_at", "ends_at", "rsvp_deadline")


class EventForm(ServiceModelForm):
    """Times are typed and shown in the venue's time zone, whatever the server's. Setting an
    event to cancelled asks for confirmation first: it emails its guests and ticket buyers."""

    confirm_cancellation = forms.BooleanField(
        required=False,
        label="Yes, cancel it and email its guests",
        help_text="Only when setting the status to Cancelled: everyone who answered yes or "
        "maybe, the waitlist and ticket buyers are emailed a cancellation notice (once).",
    )

    class Meta:
        model = Event
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in _LOCAL_TIMES:
                value = getattr(self.instance, name)
                if value and name in self.fields:
                    self.initial[name] = timezone.localtime(value, self.instance.tz).replace(
                        tzinfo=None
                    )

    def clean(self):
        cleaned = super().clean()
        cancelling = (
            self.instance.pk
            and self.instance.status != EventStatus.CANCELLED
            and cleaned.get("status") == EventStatus.CANCELLED
        )
        if cancelling and not cleaned.get("confirm_cancellation"):
            count = services.cancellation_recipient_count(self.instance)
            self.add_error(
                "confirm_cancellation",
                f"Cancelling emails a cancellation notice to {count} guest(s) and ticket "
                "buyer(s). Tick this box and save again to confirm.",
            )
        try:
            tz = zoneinfo.ZoneInfo(cleaned.get("time_zone") or "")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return cleaned
        for name in _LOCAL_TIMES:
            value = cleaned.get(name)
            if isinstance(value, datetime.datetime):
                cleaned[name] = timezone.make_aware(timezone.make_naive(value), tz)
        return cleaned


class EventFilter(admin.RelatedFieldListFilter):
    """The "By event" filter, offering only the events the user sees (an organizer never
    reads another event's name here)."""

    def field_choices(self, field, request, model_admin):
        return [(e.pk, str(e)) for e in selectors.events_for(request.user).only("pk", "name")]

    def has_output(self):
        # Shown (and applied) with a single event too: Django drops a filter it does not
        # show, and an organizer of one event filtering by another would see their own.
        return bool(self.lookup_choices)


class EventScopedAdmin(BackOfficeAdmin):
    """An admin of records that belong to an event: an organizer sees and acts only on the
    events they organize, and is offered only those in the form's event choices."""

    event_field = "event"

    def get_queryset(self, request):
        return selectors.scoped_to_events(
            super().get_queryset(request), request.user, field=self.event_field
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "event":
            kwargs["queryset"] = selectors.events_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_object(self, request, object_id, from_field=None):
        return _in_scope_or_404(request, super().get_object(request, object_id, from_field))


def _in_scope_or_404(request, obj):
    """The admin sends a missing record's page to the index with a message; for an organizer
    a record of another event is a plain 404, the same as one that does not exist."""
    if obj is None and not selectors.sees_every_event(request.user):
        raise Http404("No such record.")
    return obj


class TicketTypeInline(admin.TabularInline):
    model = TicketType
    extra = 0
    fields = ["name", "price", "fair_market_value", "seats", "quantity", "sales_start", "sales_end"]


class TableInline(admin.TabularInline):
    model = Table
    extra = 0
    fields = ["name", "seats"]


@admin.register(Event)
class EventAdmin(AuditedAdmin):
    form = EventForm
    list_display = ["name", "when", "city", "state", "status", "capacity", "seats_confirmed"]
    list_filter = ["status", "state"]
    search_fields = ["name", "slug", "venue", "city"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["campaign"]
    inlines = [TicketTypeInline, TableInline]
    readonly_fields = ["pages"]
    _money = ("revenue_goal", "costs")
    giving_fields = (*_money, "campaign")

    def get_queryset(self, request):
        queryset = selectors.scoped_to_events(
            super().get_queryset(request), request.user, field="pk"
        )
        return (
            queryset.annotate(
                seats_yes=Sum(
                    "rsvps__party_size",
                    filter=Q(rsvps__answer="yes", rsvps__waitlist_position__isnull=True),
                )
            )
        )

    def get_fieldsets(self, request, obj=None):
        status = ["status"]
        if obj is not None and obj.status != EventStatus.CANCELLED:
            status.append("confirm_cancellation")
        fieldsets = [
            (None, {"fields": [("name", "slug"), tuple(status), "description"]}),
            (
                "When and where",
                {
                    "fields": [
                        "time_zone",
                        ("starts_at", "ends_at"),
                        ("venue", "address"),
                        ("city", "state"),
                    ],
                    "description": "Times are in the venue's time zone.",
                },
            ),
            ("Guests", {"fields": [("capacity", "party_size_limit"), "rsvp_deadline"]}),
        ]
        if selectors.sees_every_event(request.user):
            fieldsets.append(("Organizers", {"fields": ["organizers"]}))
        if can_see_giving(request):
            fieldsets.append(("Money", {"fields": ["campaign", self._money]}))
        if obj is not None:
            fieldsets.append(("Pages", {"fields": ["pages"]}))
        return fieldsets

    @admin.display(description="starts (venue time)", ordering="starts_at")
    def when(self, obj):
        return obj.local_start.strftime("%Y-%m-%d %H:%M")

    @admin.display(description="seats confirmed", ordering="seats_yes")
    def seats_confirmed(self, obj):
        return obj.seats_yes or 0

    @admin.display(description="pages")
    def pages(self, obj):
        links = [
            ("Public page", reverse("event_public", args=[obj.slug])),
            ("Door check-in", reverse("event_check_in", args=[obj.slug])),
            ("Invite donors", reverse("event_invite", args=[obj.slug])),
            ("Summary", reverse("event_summary", args=[obj.slug])),
            ("Attendees (CSV)", reverse("event_attendees_csv", args=[obj.slug])),
            ("Attendees (XLSX)", reverse("event_attendees_xlsx", args=[obj.slug])),
            ("Door list (PDF)", reverse("event_door_list_pdf", args=[obj.slug])),
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', ((u, t) for t, u in links))

    def get_object(self, request, object_id, from_field=None):
        return _in_scope_or_404(request, super().get_object(request, object_id, from_field))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "organizers":
            kwargs["queryset"] = get_user_model().objects.filter(
                is_active=True, groups__name=EVENT_ORGANIZER
            ).order_by("username")
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.event_save(event=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change and not selectors.sees_every_event(request.user):
            # An organizer runs the events they create (and sees only those).
            form.instance.organizers.add(request.user)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, TicketType):
                services.ticket_type_save(ticket_type=instance)
            else:
                instance.full_clean()
                instance.save()
        for deleted in formset.deleted_objects:
            deleted.delete()


@admin.register(GuestList)
class GuestListAdmin(BackOfficeAdmin):
    list_display = ["name", "size"]
    search_fields = ["name"]
    autocomplete_fields = ["donors"]
    fields = ["name", "donors", "events"]

    def get_queryset(self, request):
        lists = selectors.guest_lists_for(request.user)
        return lists.annotate(n=Count("donors"))

    def get_object(self, request, object_id, from_field=None):
        return _in_scope_or_404(request, super().get_object(request, object_id, from_field))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "events":
            kwargs["queryset"] = selectors.events_for(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        # An organizer's choice of events never removes the sharing Staff set with events
        # the organizer does not see.
        hidden = []
        if change and not selectors.sees_every_event(request.user):
            visible = selectors.events_for(request.user).values("pk")
            hidden = list(form.instance.events.exclude(pk__in=visible))
        super().save_related(request, form, formsets, change)
        if hidden:
            form.instance.events.add(*hidden)

    @admin.display(description="donors", ordering="n")
    def size(self, obj):
        return obj.n


class InvitationAddForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["event", "donor"]


@admin.register(Invitation)
class InvitationAdmin(EventScopedAdmin):
    form = InvitationAddForm
    list_display = ["donor", "event", "created_at", "sent_at", "sent_to", "answer"]
    list_filter = [("event", EventFilter), ("sent_at", admin.EmptyFieldListFilter)]
    list_select_related = ["donor", "event", "rsvp"]
    search_fields = ["donor__display_name", "donor__emails__email", "event__name"]
    autocomplete_fields = ["donor"]
    readonly_fields = ["link", "created_at", "sent_at", "sent_to"]
    actions = ["send_invitations"]
    list_per_page = 100

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["event", "donor"]
        return ["event", "donor", "link", "created_at", "sent_at", "sent_to"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields + (["event", "donor"] if obj else [])

    @admin.display(description="RSVP link")
    def link(self, obj):
        url = obj.get_absolute_url()
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.display(description="answer")
    def answer(self, obj):
        try:
            return obj.rsvp.get_answer_display()
        except RSVP.DoesNotExist:
            return "—"

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.invitations_create(event=obj.event, donors=[obj.donor])
            obj.pk = created[0].pk

    @admin.action(description="Send the selected invitations (never twice)", permissions=["change"])
    def send_invitations(self, request, queryset):
        totals = {"queued": 0, "already_sent": 0}
        for event_id in set(queryset.values_list("event_id", flat=True)):
            donors = Donor.objects.filter(invitations__in=queryset.filter(event_id=event_id))
            result = services.invitations_send(event=Event.objects.get(pk=event_id), donors=donors)
            totals["queued"] += result["queued"]
            totals["already_sent"] += result["already_sent"]
        self.message_user(
            request,
            f"Queued {totals['queued']} invitation(s); {totals['already_sent']} already sent.",
            messages.SUCCESS,
        )


class RSVPForm(ServiceModelForm):
    class Meta:
        model = RSVP
        fields = ["table", "guest_names", "dietary_needs"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "table" in self.fields and self.instance.event_id:
            self.fields["table"].queryset = Table.objects.filter(event_id=self.instance.event_id)


class RSVPImportForm(SkipErrorsImportForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skip_errors"].help_text = (
            "Left unticked, a file with any bad row imports nothing. Ticked, the good rows go in "
            "and the bad ones are listed, with their errors, in the preview; after the import, "
            "its import run's page offers them as a CSV file with an error column, to fix and "
            "import again."
        )


@admin.register(RSVP)
class RSVPAdmin(EngineImportMixin, EventScopedAdmin):
    """Answers come from guests and the door; organizers keep tables and details, import a
    spreadsheet of answers (through the RSVP services: capacity and waitlist hold) and export
    them (no money in either)."""

    form = RSVPForm
    resource_classes = [RSVPResource]
    import_permission = "events.change_rsvp"
    import_form_class = RSVPImportForm
    actions = ["export_rsvps_csv", "export_rsvps_xlsx"]
    list_display = [
        "donor",
        "event",
        "answer",
        "party_size",
        "waitlist_position",
        "table",
        "checked_in_count",
        "walk_in",
    ]
    list_filter = [
        ("event", EventFilter),
        "answer",
        "walk_in",
        ("waitlist_position", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["donor", "event", "table"]
    search_fields = ["donor__display_name", "donor__emails__email", "guest_names"]
    list_per_page = 100
    fields = [
        ("event", "donor"),
        ("answer", "party_size", "waitlist_position"),
        "guest_names",
        "dietary_needs",
        "table",
        ("walk_in", "checked_in_count", "checked_in_at"),
        "answered_at",
    ]
    readonly_fields = [
        "event",
        "donor",
        "answer",
        "party_size",
        "waitlist_position",
        "walk_in",
        "checked_in_count",
        "checked_in_at",
        "answered_at",
    ]

    def has_add_permission(self, request):
        # Answers come from the guest (invitation link, public page) or the door (walk-ins).
        return False

    def delete_model(self, request, obj):
        services.rsvps_delete(rsvps=RSVP.objects.filter(pk=obj.pk))

    import_noun = "RSVPs"

    def import_message_extra(self, result) -> str:
        waitlisted = result.engine_summary.get("waitlisted", 0)
        return f" {waitlisted} joined a waitlist: their event is full." if waitlisted else ""

    def _export_name(self, extension: str) -> str:
        return f"rsvps-{timezone.localdate():%Y-%m-%d}.{extension}"

    @admin.action(description="Export selected RSVPs as CSV", permissions=["view"])
    def export_rsvps_csv(self, request, queryset):
        rows = rsvp_export_rows(queryset)
        response = StreamingHttpResponse(csv_stream(rows), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{self._export_name("csv")}"'
        return response

    @admin.action(description="Export selected RSVPs as Excel (XLSX)", permissions=["view"])
    def export_rsvps_xlsx(self, request, queryset):
        handle = xlsx_file(rsvp_export_rows(queryset), title="RSVPs")
        return FileResponse(
            handle,
            as_attachment=True,
            filename=self._export_name("xlsx"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )

    def delete_queryset(self, request, queryset):
        services.rsvps_delete(rsvps=queryset)

    def save_model(self, request, obj, form, change):
        services.rsvp_details_save(
            rsvp=obj,
            table=obj.table,
            guest_names=obj.guest_names,
            dietary_needs=obj.dietary_needs,
        )


class TicketPurchaseForm(ServiceModelForm):
    """Tickets paid at the door or by mail: the gift is recorded with the seats' value.

    The admin saves inside one transaction, so the purchase is recorded while the form is
    checked: whatever the service refuses is shown on the form, and nothing stays behind."""

    METHODS = [
        (GiftMethod.CHECK, "Check"),
        (GiftMethod.CASH, "Cash"),
        (GiftMethod.CARD, "Card (paid elsewhere)"),
        (GiftMethod.DAF_GRANT, "DAF grant"),
        (GiftMethod.OTHER, "Other"),
    ]
    donor = forms.ModelChoiceField(queryset=Donor.objects.all())
    method = forms.ChoiceField(choices=METHODS)
    gift_date = forms.DateField(initial=timezone.localdate, help_text="The day it was paid.")
    check_number = forms.CharField(max_length=30, required=False)
    benefit_declined = forms.BooleanField(
        required=False, help_text="The buyer gives up the seats' value: the whole price is a gift."
    )

    user = None  # set per request by the admin: an organizer is offered their events only

    class Meta:
        model = TicketPurchase
        fields = ["ticket_type", "quantity"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user is not None:
            self.fields["ticket_type"].queryset = TicketType.objects.filter(
                event__in=selectors.events_for(self.user)
            ).select_related("event")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.purchase = services.ticket_purchase_record(
                ticket_type=cleaned["ticket_type"],
                donor=cleaned["donor"],
                quantity=cleaned["quantity"],
                method=cleaned["method"],
                gift_date=cleaned["gift_date"],
                benefit_declined=cleaned.get("benefit_declined", False),
                check_number=cleaned.get("check_number", ""),
            )
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned

    def _post_clean(self):
        pass


class RecordedGiftAdmin(EventScopedAdmin):
    """Money recorded at an event (a ticket bought, a paddle-raise gift): added once through
    its service, then shown read-only. Never changed or deleted here: a returned ticket or a
    mistaken gift is a refund of its gift, which Staff make on the gift."""

    # The row shows its gift's donor and amount: what a ticket cost is the one amount
    # organizers see (common.roles), though they may not open gifts.
    shown_through = ("gift",)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="donor", ordering="gift__donor__sort_name")
    def donor(self, obj):
        return obj.gift.donor

    @admin.display(description="amount", ordering="gift__amount")
    def amount(self, obj):
        return f"${obj.gift.amount:,.2f}"


@admin.register(TicketPurchase)
class TicketPurchaseAdmin(RecordedGiftAdmin):
    list_display = ["created_at", "donor", "event", "ticket_type", "quantity", "amount", "method"]
    list_select_related = ["gift__donor", "event", "ticket_type__event"]
    list_filter = [("event", EventFilter)]
    search_fields = ["gift__donor__display_name", "gift__donor__emails__email", "event__name"]
    readonly_fields = ["event", "ticket_type", "quantity", "gift", "created_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            form = TicketPurchaseForm
            form.base_fields["donor"].widget = admin.widgets.AutocompleteSelect(
                Donor._meta.get_field("gifts").remote_field, self.admin_site
            )
            return type(form.__name__, (form,), {"user": request.user})
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return [
                "ticket_type",
                "quantity",
                "donor",
                "method",
                "check_number",
                "gift_date",
                "benefit_declined",
            ]
        return self.readonly_fields

    @admin.display(description="paid by")
    def method(self, obj):
        return obj.gift.get_method_display()

    def save_form(self, request, form, change):
        return form.instance

    def save_related(self, request, form, formsets, change):
        pass  # the service saved everything while the form was checked

    def save_model(self, request, obj, form, change):
        purchase = form.purchase
        obj.pk, obj.event, obj.ticket_type, obj.gift = (
            purchase.pk,
            purchase.event,
            purchase.ticket_type,
            purchase.gift,
        )


class EventGiftForm(ServiceModelForm):
    """A gift made at the event; recorded while the form is checked (see TicketPurchaseForm)."""

    donor = forms.ModelChoiceField(queryset=Donor.objects.all())
    amount = forms.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    method = forms.ChoiceField(choices=TicketPurchaseForm.METHODS)
    gift_date = forms.DateField(initial=timezone.localdate)
    check_number = forms.CharField(max_length=30, required=False)

    user = None  # set per request by the admin (see TicketPurchaseForm)

    class Meta:
        model = EventGift
        fields = ["event"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user is not None:
            self.fields["event"].queryset = selectors.events_for(self.user)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.link = services.event_gift_record(
                event=cleaned["event"],
                donor=cleaned["donor"],
                amount=cleaned["amount"],
                method=cleaned["method"],
                gift_date=cleaned["gift_date"],
                check_number=cleaned.get("check_number", ""),
            )
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned

    def _post_clean(self):
        pass


@admin.register(EventGift)
class EventGiftAdmin(RecordedGiftAdmin):
    list_display = ["created_at", "event", "donor", "amount"]
    list_select_related = ["gift__donor", "event"]
    list_filter = [("event", EventFilter)]
    search_fields = ["gift__donor__display_name", "event__name"]
    readonly_fields = ["event", "gift", "created_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            form = EventGiftForm
            form.base_fields["donor"].widget = admin.widgets.AutocompleteSelect(
                Donor._meta.get_field("gifts").remote_field, self.admin_site
            )
            return type(form.__name__, (form,), {"user": request.user})
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["event", "donor", "amount", "method", "check_number", "gift_date"]
        return self.readonly_fields

    def save_form(self, request, form, change):
        return form.instance

    def save_related(self, request, form, formsets, change):
        pass  # the service saved everything while the form was checked

    def save_model(self, request, obj, form, change):
        obj.pk, obj.event, obj.gift = form.link.pk, form.link.event, form.link.gift
