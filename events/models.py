"""Events: dinners with tickets, invitations, RSVPs, tables and the door.

An attendee is a donor and a ticket is a gift with a benefit: these models point at
``donors`` and never the other way round.
"""

from __future__ import annotations

import dataclasses
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from common import validators
from donors.deductible import ticket_figures
from donors.models import Campaign, Donor, Gift
from donors.models.base import CheckedText


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
        max_length=64, default="America/New_York", validators=[validators.validate_time_zone]
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
    token = models.CharField(
        max_length=64, unique=True, default=validators.invitation_token, editable=False
    )
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

    def seated(self, *, exclude_id: int | None = None) -> int:
        """People of confirmed parties seated here."""
        if not self.pk:
            return 0
        rsvps = self.rsvps.filter(answer=Answer.YES, waitlist_position__isnull=True)
        if exclude_id:
            rsvps = rsvps.exclude(pk=exclude_id)
        return rsvps.aggregate(n=models.Sum("party_size"))["n"] or 0

    def clean(self) -> None:
        # A table never holds more people than its seats (the seating chart refuses a party
        # too big for what is left; here the seats cannot drop below who is seated).
        seated = self.seated()
        if self.seats is not None and self.seats < seated:
            raise ValidationError(
                {
                    "seats": f"{seated} people are seated at {self.name}: move a party to "
                    f"another table first, or keep at least {seated} seats."
                }  # fmt: skip
            )


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
    # The party's own note for the kitchen (walk-ins, imports, organizers); each guest's own
    # needs are on their Guest row.
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
        max_length=32, unique=True, default=validators.door_code, editable=False
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

    @property
    def party_name(self) -> str:
        """ "the Khan party": how the seating chart names a party."""
        if not self.donor_id:
            return "this party"
        donor = self.donor
        return f"the {donor.last_name or donor.display_name} party"

    def people(self) -> list[PartyPerson]:
        """Everyone of the party, one per seat: guest 1 is the person who answered (their
        Guest row when they gave a meal or needs, else their name), then the guests named;
        a seat nobody named is "Guest of <name>". Reads ``guests`` (prefetch it for lists)."""
        rows = {guest.position: guest for guest in self.guests.all()}
        host = self.donor.display_name if self.donor_id else ""
        people = []
        for position in range(1, self.party_size + 1):
            guest = rows.get(position)
            if guest is not None:
                name = guest.name or (host if position == 1 else f"Guest of {host}")
                meal = guest.meal.name if guest.meal_id else ""
                people.append(PartyPerson(position, name, meal, guest.dietary_needs))
            else:
                name = host if position == 1 else f"Guest of {host}"
                people.append(PartyPerson(position, name, "", ""))
        return people

    def people_line(self) -> str:
        """The party in one line: "Ayesha Khan (Fish), Omar Khan and 1 guest not named"."""
        people = self.people()
        named = [p for p in people if p.position == 1 or not p.name.startswith("Guest of ")]
        text = ", ".join(f"{p.name} ({p.meal})" if p.meal else p.name for p in named)
        unnamed = len(people) - len(named)
        if unnamed:
            text += f" and {unnamed} guest{'s' if unnamed > 1 else ''} not named"
        return text

    @property
    def guest_names(self) -> str:
        """The names of the guests the person who answered brings, one a line (guest 2 on)."""
        return "\n".join(
            guest.name
            for guest in sorted(self.guests.all(), key=lambda g: g.position)
            if guest.position > 1 and guest.name
        )

    def dietary_summary(self) -> str:
        """The party's note and each guest's needs, for the door list and exports."""
        parts = [self.dietary_needs] if self.dietary_needs else []
        parts += [f"{p.name}: {p.dietary_needs}" for p in self.people() if p.dietary_needs]
        return "; ".join(parts)


@dataclasses.dataclass(frozen=True)
class PartyPerson:
    position: int
    name: str
    meal: str
    dietary_needs: str


class MenuChoice(OfAnEvent, CheckedText, models.Model):
    """A meal guests choose from, as organizers set the event's menu (Chicken, Vegetarian)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="menu_choices")
    name = models.CharField(max_length=100, help_text="Chicken, Vegetarian, Child's plate…")
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")

    class Meta:
        verbose_name = "menu choice"
        ordering = ["event", "position", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="menuchoice_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Guest(CheckedText, models.Model):
    """One person of a party: guest 1 is the person who answered, then the guests they bring.
    A party of 4 has up to 4 rows; a seat with no row is an unnamed guest (RSVP.people)."""

    rsvp = models.ForeignKey(RSVP, on_delete=models.CASCADE, related_name="guests")
    position = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    name = models.CharField(
        max_length=200, blank=True, help_text="Blank for guest 1: the name of who answered."
    )
    meal = models.ForeignKey(
        MenuChoice, on_delete=models.SET_NULL, null=True, blank=True, related_name="guests"
    )
    dietary_needs = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["rsvp", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rsvp", "position"], name="guest_unique_position"),
            models.CheckConstraint(condition=Q(position__gte=1), name="guest_position_positive"),
        ]

    def __str__(self) -> str:
        return self.name or f"Guest {self.position}"

    def get_additional_data(self) -> dict:
        # Its entries name the event and the donor who answered (events.audit).
        rsvp = RSVP.objects.filter(pk=self.rsvp_id).values("event_id", "donor_id").first()
        return dict(rsvp) if rsvp else {}

    def clean(self) -> None:
        if not self.rsvp_id:
            return
        rsvp = self.rsvp
        if self.position and self.position > rsvp.party_size:
            raise ValidationError(
                {
                    "position": f"The party is {rsvp.party_size}: guest {self.position} is one "
                    "too many. Change the party size first."
                }  # fmt: skip
            )
        if self.position and self.position > 1 and not self.name.strip():
            raise ValidationError({"name": f"Give guest {self.position}'s name."})
        if self.meal_id and self.meal.event_id != rsvp.event_id:
            raise ValidationError({"meal": "That meal is on another event's menu."})


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
