"""django-q2 tasks: thin, idempotent, taking primary keys and calling services."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from common.audit import audit_origin
from common.door import entry
from compliance import services
from compliance.services.batches import statements_batch_chunk_run
from compliance.services.calendar import deadline_reminders_send, form_8282_plan
from compliance.services.letters import thank_you_letter_send
from compliance.services.thanks import gift_thank


@entry("task receipt_send_task")
def receipt_send_task(receipt_id: int) -> str:
    return services.receipt_send(receipt_id=receipt_id)


@entry("task receipt_void_notice_task")
def receipt_void_notice_task(receipt_id: int) -> str:
    return services.receipt_void_notice_send(receipt_id=receipt_id)


@entry("task receipts_follow_gift_task")
def receipts_follow_gift_task(gift_id: int) -> str:
    """Queued by donors when a gift's money changes (donors.hooks): its receipt follows."""
    result = services.receipts_follow_gift(gift_id=gift_id)
    return f"gift {gift_id}: {len(result.voided)} voided, {len(result.corrected)} corrected"


@entry("task receipts_sync_task")
def receipts_sync_task() -> str:
    result = services.receipts_sync_with_gifts()
    return f"{len(result.voided)} voided, {len(result.corrected)} corrected"


@entry("task statement_send_task")
def statement_send_task(statement_id: int) -> str:
    return services.statement_send(statement_id=statement_id)


@entry("task issue_batch_task")
def issue_batch_task(batch_id: int) -> str:
    batch = services.issue_batch_run(batch_id=batch_id)
    return f"{batch.issued} {batch.kind} issued for {batch.year}"


@entry("task statements_batch_chunk_task")
def statements_batch_chunk_task(batch_id: int, donor_ids: list[int], now: str) -> str:
    issued = statements_batch_chunk_run(batch_id=batch_id, donor_ids=donor_ids, now=now)
    return f"{issued} statement(s) issued for batch {batch_id}"


@entry("task deadline_reminders_task")
def deadline_reminders_task() -> str:
    return f"{deadline_reminders_send()} reminder(s) sent"


@entry("task thank_you_send_task")
def thank_you_send_task(letter_id: int) -> str:
    return thank_you_letter_send(letter_id=letter_id)


@entry("task form_8282_plan_task")
def form_8282_plan_task(gift_id: int) -> str:
    """Queued by donors when a property gift's record changes (donors.hooks)."""
    deadline = form_8282_plan(gift_id=gift_id)
    return f"gift {gift_id}: Form 8282 {f'due {deadline.due_date}' if deadline else 'not needed'}"


@entry("task gift_thank_task")
def gift_thank_task(gift_id: int, user_id: int | None = None) -> str:
    """Queued by donors for each new online gift (donors.hooks), and by staff from the thank-you
    queue: the donor is thanked by email once. A gift that cannot be thanked by email is left
    in the queue with the reason (no retry would change it); an SMTP failure raises and the
    queue tries again."""
    by = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        # The staff member who asked is the actor of the audit entries, not "system".
        with audit_origin("task gift_thank_task", actor=by):
            return gift_thank(gift_id=gift_id, by=by)
    except ValidationError as refused:
        return f"Gift {gift_id} not thanked: {' '.join(refused.messages)}"
