"""Tickets: each purchase is one gift whose benefit is the value of the seats it buys.

``ticket_purchase_record`` is the one way tickets are recorded: organizers call it for checks
and cash at the door, and the Stripe webhook calls it (through ``ticket_purchase_from_checkout``,
registered as the ``event_tickets`` Checkout kind in ``events.apps``) with the Checkout
session's metadata and the payment's id; a payment id already recorded returns the purchase
made the first time, so retried webhooks change nothing.

Buying online (``ticket_checkout_start``): the tickets are first held (``TicketHold``, under the
ticket type's row lock, so two buyers can never both get the last ones), then the buyer goes to
Stripe Checkout; the recorded purchase replaces the hold, and an expired session releases it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from common.door import service
from donors.models import Donor, Gift, GiftMethod
from donors.services import gift_save
from donors.services.online import billing_details_fill
from donors.stripe import client
from events import tasks
from events.models import (
    RSVP,
    Answer,
    Event,
    EventStatus,
    TicketHold,
    TicketPurchase,
    TicketType,
)
from events.services.events import gift_check
from events.services.rsvps import donor_for_email, seats_taken

DAF_REFUSAL = "DAF money cannot pay for tickets: the donor must pay personally."


@service
def tickets_sold(ticket_type: TicketType) -> int:
    return ticket_type.purchases.aggregate(n=Sum("quantity"))["n"] or 0


@service
def tickets_held(ticket_type: TicketType, *, now: datetime.datetime | None = None) -> int:
    """Tickets kept for buyers who are paying in Stripe Checkout right now."""
    holds = ticket_type.holds.filter(expires_at__gt=now or timezone.now())
    return holds.aggregate(n=Sum("quantity"))["n"] or 0


@service
def tickets_left(ticket_type: TicketType, *, now: datetime.datetime | None = None) -> int | None:
    """None when the ticket type has no limit."""
    if ticket_type.quantity is None:
        return None
    left = ticket_type.quantity - tickets_sold(ticket_type) - tickets_held(ticket_type, now=now)
    return max(left, 0)


def _sale_check(ticket_type: TicketType, *, quantity: int, method: str, online: bool) -> None:
    """What refuses a sale whatever the buyer: DAF money, no ticket, too few left (tickets
    paid online were held for the buyer, so their count was checked then)."""
    if method == GiftMethod.DAF_GRANT:
        raise ValidationError({"method": DAF_REFUSAL})
    if quantity < 1:
        raise ValidationError({"quantity": "Buy at least one ticket."})
    if ticket_type.quantity is not None and not online:
        # Tickets held for buyers paying online right now are not for sale at the door.
        left = tickets_left(ticket_type)
        if quantity > left:
            raise ValidationError(
                {"quantity": f"Only {max(left, 0)} {ticket_type.name} ticket(s) are left."}
            )


def _ticket_gift(
    ticket_type: TicketType,
    *,
    donor: Donor,
    quantity: int,
    method: str,
    gift_date: datetime.date,
    benefit_declined: bool,
    unit_price: Decimal | None,
    stripe_payment_id: str | None,
    gift_fields: dict,
) -> Gift:
    """The gift that pays for the tickets (unsaved): the price, with the seats' value as its
    benefit, counted toward the event's campaign."""
    amount = quantity * (ticket_type.price if unit_price is None else unit_price)
    fields = {"campaign": ticket_type.event.campaign, **gift_fields}
    return Gift(
        donor=donor,
        amount=amount,
        method=method,
        gift_date=gift_date,
        stripe_payment_id=stripe_payment_id,
        **_benefit(ticket_type, quantity, benefit_declined, amount=amount),
        **fields,
    )


@service
def ticket_purchase_check(
    *,
    ticket_type: TicketType,
    donor: Donor,
    quantity: int = 1,
    method: str,
    gift_date: datetime.date,
    benefit_declined: bool = False,
    **gift_fields,
) -> None:
    """Raise the ValidationError ``ticket_purchase_record`` would raise for a sale at the
    door, writing nothing (the admin's form shows it before anything is saved)."""
    _sale_check(ticket_type, quantity=quantity, method=method, online=False)
    gift = _ticket_gift(
        ticket_type, donor=donor, quantity=quantity, method=method, gift_date=gift_date,
        benefit_declined=benefit_declined, unit_price=None, stripe_payment_id=None,
        gift_fields=gift_fields,
    )  # fmt: skip
    gift_check(gift=gift)


@service
@transaction.atomic
def ticket_purchase_record(
    *,
    ticket_type: TicketType,
    donor: Donor,
    quantity: int = 1,
    method: str,
    gift_date: datetime.date,
    benefit_declined: bool = False,
    stripe_payment_id: str | None = None,
    unit_price: Decimal | None = None,
    **gift_fields,
) -> TicketPurchase:
    """``unit_price``: what one ticket cost when the buyer paid online (the ticket type's price
    may have changed since); the ticket type's price otherwise."""
    if method == GiftMethod.DAF_GRANT:
        raise ValidationError({"method": DAF_REFUSAL})
    if stripe_payment_id:
        existing = (
            TicketPurchase.objects.filter(gift__stripe_payment_id=stripe_payment_id)
            .select_related("gift", "ticket_type")
            .first()
        )
        if existing:
            return existing
        recorded = (
            Gift.objects.select_for_update().filter(stripe_payment_id=stripe_payment_id).first()
        )
        if recorded is not None:
            return _purchase_adopt(
                gift=recorded,
                ticket_type=ticket_type,
                quantity=quantity,
                benefit_declined=benefit_declined,
                unit_price=unit_price,
            )
    # Lock the ticket type so two sales of the last tickets cannot both go through.
    ticket_type = (
        TicketType.objects.select_for_update(of=("self",))
        .select_related("event")
        .get(pk=ticket_type.pk)
    )
    _sale_check(ticket_type, quantity=quantity, method=method, online=bool(stripe_payment_id))
    gift = _ticket_gift(
        ticket_type, donor=donor, quantity=quantity, method=method, gift_date=gift_date,
        benefit_declined=benefit_declined, unit_price=unit_price,
        stripe_payment_id=stripe_payment_id, gift_fields=gift_fields,
    )  # fmt: skip
    return _purchase_save(gift=gift_save(gift=gift), ticket_type=ticket_type, quantity=quantity)


def _benefit(ticket_type: TicketType, quantity: int, declined: bool, *, amount: Decimal) -> dict:
    """The gift's benefit fields: the seats' value (never more than was paid), or nothing when
    the buyer declines it."""
    seats = quantity * ticket_type.seats
    description = (
        f"{ticket_type.event.name}: {quantity} × {ticket_type.name} "
        f"({seats} seat{'s' if seats != 1 else ''})"
    )
    return {
        "benefit_value": 0 if declined else min(seats * ticket_type.fair_market_value, amount),
        "benefit_description": f"{description}, declined by the buyer" if declined else description,
        "benefit_declined": declined,
    }


def _purchase_save(*, gift: Gift, ticket_type: TicketType, quantity: int) -> TicketPurchase:
    purchase = TicketPurchase(
        event=ticket_type.event, ticket_type=ticket_type, gift=gift, quantity=quantity
    )
    purchase.full_clean()
    purchase.save()
    if not gift.benefit_declined:
        # A buyer who declines the benefit does not come: paying keeps them no seat.
        _seat_the_buyer(purchase, seats=quantity * ticket_type.seats)
    return purchase


def _purchase_adopt(
    *,
    gift: Gift,
    ticket_type: TicketType,
    quantity: int,
    benefit_declined: bool,
    unit_price: Decimal | None,
) -> TicketPurchase:
    """A charge event that arrived before the Checkout session's (and could not tell the
    payment was for tickets) recorded it as a plain gift: that gift becomes the purchase, with
    the seats' value as its benefit. Never a second gift for one payment."""
    price = ticket_type.price if unit_price is None else unit_price
    if hasattr(gift, "event_gift") or gift.amount != quantity * price:
        raise ValidationError(f"Stripe payment {gift.stripe_payment_id} is already recorded as "
                              f"another gift (#{gift.pk}).")  # fmt: skip
    ticket_type = TicketType.objects.select_related("event").get(pk=ticket_type.pk)
    for field, value in _benefit(
        ticket_type, quantity, benefit_declined, amount=gift.amount
    ).items():
        setattr(gift, field, value)
    if gift.campaign_id is None:
        gift.campaign = ticket_type.event.campaign
    gift_save(gift=gift)
    return _purchase_save(gift=gift, ticket_type=ticket_type, quantity=quantity)


def _seat_the_buyer(purchase: TicketPurchase, *, seats: int) -> None:
    """A paid seat is a confirmed seat: the buyer's RSVP becomes a 'yes' for at least the
    seats bought, off the waitlist (paying is not waiting)."""
    rsvp = (
        RSVP.objects.select_for_update()
        .filter(event=purchase.event, donor=purchase.gift.donor)
        .first()
    )
    if rsvp is None:
        rsvp = RSVP(event=purchase.event, donor=purchase.gift.donor, party_size=seats)
    elif rsvp.confirmed:
        rsvp.party_size = max(rsvp.party_size, seats)
    else:
        rsvp.party_size = seats
    rsvp.answer = Answer.YES
    rsvp.waitlist_position = None
    rsvp.answer_version += 1
    rsvp.save()
    tasks.enqueue("events.tasks.rsvp_confirmation", rsvp.pk)


# --- The Stripe Checkout hand-off ----------------------------------------------------------
# The public event page holds the tickets and creates a Checkout Session whose metadata is
# ticket_checkout_metadata(...); the webhook, on checkout.session.completed, passes the session
# (as the plain dict Stripe sends) to ticket_purchase_from_checkout, through the Checkout kind
# events.apps registers with donors.stripe.kinds.

CHECKOUT_KIND = "event_tickets"
# Stripe refuses a session that expires sooner than 30 minutes after it is made; the hold lasts
# a little longer than the session, so a payment made at the last minute still has its seats.
CHECKOUT_MINUTES = 31
HOLD_GRACE_MINUTES = 15


@service
def ticket_checkout_metadata(
    *,
    ticket_type: TicketType,
    quantity: int,
    benefit_declined: bool,
    hold: TicketHold | None = None,
    first_name: str = "",
    last_name: str = "",
) -> dict[str, str]:
    values = {
        "kind": CHECKOUT_KIND,
        "event": ticket_type.event.slug,
        "ticket_type": str(ticket_type.pk),
        "quantity": str(quantity),
        "unit_amount": str(int(ticket_type.price * 100)),
        "benefit_declined": "true" if benefit_declined else "false",
        "hold": str(hold.pk) if hold else "",
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
    }
    return {k: v[:500] for k, v in values.items() if v}


@service
def ticket_sale_refusal(
    ticket_type: TicketType,
    quantity: int,
    *,
    seats: bool = True,
    now: datetime.datetime | None = None,
) -> str | None:
    """Why these tickets cannot be bought online now, in words for the buyer; None if they can.
    Call with the ticket type locked (``select_for_update``) to act on the answer."""
    now = now or timezone.now()
    event = ticket_type.event
    if event.status == EventStatus.CANCELLED:
        return "This event was cancelled: tickets are not on sale."
    if event.status != EventStatus.OPEN or now >= event.ends_at:
        return "Tickets for this event are not on sale."
    if ticket_type.sales_start and now < ticket_type.sales_start:
        start = timezone.localtime(ticket_type.sales_start, event.tz)
        return f"{ticket_type.name} tickets go on sale on {start:%B %-d, %Y at %-I:%M %p}."
    if ticket_type.sales_end and now > ticket_type.sales_end:
        return f"{ticket_type.name} tickets are no longer on sale."
    if quantity < 1:
        return "Buy at least one ticket."
    if ticket_type.price <= 0:
        return f"{ticket_type.name} is free: answer the RSVP form instead."
    left = tickets_left(ticket_type, now=now)
    if left is not None and quantity > left:
        if left == 0:
            return f"{ticket_type.name} tickets are sold out."
        return f"Only {left} {ticket_type.name} ticket{'s' if left != 1 else ''} left."
    if not seats:
        return None  # the buyer declines the benefit: no seat is taken
    held_seats = (
        TicketHold.objects.filter(ticket_type__event=event, expires_at__gt=now).aggregate(
            n=Sum("seats")
        )["n"]
        or 0
    )
    seats_left = event.capacity - seats_taken(event) - held_seats
    if quantity * ticket_type.seats > seats_left:
        if seats_left <= 0:
            return "This event is full: no seats are left, so tickets are no longer on sale."
        return f"Only {seats_left} seat{'s' if seats_left != 1 else ''} left at this event."
    return None


# Seats (and tickets) that one buyer, by email, or one connection, by address, may keep
# waiting for payment at one event at once: a table of ten twice over. Without it one address
# held 170 of a dinner's 180 seats for the 46 minutes a hold lasts, inside the rate limit.
HOLD_LIMIT = 20


def _hold_limit_refusal(
    pending, *, email: str, client_address: str, quantity: int, seats: int
) -> str | None:
    holders = [Q(email=email)] + ([Q(client_address=client_address)] if client_address else [])
    for holder in holders:
        held = pending.filter(holder).aggregate(seats=Sum("seats"), tickets=Sum("quantity"))
        held_seats, held_tickets = held["seats"] or 0, held["tickets"] or 0
        if held_seats + seats > HOLD_LIMIT or held_tickets + quantity > HOLD_LIMIT:
            # The same words whoever holds them: they never say what someone else bought.
            return (
                f"At most {HOLD_LIMIT} tickets or seats can wait for payment at once from one "
                f"buyer or connection. Finish paying for those first, or try again in about "
                f"{CHECKOUT_MINUTES + HOLD_GRACE_MINUTES} minutes; for a larger group, please "
                "contact us."
            )
    return None


@service
@transaction.atomic
def ticket_hold_create(
    *,
    ticket_type: TicketType,
    quantity: int,
    email: str,
    benefit_declined: bool = False,
    client_address: str = "",
    now: datetime.datetime | None = None,
) -> TicketHold:
    """Keep ``quantity`` tickets for a buyer about to pay, or refuse (ValidationError) when
    they cannot be sold, or when this buyer (``email``) or connection (``client_address``)
    already has HOLD_LIMIT waiting at the event. The event's and the ticket type's row locks
    make two buyers of the last tickets or seats wait for each other: the second sees the
    first one's hold."""
    now = now or timezone.now()
    event = Event.objects.select_for_update().get(pk=ticket_type.event_id)
    locked = (
        TicketType.objects.select_for_update(of=("self",))
        .select_related("event")
        .get(pk=ticket_type.pk)
    )
    # Holds that ran out are only clutter by now (they no longer count): clear them here.
    TicketHold.objects.filter(ticket_type__event=event, expires_at__lte=now).delete()
    refusal = ticket_sale_refusal(locked, quantity, seats=not benefit_declined, now=now)
    seats = 0 if benefit_declined else quantity * locked.seats
    email = email.strip().lower()
    refusal = refusal or _hold_limit_refusal(
        TicketHold.objects.filter(ticket_type__event=event, expires_at__gt=now),
        email=email,
        client_address=client_address,
        quantity=quantity,
        seats=seats,
    )
    if refusal:
        raise ValidationError(refusal)
    hold = TicketHold(
        ticket_type=locked,
        quantity=quantity,
        seats=seats,
        email=email,
        client_address=client_address,
        expires_at=now + datetime.timedelta(minutes=CHECKOUT_MINUTES + HOLD_GRACE_MINUTES),
    )
    hold.full_clean()
    hold.save()
    return hold


@service
def ticket_hold_release(*, hold_id: int | None = None, session_id: str | None = None) -> int:
    """Give held tickets back (the buyer's Checkout session expired or could not start)."""
    holds = TicketHold.objects.none()
    if hold_id:
        holds = TicketHold.objects.filter(pk=hold_id)
    elif session_id:
        holds = TicketHold.objects.filter(checkout_session_id=session_id)
    deleted, _ = holds.delete()
    return deleted


@service
def ticket_checkout_session_params(
    *,
    ticket_type: TicketType,
    quantity: int,
    benefit_declined: bool,
    hold: TicketHold,
    first_name: str,
    last_name: str,
    email: str,
    success_url: str,
    cancel_url: str,
    now: datetime.datetime | None = None,
) -> dict:
    """The Checkout Session's parameters (pure: tested without Stripe)."""
    now = now or timezone.now()
    event = ticket_type.event
    metadata = ticket_checkout_metadata(
        ticket_type=ticket_type,
        quantity=quantity,
        benefit_declined=benefit_declined,
        hold=hold,
        first_name=first_name,
        last_name=last_name,
    )
    seats = ticket_type.seats
    if benefit_declined:
        note = "The buyer declines the seats' benefit: the whole payment is a gift."
    else:
        figures = ticket_type.figures
        note = (
            f"Deductible: ${figures.deductible_amount:,.2f} per ticket "
            f"(price minus the ${figures.benefit_value:,.2f} value received)."
        )
    return {
        "mode": "payment",
        "line_items": [
            {
                "quantity": quantity,
                "price_data": {
                    "currency": "usd",
                    "unit_amount": int(ticket_type.price * 100),
                    "product_data": {
                        "name": f"{event.name}: {ticket_type.name}"
                        + (f" ({seats} seats)" if seats > 1 else ""),
                        "description": note,
                    },
                },
            }
        ],
        "customer_email": email.strip().lower(),
        "customer_creation": "always",
        "billing_address_collection": "required",
        "submit_type": "pay",
        "success_url": success_url + "?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": cancel_url,
        "expires_at": int((now + datetime.timedelta(minutes=CHECKOUT_MINUTES)).timestamp()),
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata},
    }


@service
def ticket_checkout_start(
    *,
    ticket_type: TicketType,
    quantity: int,
    benefit_declined: bool,
    first_name: str,
    last_name: str,
    email: str,
    success_url: str,
    cancel_url: str,
    client_address: str = "",
) -> str:
    """Hold the tickets and create the buyer's Checkout Session; returns the URL to send the
    buyer to. Raises ValidationError (cannot be sold) or StripeUnavailable (nothing held).
    ``client_address``: the buyer's connection, which HOLD_LIMIT counts as well as the email."""
    now = timezone.now()
    hold = ticket_hold_create(
        ticket_type=ticket_type,
        quantity=quantity,
        email=email,
        benefit_declined=benefit_declined,
        client_address=client_address,
        now=now,
    )
    try:
        session = client.checkout_session_create(
            ticket_checkout_session_params(
                ticket_type=hold.ticket_type,
                quantity=quantity,
                benefit_declined=benefit_declined,
                hold=hold,
                first_name=first_name,
                last_name=last_name,
                email=email,
                success_url=success_url,
                cancel_url=cancel_url,
                now=now,
            )
        )
        if not session.get("url") or not session.get("id"):
            raise client.StripeUnavailable("Stripe returned a Checkout Session without a URL")
    except BaseException:
        ticket_hold_release(hold_id=hold.pk)
        raise
    TicketHold.objects.filter(pk=hold.pk).update(checkout_session_id=session["id"])
    return session["url"]


@service
def ticket_checkout_expired(session: dict) -> None:
    """Stripe's ``checkout.session.expired``: nobody paid, the held tickets go back on sale."""
    metadata = session.get("metadata") or {}
    hold_id = metadata.get("hold")
    ticket_hold_release(
        hold_id=int(hold_id) if hold_id and hold_id.isdigit() else None,
        session_id=session.get("id"),
    )


def _id(value) -> str:
    return value["id"] if isinstance(value, dict) else value


@service
def ticket_purchase_from_checkout(*, session: dict) -> TicketPurchase:
    """Record a completed Checkout Session for tickets, once (retries return the same
    purchase), and release its hold. The buyer is matched to a donor by the email they gave
    (a new donor takes the name they typed on the event page)."""
    metadata = session.get("metadata") or {}
    if metadata.get("kind") != CHECKOUT_KIND:
        raise ValidationError("This Checkout Session is not for event tickets.")
    try:
        ticket_type = TicketType.objects.select_related("event").get(
            pk=int(metadata["ticket_type"])
        )
        quantity = int(metadata["quantity"])
        # The price when the buyer started paying: an organizer may change it meanwhile.
        unit = (
            Decimal(int(metadata["unit_amount"])) / 100
            if metadata.get("unit_amount")
            else ticket_type.price
        )
    except (KeyError, ValueError, TicketType.DoesNotExist):
        raise ValidationError("The Checkout Session's ticket metadata is incomplete.") from None
    paid = Decimal(session["amount_total"]) / 100
    if paid != quantity * unit:
        raise ValidationError(
            f"Stripe took ${paid:,.2f} but {quantity} × {ticket_type.name} costs "
            f"${quantity * unit:,.2f}."
        )
    details = session.get("customer_details") or {}
    first, last = metadata.get("first_name", ""), metadata.get("last_name", "")
    if not (first or last):
        first, _, last = (details.get("name") or "").strip().partition(" ")
    email = details.get("email") or session.get("customer_email")
    # The session's start dates the gift for now; the charge's own time (and the date in the
    # buyer's time zone) is filled in by the webhook from the charge, as for any card gift.
    started = datetime.datetime.fromtimestamp(int(session["created"]), tz=datetime.UTC)
    with transaction.atomic():
        donor = donor_for_email(email=email, first_name=first, last_name=last or first)
        # The billing address Checkout collected: where the receipt goes, and the time zone
        # that dates the buyer's card payments.
        billing_details_fill(donor=donor, address=details.get("address"))
        purchase = ticket_purchase_record(
            ticket_type=ticket_type,
            donor=donor,
            quantity=quantity,
            method=GiftMethod.CARD,
            gift_date=timezone.localdate(started),
            benefit_declined=metadata.get("benefit_declined") == "true",
            stripe_payment_id=_id(session["payment_intent"]),
            unit_price=unit,
            processor="stripe",
        )
        hold_id = metadata.get("hold")
        ticket_hold_release(
            hold_id=int(hold_id) if hold_id and hold_id.isdigit() else None,
            session_id=session.get("id"),
        )
    return purchase
