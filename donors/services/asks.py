"""The board's asks and the follow-up tasks on donors: each change here is audited (the models
are registered in donors/audit.py) and validated before it is saved."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from common.door import service
from donors.db import where_in
from donors.models import Ask, AskStage, BoardMember, Donor, Gift, Task
from donors.models.asks import next_stage
from donors.models.gift import COUNTED_STATUSES
from donors.money import money

# Donors per query when many gifts close asks at once (an import).
_CHUNK = 5000


@service
@transaction.atomic
def ask_save(*, ask: Ask) -> Ask:
    """Validate and save a new or edited ask."""
    if ask.amount is not None and ask.amount != "":
        try:
            ask.amount = money(ask.amount)
        except (TypeError, ValueError, ArithmeticError):
            raise ValidationError({"amount": "Enter the ask amount in dollars."}) from None
    ask.closed_in_step()
    ask.full_clean()
    ask.save()
    return ask


@service
def ask_create(
    *,
    donor: Donor,
    member: BoardMember,
    amount: Decimal | str | int,
    next_step: str = "",
    due_date: datetime.date | None = None,
    stage: str = AskStage.IDENTIFY,
) -> Ask:
    """Assign a prospect to a board member, to be asked for ``amount``."""
    return ask_save(
        ask=Ask(
            donor=donor,
            member=member,
            amount=amount,
            stage=stage,
            next_step=next_step,
            due_date=due_date,
        )
    )


@service
@transaction.atomic
def ask_move(
    *,
    ask: Ask,
    stage: str,
    next_step: str | None = None,
    due_date: datetime.date | None = None,
) -> Ask:
    """Move an ask to ``stage`` (steward or declined close it), with its next step if given."""
    if stage not in AskStage.values:
        raise ValidationError(f"{stage!r} is not a stage of an ask.")
    ask.stage = stage
    if next_step is not None:
        ask.next_step = next_step
    if due_date is not None:
        ask.due_date = due_date
    return ask_save(ask=ask)


@service
def ask_advance(*, ask: Ask, expected_stage: str | None = None) -> Ask:
    """Move an open ask one stage on (identify → cultivate → ask → steward).

    ``expected_stage``: the stage the person saw when they pressed the button; if the ask has
    moved since (another tab, a gift just recorded), nothing moves and they are told so."""
    if expected_stage is not None and ask.stage != expected_stage:
        raise ValidationError(
            f"This ask is already at {ask.get_stage_display()}: nothing was changed."
        )
    stage = next_stage(ask.stage)
    if stage is None:
        raise ValidationError("This ask is closed: it has no next stage.")
    return ask_move(ask=ask, stage=stage)


def _closes_asks(gift: Gift) -> bool:
    """A gift the organization keeps, and a gift, not a purchase: a ticket or a table (a
    payment with a benefit the donor took) is not the gift a prospect was asked for."""
    if gift.pk is None or gift.status not in COUNTED_STATUSES:
        return False
    return not Decimal(gift.benefit_value or 0) or bool(gift.benefit_declined)


@service
# No savepoint: inside a gift's save it adds no statement to the one query.
@transaction.atomic(savepoint=False)
def asks_close_by_gifts(*, gifts: Iterable[Gift]) -> list[Ask]:
    """The open asks of the donors who gave closed by their gifts (stage steward): each by the
    donor's first gift dated on or after the day the ask was opened.

    Every gift recorded calls this (donors.services.gifts.gift_save; imports once for all their
    new gifts): it costs one query, and nothing more when the donors have no open ask."""
    gifts = list(gifts)
    if len(gifts) > 1 and not Ask.objects.filter(closed_at__isnull=True).exists():
        # An import's thousands of gifts while no ask is open anywhere (most days): one small
        # query instead of sorting every gift by donor and looking their asks up.
        return []
    by_donor: dict[int, list[Gift]] = {}
    for gift in gifts:
        if _closes_asks(gift):
            by_donor.setdefault(gift.donor_id, []).append(gift)
    if not by_donor:
        return []
    donor_ids = list(by_donor)
    if len(donor_ids) == 1:
        found = list(
            Ask.objects.select_for_update().filter(donor_id=donor_ids[0], closed_at__isnull=True)
        )
    else:
        found = []
        for start in range(0, len(donor_ids), _CHUNK):
            part = donor_ids[start : start + _CHUNK]
            query = Ask.objects.select_for_update().filter(closed_at__isnull=True)
            found.extend(where_in(query, "donor_id", part))
    closed = []
    for ask in found:
        candidates = [g for g in by_donor[ask.donor_id] if g.gift_date >= ask.opened_on]
        if not candidates:
            continue  # an older gift (an import of past years) leaves a new ask open
        gift = min(candidates, key=lambda g: (g.gift_date, g.pk))
        ask.stage = AskStage.STEWARD
        ask.closed_at = timezone.now()
        ask.closing_gift_id = gift.pk  # an import passes its drafts, not Gift records
        ask.save(update_fields=["stage", "closed_at", "closing_gift"])
        closed.append(ask)
    return closed


@service
@transaction.atomic
def asks_delete(*, asks: Iterable[Ask]) -> int:
    """Delete asks one by one, so each deletion leaves its audit record."""
    count = 0
    for ask in asks:
        ask.delete()
        count += 1
    return count


@service
@transaction.atomic
def task_save(*, task: Task) -> Task:
    """Validate and save a new or edited task."""
    task.full_clean()
    task.save()
    return task


@service
def task_create(*, donor: Donor, owner, kind: str, due_date: datetime.date, what: str = "") -> Task:
    return task_save(task=Task(donor=donor, owner=owner, kind=kind, due_date=due_date, what=what))


@service
@transaction.atomic
def task_complete(*, task: Task) -> Task:
    """Mark a task done (once: doing it again changes nothing)."""
    if task.done_at is None:
        task.done_at = timezone.now()
        task.save(update_fields=["done_at"])
    return task


@service
@transaction.atomic
def task_reopen(*, task: Task) -> Task:
    if task.done_at is not None:
        task.done_at = None
        task.save(update_fields=["done_at"])
    return task


@service
@transaction.atomic
def tasks_delete(*, tasks: Iterable[Task]) -> int:
    count = 0
    for task in tasks:
        task.delete()
        count += 1
    return count
