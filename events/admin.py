"""The events back office: organizers keep events, tickets, invitations and RSVPs; the money
(goal, costs, ticket revenue, paddle-raise gifts) is shown only to those who see giving."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import PAGE_VAR
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import FileResponse, Http404, HttpResponseRedirect, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from common.door import reads_only
from common.roles import EVENT_ORGANIZER
from donors.admin.base import (
    AuditedAdmin,
    BackOfficeAdmin,
    ServiceModelForm,
    can_see_audit,
    can_see_giving,
)
from donors.admin.importing import EngineImportMixin, SkipErrorsImportForm
from donors.exports import csv_stream, xlsx_file
from donors.models import Donor, GiftMethod
from events import selectors, services
from events.audit import event_history
from events.imports import rsvp_export_rows
from events.models import (
    RSVP,
    Event,
    EventGift,
    EventStatus,
    GuestList,
    Invitation,
    Table,
    TicketPurchase,
    TicketType,
)
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
        if self.instance.pk and cleaned.get("capacity"):
            try:
                services.event_capacity_check(event=self.instance, capacity=cleaned["capacity"])
            except ValidationError as error:
                self.add_error(None, error)
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
        return queryset.annotate(
            seats_yes=Sum(
                "rsvps__party_size",
                filter=Q(rsvps__answer="yes", rsvps__waitlist_position__isnull=True),
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
            ("My events", reverse("my_events")),
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', ((u, t) for t, u in links))

    def get_object(self, request, object_id, from_field=None):
        return _in_scope_or_404(request, super().get_object(request, object_id, from_field))

    auditlog_history_template = "admin/events/event/audit_history.html"

    def auditlog_history_view(self, request, object_id, extra_context=None):
        """One history for the event and everything of it (events.audit.event_history)."""
        event = self.get_object(request, unquote(object_id))
        if event is None or not can_see_audit(request):
            # As AuditedAdmin answers: 403, or the missing record's redirect.
            return super().auditlog_history_view(request, object_id, extra_context)
        per_page = self.auditlog_history_per_page
        paginator = self.get_paginator(request, event_history(event), per_page)
        page = paginator.get_page(request.GET.get(PAGE_VAR, 1))
        context = {
            "log_entries": page,
            "page_range": paginator.get_elided_page_range(page.number),
            "pagination_required": paginator.count > per_page,
            **(extra_context or {}),
        }
        return super().auditlog_history_view(request, object_id, context)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "organizers":
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(is_active=True, groups__name=EVENT_ORGANIZER)
                .order_by("username")
            )
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.event_save(event=obj)

    def save_related(self, request, form, formsets, change):
        event = form.instance
        if "organizers" in form.cleaned_data:  # Staff's form: the Organizers box
            services.event_organizers_set(event=event, organizers=form.cleaned_data["organizers"])
        elif not change and not selectors.sees_every_event(request.user):
            # An organizer runs the events they create (and sees only those).
            services.event_organizers_set(event=event, organizers=[], add=[request.user])
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    _inline_services = {
        TicketType: (services.ticket_type_save, services.ticket_type_delete, "ticket_type"),
        Table: (services.table_save, services.table_delete, "table"),
    }

    def save_formset(self, request, form, formset, change):
        save, delete, name = self._inline_services[formset.model]
        for instance in formset.save(commit=False):
            save(**{name: instance})
        for deleted in formset.deleted_objects:
            delete(**{name: deleted})

    def delete_model(self, request, obj):
        services.events_delete(events=Event.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.events_delete(events=queryset)


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
        # An organizer's choice of events never removes the sharing Staff set with events
        # the organizer does not see.
        hidden = []
        if change and not selectors.sees_every_event(request.user):
            visible = selectors.events_for(request.user).values("pk")
            hidden = list(obj.events.exclude(pk__in=visible))
        services.guest_list_save(
            guest_list=obj,
            donors=form.cleaned_data["donors"],
            events=form.cleaned_data["events"],
            created_by=request.user,
            keep_events=hidden,
        )

    def save_related(self, request, form, formsets, change):
        pass  # guest_list_save set the donors and events with the list

    def delete_model(self, request, obj):
        services.guest_lists_delete(guest_lists=GuestList.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.guest_lists_delete(guest_lists=queryset)

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
    actions = ["send_invitations", "send_invitations_with_organizations"]
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
        if not change:  # once made, an invitation's event and donor are read-only
            created = services.invitations_create(event=obj.event, donors=[obj.donor])
            obj.pk = created[0].pk

    def save_related(self, request, form, formsets, change):
        pass  # no many-to-many fields, no inlines

    def delete_model(self, request, obj):
        services.invitations_delete(invitations=Invitation.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.invitations_delete(invitations=queryset)

    @admin.action(
        description="Send the selected invitations to people and households (never twice)",
        permissions=["change"],
    )
    def send_invitations(self, request, queryset):
        self._send(request, queryset, include_organizations=False)

    @admin.action(
        description="Send the selected invitations, organizations included (never twice)",
        permissions=["change"],
    )
    def send_invitations_with_organizations(self, request, queryset):
        self._send(request, queryset, include_organizations=True)

    def _send(self, request, queryset, *, include_organizations: bool) -> None:
        totals = {"queued": 0, "already_sent": 0, "organizations_left_out": 0}
        for event_id in set(queryset.values_list("event_id", flat=True)):
            donors = Donor.objects.filter(invitations__in=queryset.filter(event_id=event_id))
            result = services.invitations_send(
                event=Event.objects.get(pk=event_id),
                donors=donors,
                include_organizations=include_organizations,
            )
            for key in totals:
                totals[key] += result[key]
        text = (
            f"{totals['queued']} queued — they are sent by the task worker, usually within a "
            f"minute. {totals['already_sent']} had already been sent."
        )
        if totals["organizations_left_out"]:
            text += (
                f" {totals['organizations_left_out']} to organizations not sent: use "
                '"Send the selected invitations, organizations included" to send them.'
            )
        self.message_user(request, text, messages.SUCCESS)


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

    @reads_only
    @admin.action(description="Export selected RSVPs as CSV", permissions=["view"])
    def export_rsvps_csv(self, request, queryset):
        rows = rsvp_export_rows(queryset)
        response = StreamingHttpResponse(csv_stream(rows), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{self._export_name("csv")}"'
        return response

    @reads_only
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

    def save_related(self, request, form, formsets, change):
        pass  # no many-to-many fields, no inlines


class RecordedGiftForm(ServiceModelForm):
    """A form for money recorded at an event. It only checks (through the service's own check,
    which writes nothing); the admin's save_model records. Per request, the admin makes a
    subclass naming the user (``user``: an organizer is offered their events only) and the
    site (``admin_site``: the donor box searches as you type); the fields change on the form
    instance, never on the shared class."""

    user = None
    admin_site = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.admin_site is not None:
            donor = self.fields["donor"]
            donor.widget = admin.widgets.AutocompleteSelect(
                Donor._meta.get_field("gifts").remote_field, self.admin_site
            )
            donor.widget.choices, donor.widget.is_required = donor.choices, donor.required

    def service_arguments(self) -> dict:
        """The service's arguments, from the cleaned data."""
        raise NotImplementedError

    def service_check(self) -> None:
        """Raise what the service would refuse, writing nothing."""
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                self.service_check()
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned

    def _post_clean(self):
        pass  # the service validates the records it makes


class TicketPurchaseForm(RecordedGiftForm):
    """Tickets paid at the door or by mail: the gift is recorded with the seats' value."""

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

    class Meta:
        model = TicketPurchase
        fields = ["ticket_type", "quantity"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user is not None:
            self.fields["ticket_type"].queryset = TicketType.objects.filter(
                event__in=selectors.events_for(self.user)
            ).select_related("event")

    def service_arguments(self) -> dict:
        cleaned = self.cleaned_data
        return {
            "ticket_type": cleaned["ticket_type"],
            "donor": cleaned["donor"],
            "quantity": cleaned["quantity"],
            "method": cleaned["method"],
            "gift_date": cleaned["gift_date"],
            "benefit_declined": cleaned.get("benefit_declined", False),
            "check_number": cleaned.get("check_number", ""),
        }

    def service_check(self) -> None:
        services.ticket_purchase_check(**self.service_arguments())


class RecordedGiftAdmin(EventScopedAdmin):
    """Money recorded at an event (a ticket bought, a paddle-raise gift): added once through
    its service, then shown read-only. Never changed or deleted here: a returned ticket or a
    mistaken gift is a refund of its gift, which Staff make on the gift.

    The add form checks what the service would refuse (writing nothing); ``save_model`` then
    records through the service."""

    add_form: type[RecordedGiftForm]

    # The row shows its gift's donor and amount: what a ticket cost is the one amount
    # organizers see (common.roles), though they may not open gifts.
    shown_through = ("gift",)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            form = self.add_form
            # A subclass per request: the shared form class is never changed.
            per_request = {"user": request.user, "admin_site": self.admin_site}
            return type(form.__name__, (form,), per_request)
        return super().get_form(request, obj, change=change, **kwargs)

    def save_form(self, request, form, change):
        return form.instance

    def save_related(self, request, form, formsets, change):
        pass  # save_model's service recorded everything

    def record(self, form):
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        recorded = self.record(form)
        for field in recorded._meta.concrete_fields:
            setattr(obj, field.attname, getattr(recorded, field.attname))
        obj._state.adding = False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as refused:
            # The form's check passed but the service refused as it recorded (the last
            # tickets sold meanwhile): the admin's transaction took everything back.
            self.message_user(request, " ".join(refused.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

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

    add_form = TicketPurchaseForm

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

    def record(self, form):
        return services.ticket_purchase_record(**form.service_arguments())


class EventGiftForm(RecordedGiftForm):
    """A gift made at the event (the paddle raise)."""

    donor = forms.ModelChoiceField(queryset=Donor.objects.all())
    amount = forms.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    method = forms.ChoiceField(choices=TicketPurchaseForm.METHODS)
    gift_date = forms.DateField(initial=timezone.localdate)
    check_number = forms.CharField(max_length=30, required=False)

    class Meta:
        model = EventGift
        fields = ["event"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user is not None:
            self.fields["event"].queryset = selectors.events_for(self.user)

    def service_arguments(self) -> dict:
        cleaned = self.cleaned_data
        return {
            "event": cleaned["event"],
            "donor": cleaned["donor"],
            "amount": cleaned["amount"],
            "method": cleaned["method"],
            "gift_date": cleaned["gift_date"],
            "check_number": cleaned.get("check_number", ""),
        }

    def service_check(self) -> None:
        services.event_gift_check(**self.service_arguments())


@admin.register(EventGift)
class EventGiftAdmin(RecordedGiftAdmin):
    list_display = ["created_at", "event", "donor", "amount"]
    list_select_related = ["gift__donor", "event"]
    list_filter = [("event", EventFilter)]
    search_fields = ["gift__donor__display_name", "event__name"]
    readonly_fields = ["event", "gift", "created_at"]

    add_form = EventGiftForm

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["event", "donor", "amount", "method", "check_number", "gift_date"]
        return self.readonly_fields

    def record(self, form):
        return services.event_gift_record(**form.service_arguments())
