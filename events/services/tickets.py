"""Tickets: each purchase is one gift whose benefit is the value of the seats it buys.

``ticket_purchase_record`` is the one way tickets are recorded: organizers call it for checks
and cash at the door, and the Stripe webhook will call it with the Checkout session's metadata
(``ticket_type`` id, ``quantity``, ``benefit_declined``) and the payment's ids; a payment id
already recorded returns the purchase made the first time, so retried webhooks change nothing.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from donors.models import Donor, Gift, GiftMethod
from donors.services import gift_record
from events.models import RSVP, Answer, TicketPurchase, TicketType
from events import tasks


def tickets_sold(ticket_type: TicketType) -> int:
    return ticket_type.purchases.aggregate(n=Sum("quantity"))["n"] or 0


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
    **gift_fields,
) -> TicketPurchase:
    if method == GiftMethod.DAF_GRANT:
        raise ValidationError(
            {"method": "DAF money cannot pay for tickets: the donor must pay personally."}
        )
    if stripe_payment_id:
        existing = (
            TicketPurchase.objects.filter(gift__stripe_payment_id=stripe_payment_id)
            .select_related("gift", "ticket_type")
            .first()
        )
        if existing:
            return existing
        if Gift.objects.filter(stripe_payment_id=stripe_payment_id).exists():
            raise ValidationError("That payment is already recorded as another gift.")
    if quantity < 1:
        raise ValidationError({"quantity": "Buy at least one ticket."})
    # Lock the ticket type so two sales of the last tickets cannot both go through.
    ticket_type = TicketType.objects.select_for_update(of=("self",)).select_related("event").get(
        pk=ticket_type.pk
    )
    event = ticket_type.event
    if ticket_type.quantity is not None and not stripe_payment_id:
        left = ticket_type.quantity - tickets_sold(ticket_type)
        if quantity > left:
            raise ValidationError(
                {"quantity": f"Only {max(left, 0)} {ticket_type.name} ticket(s) are left."}
            )
    seats = quantity * ticket_type.seats
    amount = quantity * ticket_type.price
    value = seats * ticket_type.fair_market_value
    description = (
        f"{event.name}: {quantity} × {ticket_type.name} ({seats} seat{'s' if seats != 1 else ''})"
    )
    gift = gift_record(
        donor=donor,
        amount=amount,
        method=method,
        gift_date=gift_date,
        campaign=gift_fields.pop("campaign", event.campaign),
        benefit_value=0 if benefit_declined else value,
        benefit_description=(
            f"{description}, declined by the buyer" if benefit_declined else description
        ),
        benefit_declined=benefit_declined,
        stripe_payment_id=stripe_payment_id,
        **gift_fields,
    )
    purchase = TicketPurchase(event=event, ticket_type=ticket_type, gift=gift, quantity=quantity)
    purchase.full_clean()
    purchase.save()
    _seat_the_buyer(purchase, seats=seats)
    return purchase


def _seat_the_buyer(purchase: TicketPurchase, *, seats: int) -> None:
    """A paid seat is a confirmed seat: the buyer's RSVP becomes a 'yes' for at least the
    seats bought, off the waitlist (paying is not waiting)."""
    rsvp = RSVP.objects.select_for_update().filter(
        event=purchase.event, donor=purchase.gift.donor
    ).first()
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
# The checkout page (to come with the Stripe work) creates a Checkout Session whose metadata is
# ticket_checkout_metadata(...); the webhook, on checkout.session.completed, passes the session
# (as the plain dict Stripe sends) to ticket_purchase_from_checkout.

CHECKOUT_KIND = "event_tickets"


def ticket_checkout_metadata(
    *, ticket_type: TicketType, quantity: int, benefit_declined: bool
) -> dict[str, str]:
    return {
        "kind": CHECKOUT_KIND,
        "ticket_type": str(ticket_type.pk),
        "quantity": str(quantity),
        "benefit_declined": "true" if benefit_declined else "false",
    }


def ticket_purchase_from_checkout(*, session: dict) -> TicketPurchase:
    """Record a completed Checkout Session for tickets, once (retries return the same
    purchase). The buyer is matched to a donor by the email they gave Stripe."""
    from decimal import Decimal

    from django.utils import timezone

    from events.services.rsvps import donor_for_email

    metadata = session.get("metadata") or {}
    if metadata.get("kind") != CHECKOUT_KIND:
        raise ValidationError("This Checkout Session is not for event tickets.")
    try:
        ticket_type = TicketType.objects.get(pk=int(metadata["ticket_type"]))
        quantity = int(metadata["quantity"])
    except (KeyError, ValueError, TicketType.DoesNotExist):
        raise ValidationError("The Checkout Session's ticket metadata is incomplete.") from None
    paid = Decimal(session["amount_total"]) / 100
    if paid != quantity * ticket_type.price:
        raise ValidationError(
            f"Stripe took ${paid:,.2f} but {quantity} × {ticket_type.name} costs "
            f"${quantity * ticket_type.price:,.2f}."
        )
    details = session.get("customer_details") or {}
    first, _, last = (details.get("name") or "").strip().partition(" ")
    donor = donor_for_email(email=details["email"], first_name=first, last_name=last or first)
    charged_at = datetime.datetime.fromtimestamp(int(session["created"]), tz=datetime.UTC)
    return ticket_purchase_record(
        ticket_type=ticket_type,
        donor=donor,
        quantity=quantity,
        method=GiftMethod.CARD,
        gift_date=timezone.localdate(charged_at),
        charged_at=charged_at,
        benefit_declined=metadata.get("benefit_declined") == "true",
        stripe_payment_id=session["payment_intent"],
        processor="stripe",
    )
