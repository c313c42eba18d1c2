"""Events leave an audit record of every change (django-auditlog): the event and its organizers,
ticket types, tables, invitations, RSVPs and check-ins, tickets bought and gifts made at it,
guest lists, and the cancellation notices sent.

Each entry of a record that belongs to an event carries the event's id in its
``additional_data`` (the models' ``get_additional_data``), so the event's "Audit log" page
lists one history across all of them (``event_history``), deleted records included."""

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from events import models as m

# Records whose entries name their event (see the models' get_additional_data).
EVENT_PARTS = (m.TicketType, m.Table, m.Invitation, m.RSVP, m.TicketPurchase, m.EventGift,
               m.CancellationNotice)  # fmt: skip


def register() -> None:
    # The calendar sequence follows the changes already recorded (events.calendar).
    auditlog.register(
        m.Event,
        exclude_fields=["created_at", "updated_at", "calendar_sequence"],
        m2m_fields={"organizers"},
    )
    auditlog.register(m.TicketType)
    auditlog.register(m.Table)
    # The token is the guest's key to their answer: never copied into the log. When it was
    # queued only paces the sending (the sending itself is recorded).
    auditlog.register(m.Invitation, exclude_fields=["token", "created_at", "queued_at"])
    # The version counters only pace the confirmation emails; the door code is the guest's
    # key at the door and, like the invitation's token, never copied into the log.
    auditlog.register(
        m.RSVP,
        exclude_fields=["answer_version", "confirmed_version", "checkin_token", "checkin_attempt"],
    )
    auditlog.register(m.TicketPurchase, exclude_fields=["created_at"])
    auditlog.register(m.EventGift, exclude_fields=["created_at"])
    auditlog.register(m.GuestList, m2m_fields={"donors", "events"})
    auditlog.register(m.CancellationNotice)
    # TicketHold is not recorded: a buyer's few minutes at Stripe Checkout, gone once they pay
    # (the purchase and its gift are recorded) or leave.


def event_history(event: m.Event) -> QuerySet[LogEntry]:
    """Every entry about the event or a record of it, newest first."""
    types = ContentType.objects.get_for_models(*EVENT_PARTS).values()
    return (
        LogEntry.objects.filter(
            Q(content_type=ContentType.objects.get_for_model(m.Event), object_id=event.pk)
            | Q(content_type__in=types, additional_data__event_id=event.pk)
        )
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )
