"""Events: dinners with tickets, invitations, RSVPs, tables and the door.

An attendee is a donor and a ticket is a gift with a benefit: these models point at
``donors`` and never the other way round.
"""

from __future__ import annotations

import secrets
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from donors.deductible import ticket_figures
from donors.models import Campaign, Donor, Gift
from donors.models.base import CheckedText
from donors.models.organization import validate_time_zone


class OfAnEvent:
    """A record that belongs to an event: its audit entries name the event, and the donor when
    it has one (events.audit), so the event's "Audit log" lists them, even once the record is
    deleted, and a donor's history can find them."""

    def get_additional_data(self) -> dict:
        data = {"event_id": self.event_id}
        if getattr(self, "donor_id", None):
            data["donor_id"] = self.donor_id
        return data


class EventStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class Event(CheckedText, models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=80, unique=True, help_text="The public page is /events/<slug>/."
    )
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField(help_text="In the venue's time zone.")
    ends_at = models.DateTimeField(help_text="In the venue's time zone.")
    venue = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=50, help_text="Two letters in the US: IN, CA.")
    time_zone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_time_zone]
    )
    capacity = models.PositiveIntegerField(
        validators=[MinValueValidator(1)], help_text="Seats: every confirmed guest counts."
    )
    party_size_limit = models.PositiveSmallIntegerField(
        default=4,
        validators=[MinValueValidator(1)],
        help_text="The most people one RSVP may bring, the guest included.",
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    revenue_goal = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    costs = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    rsvp_deadline = models.DateTimeField(
        null=True, blank=True, help_text="Answers can be changed until then."
    )
    status = models.CharField(
        max_length=10, choices=EventStatus.choices, default=EventStatus.DRAFT, db_index=True
    )
    # Who runs it. A user whose only events role is "Event organizer" sees and acts on the
    # events they organize and nothing else (see events.selectors.events_for).
    organizers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="organized_events",
        help_text="The event organizers who run this event: they see only the events they "
        "organize.",
    )
    # The calendar file's SEQUENCE (RFC 5545): raised by events.services.event_save whenever
    # what a guest's calendar shows changes (name, times, place, description, cancellation), so
    # an updated or cancelling .ics replaces the one sent before.
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_capacity_positive"),
            models.CheckConstraint(
                condition=Q(party_size_limit__gte=1), name="event_party_limit_positive"
            ),
            models.CheckConstraint(
                condition=Q(revenue_goal__gte=0) & Q(costs__gte=0), name="event_money_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("event_public", args=[self.slug])

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def local_start(self):
        return timezone.localtime(self.starts_at, self.tz)

    @property
    def local_end(self):
        return timezone.localtime(self.ends_at, self.tz)

    @property
    def local_deadline(self):
        return timezone.localtime(self.rsvp_deadline, self.tz) if self.rsvp_deadline else None

    def rsvps_open(self, now=None) -> bool:
        now = now or timezone.now()
        if self.status != EventStatus.OPEN:
            return False
        return self.rsvp_deadline is None or now <= self.rsvp_deadline

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The event must end after it starts."})
        if self.rsvp_deadline and self.ends_at and self.rsvp_deadline > self.ends_at:
            raise ValidationError({"rsvp_deadline": "The RSVP deadline is after the event."})


class TicketType(OfAnEvent, CheckedText, models.Model):
    """What a ticket costs and what the guest gets for it (the meal): the difference is the
    deductible share."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="ticket_types")
    name = models.CharField(max_length=100)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    fair_market_value = models.DecimalField(
        "fair-market value per seat",
        max_digits=10,
        decimal_places=2,
        default=0,
        help_text="The good-faith value of what one guest receives (the meal).",
    )
    seats = models.PositiveSmallIntegerField(
        "seats per ticket",
        default=1,
        validators=[MinValueValidator(1)],
        help_text="10 for a table.",
    )
    quantity = models.PositiveIntegerField(
        "quantity available", null=True, blank=True, help_text="Blank: no limit."
    )
    sales_start = models.DateTimeField(null=True, blank=True)
    sales_end = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["event", "price", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="tickettype_unique_name"),
            models.CheckConstraint(condition=Q(price__gte=0), name="tickettype_price_not_negative"),
            models.CheckConstraint(
                condition=Q(fair_market_value__gte=0), name="tickettype_fmv_not_negative"
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="tickettype_seats_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.event})" if self.event_id else self.name

    @property
    def benefit_value(self) -> Decimal:
        """What one ticket's guests receive: seats × the value per seat."""
        return self.seats * self.fair_market_value

    @property
    def figures(self):
        """What the receipt of one such ticket states (donors.deductible, the receipt rules):
        the benefit that counts (none when too small to count that year) and the deductible
        part. Judged in the year of the event."""
        day = self.event.local_start.date() if self.event_id else timezone.localdate()
        return ticket_figures(price=self.price, benefit_value=self.benefit_value, day=day)

    @property
    def counted_benefit(self) -> Decimal:
        return self.figures.benefit_value

    @property
    def deductible_amount(self) -> Decimal:
        return self.figures.deductible_amount

    def on_sale(self, now=None) -> bool:
        now = now or timezone.now()
        if self.sales_start and now < self.sales_start:
            return False
        return not (self.sales_end and now > self.sales_end)

    def clean(self) -> None:
        if self.price is not None and self.fair_market_value is not None and self.seats:
            if self.seats * self.fair_market_value > self.price:
                raise ValidationError(
                    {"fair_market_value": "The value received cannot be more than the price."}
                )
        if self.sales_start and self.sales_end and self.sales_end <= self.sales_start:
            raise ValidationError({"sales_end": "Sales must end after they start."})


def _new_token() -> str:
    return secrets.token_urlsafe(24)


def _new_checkin_token() -> str:
    """A guest's door code (the QR code in their confirmation email): 96 random bits, 16
    characters, short enough to read out or type at the door."""
    return secrets.token_urlsafe(12)


class GuestList(CheckedText, models.Model):
    """A saved list of donors to invite (the host committee, last year's table captains)."""

    name = models.CharField(max_length=200, unique=True)
    donors = models.ManyToManyField(Donor, blank=True, related_name="guest_lists")
    # An organizer sees the lists they made and those shared with an event they organize.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    events = models.ManyToManyField(
        "Event",
        blank=True,
        related_name="guest_lists",
        verbose_name="shared with the organizers of",
        help_text="Event organizers see a list they made or one shared with an event they run.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Invitation(OfAnEvent, models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations")
    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="invitations")
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # When its email was handed to the task queue; sent_at once the worker sent it.
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_to = models.EmailField(blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "donor"], name="invitation_once_per_donor"),
        ]

    def __str__(self) -> str:
        return f"{self.donor} to {self.event}" if self.donor_id and self.event_id else "Invitation"

    def get_absolute_url(self) -> str:
        return reverse("rsvp_invitation", args=[self.token])


class Table(OfAnEvent, CheckedText, models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="tables")
    name = models.CharField(max_length=60, help_text="Table 1, Head table…")
    seats = models.PositiveSmallIntegerField(default=10, validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["event", "name"]
        constraints = [models.UniqueConstraint(fields=["event", "name"], name="table_unique_name")]

    def __str__(self) -> str:
        return self.name


class Answer(models.TextChoices):
    YES = "yes", "Yes, I will come"
    MAYBE = "maybe", "Maybe"
    NO = "no", "No, I cannot come"


class RSVP(OfAnEvent, CheckedText, models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="rsvps")
    invitation = models.OneToOneField(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="rsvp"
    )
    answer = models.CharField(max_length=5, choices=Answer.choices)
    party_size = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    guest_names = models.TextField(blank=True, help_text="One name per line.")
    dietary_needs = models.TextField(blank=True)
    waitlist_position = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Set while a 'yes' waits for a seat; the lowest is next in line.",
    )
    table = models.ForeignKey(
        Table, on_delete=models.SET_NULL, null=True, blank=True, related_name="rsvps"
    )
    walk_in = models.BooleanField(default=False)
    checked_in_count = models.PositiveSmallIntegerField(default=0)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    # The door code in the confirmation email's QR code; scanned at the door to check in.
    checkin_token = models.CharField(
        max_length=32, unique=True, default=_new_checkin_token, editable=False
    )
    # The door page's key for the check-in attempt that landed: a retry of the same attempt
    # (a dropped connection) is recognised as done, never counted twice.
    checkin_attempt = models.CharField(max_length=64, blank=True, default="", editable=False)
    answered_at = models.DateTimeField(default=timezone.now)
    promoted_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When a seat opened for them."
    )
    # Each answer bumps the version; the confirmation task sends once per version.
    answer_version = models.PositiveIntegerField(default=0, editable=False)
    confirmed_version = models.PositiveIntegerField(default=0, editable=False)
    reminded_7_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_1_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "RSVP"
        ordering = ["event", "donor__sort_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "donor"], name="rsvp_once_per_donor"),
            models.UniqueConstraint(
                fields=["event", "waitlist_position"], name="rsvp_waitlist_position_unique"
            ),
            models.CheckConstraint(condition=Q(party_size__gte=1), name="rsvp_party_positive"),
            models.CheckConstraint(
                condition=Q(waitlist_position__isnull=True) | Q(answer="yes"),
                name="rsvp_only_yes_waits",
            ),
        ]
        indexes = [models.Index(fields=["event", "answer"], name="rsvp_event_answer_idx")]

    def __str__(self) -> str:
        return f"{self.donor} — {self.get_answer_display()}" if self.donor_id else "RSVP"

    @property
    def confirmed(self) -> bool:
        return self.answer == Answer.YES and self.waitlist_position is None


class TicketPurchase(OfAnEvent, models.Model):
    """Tickets bought: the money is the gift (with its benefit); this says what it bought."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="ticket_purchases")
    ticket_type = models.ForeignKey(TicketType, on_delete=models.PROTECT, related_name="purchases")
    gift = models.OneToOneField(Gift, on_delete=models.PROTECT, related_name="ticket_purchase")
    quantity = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="ticketpurchase_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.ticket_type.name}" if self.ticket_type_id else "Tickets"

    @property
    def seats(self) -> int:
        return self.quantity * self.ticket_type.seats


class TicketHold(models.Model):
    """Tickets kept for a buyer while they pay in Stripe Checkout. A hold counts as sold until
    the payment is recorded (the purchase takes its place), Stripe says the session expired,
    or ``expires_at`` passes (a little after the session itself can no longer be paid)."""

    ticket_type = models.ForeignKey(TicketType, on_delete=models.CASCADE, related_name="holds")
    quantity = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    seats = models.PositiveIntegerField(help_text="0 when the buyer declines the benefit.")
    email = models.EmailField()
    # The buyer's connection (donors.ratelimit.client_ip): a limit on what one address may
    # hold at once. Kept only as long as the hold.
    client_address = models.CharField(max_length=64, blank=True, default="")
    checkout_session_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["expires_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="tickethold_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} held for {self.email}"


class EventGift(OfAnEvent, models.Model):
    """A gift made at the event that bought nothing (the paddle raise)."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="event_gifts")
    gift = models.OneToOneField(Gift, on_delete=models.PROTECT, related_name="event_gift")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "gift at the event"
        verbose_name_plural = "gifts at the event (paddle raise)"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(self.gift) if self.gift_id else "Gift at the event"


class CancellationNotice(OfAnEvent, models.Model):
    """One cancellation email to one guest or ticket buyer of a cancelled event: the row is
    the record that it went, so it never goes twice."""

    # A donor merge keeps the survivor's notice for an event both were told about.
    donor_merge_drop_clashes = True

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="cancellation_notices")
    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    sent_to = models.EmailField(blank=True, help_text="Blank: the donor had no email address.")
    bought_tickets = models.BooleanField(default=False)

    class Meta:
        ordering = ["event", "sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "donor"], name="cancellationnotice_once_per_donor"
            ),
        ]

    def __str__(self) -> str:
        return f"Cancellation notice to {self.sent_to or self.donor_id}"
