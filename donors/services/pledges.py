from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from common.door import service
from donors.models import Donor, Pledge, PledgeInstallment, RecurringPlan
from donors.money import money
from donors.money_rules import installments_problem


@service
@transaction.atomic
def pledge_create(
    *,
    donor: Donor,
    amount: Decimal | str,
    pledge_date: datetime.date,
    installments: list[tuple[datetime.date, Decimal | str]] | None = None,
    **fields,
) -> Pledge:
    """A pledge and its schedule; the installments must add up to the pledge."""
    pledge = Pledge(donor=donor, amount=money(amount), pledge_date=pledge_date, **fields)
    pledge.full_clean()
    pledge.save()
    if installments:
        problem = installments_problem(pledge.amount, (a for _, a in installments))
        if problem:
            raise ValidationError(problem)
        for due, amount_due in installments:
            item = PledgeInstallment(pledge=pledge, due_date=due, amount=money(amount_due))
            item.full_clean()
            item.save()
    return pledge


@service
@transaction.atomic
def recurring_plan_create(
    *, donor: Donor, amount: Decimal | str, started_on: datetime.date, **fields
) -> RecurringPlan:
    plan = RecurringPlan(donor=donor, amount=money(amount), started_on=started_on, **fields)
    plan.full_clean()
    plan.save()
    return plan


@service
@transaction.atomic
def pledge_save(*, pledge: Pledge) -> Pledge:
    """Validate and save a new or edited pledge. Its schedule is saved, and checked against
    the amount, by pledge_installments_save (the admin calls it after this, changed or not)."""
    if pledge.amount is not None:
        pledge.amount = money(pledge.amount)
    pledge.full_clean()
    pledge.save()
    return pledge


@service
@transaction.atomic
def pledge_installments_save(
    *,
    pledge: Pledge,
    installments: Iterable[PledgeInstallment],
    deleted: Iterable[PledgeInstallment] = (),
) -> None:
    """A pledge's schedule as edited on its page: removed, changed and new installments,
    which must add up to the pledge (or be none at all)."""
    for item in deleted:
        item.delete()
    for item in installments:
        item.pledge = pledge
        item.amount = money(item.amount)
        item.full_clean()
        item.save()
    amounts = list(pledge.installments.values_list("amount", flat=True))
    total = money(sum(amounts, Decimal("0")))
    if amounts and total != money(pledge.amount):
        raise ValidationError(
            f"The installments add up to ${total:,.2f}, not the pledge's ${pledge.amount:,.2f}."
        )


@service
@transaction.atomic
def pledges_delete(*, pledges: Iterable[Pledge]) -> int:
    """Delete pledges (their schedules with them) one by one, for the audit trail; a pledge
    with payments is refused (its gifts protect it)."""
    count = 0
    for pledge in pledges:
        pledge.delete()
        count += 1
    return count


@service
@transaction.atomic
def recurring_plan_save(*, plan: RecurringPlan) -> RecurringPlan:
    if plan.amount is not None:
        plan.amount = money(plan.amount)
    plan.full_clean()
    plan.save()
    return plan


@service
@transaction.atomic
def recurring_plans_delete(*, plans: Iterable[RecurringPlan]) -> int:
    count = 0
    for plan in plans:
        plan.delete()
        count += 1
    return count
