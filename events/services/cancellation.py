"""Cancelling an event: every guest who said yes or maybe, everyone on the waitlist and every
ticket buyer is told once, by email (queued through django-q2). Ticket buyers are told that
the organization will contact them about a refund: nothing is refunded automatically."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q

from common.door import service
from donors.models import Donor
from events.emails import cancellation_message, donor_email
from events.models import RSVP, Answer, CancellationNotice, Event, EventStatus, TicketPurchase


@service
def cancellation_recipients(event: Event) -> dict[int, bool]:
    """Donor id -> whether they bought tickets, for everyone a cancellation must reach."""
    answered = RSVP.objects.filter(event=event).filter(
        Q(answer__in=(Answer.YES, Answer.MAYBE)) | Q(waitlist_position__isnull=False)
    )
    recipients = {donor_id: False for donor_id in answered.values_list("donor_id", flat=True)}
    buyers = TicketPurchase.objects.filter(event=event).values_list("gift__donor_id", flat=True)
    for donor_id in buyers:
        recipients[donor_id] = True
    return recipients


@service
def cancellation_recipient_count(event: Event) -> int:
    """How many people cancelling would email (none told yet are counted)."""
    told = set(CancellationNotice.objects.filter(event=event).values_list("donor_id", flat=True))
    return len(set(cancellation_recipients(event)) - told)


def _notify(event: Event, donor_id: int, *, bought_tickets: bool) -> bool:
    with transaction.atomic():
        if CancellationNotice.objects.filter(event=event, donor_id=donor_id).exists():
            return False
        donor = Donor.objects.prefetch_related("emails").get(pk=donor_id)
        to = donor_email(donor)
        try:
            # The row first: a second run (or a concurrent one, which waits on the unique
            # index) finds it and sends nothing. If sending fails, the row is rolled back
            # with it and a retry sends.
            with transaction.atomic():
                CancellationNotice.objects.create(
                    event=event, donor_id=donor_id, sent_to=to, bought_tickets=bought_tickets
                )
        except IntegrityError:
            return False
        if to:
            cancellation_message(event, donor=donor, to=to, bought_tickets=bought_tickets).send()
        return bool(to)


@service
def event_cancellation_notices_send(*, event_id: int) -> int:
    """Email each guest and ticket buyer of a cancelled event once; returns how many emails
    went. Does nothing unless the event is (still) cancelled."""
    event = Event.objects.filter(pk=event_id, status=EventStatus.CANCELLED).first()
    if event is None:
        return 0
    sent = 0
    for donor_id, bought in sorted(cancellation_recipients(event).items()):
        sent += _notify(event, donor_id, bought_tickets=bought)
    return sent
