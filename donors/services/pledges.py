from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from common.door import service
from donors.models import Donor, Pledge, PledgeInstallment, RecurringPlan
from donors.money import money


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
        total = sum((money(a) for _, a in installments), Decimal("0"))
        if total != pledge.amount:
            raise ValidationError(
                f"The installments add up to ${total:,.2f}, not the pledge's ${pledge.amount:,.2f}."
            )
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
