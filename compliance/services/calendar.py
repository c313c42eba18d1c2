"""The compliance calendar: filings planned from the rule, reminders to Administrators."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from common.door import service
from compliance import emails, rules
from compliance.models import ComplianceDeadline
from compliance.services.receipts import years_in_use_missing_limits, years_missing_limits
from donors.deductible import missing_limits_warning
from donors.models import Organization

PLANNED = [ComplianceDeadline.Kind.FORM_990, ComplianceDeadline.Kind.NY_CHAR500,
           ComplianceDeadline.Kind.CA_RRF1]  # fmt: skip


@service
def deadlines_plan(*, fiscal_year: int) -> list[ComplianceDeadline]:
    """Create the year's filings from the rule; dates staff already changed are kept."""
    org = Organization.current()
    if org is None:
        return []
    _, end = org.fiscal_year_bounds(fiscal_year)
    due = rules.filing_due_date(end)
    return [
        ComplianceDeadline.objects.get_or_create(
            kind=kind, fiscal_year=fiscal_year, defaults={"due_date": due}
        )[0]
        for kind in PLANNED
    ]


@service
def deadline_reminders_send(*, today: datetime.date | None = None) -> int:
    """Email Administrators 30 and 7 days before each open filing; each reminder once."""
    today = today or timezone.localdate()
    org = Organization.current()
    if org is not None:
        current = org.fiscal_year_of(today)
        for year in (current - 1, current):
            deadlines_plan(fiscal_year=year)
    recipients = sorted(
        set(
            get_user_model()
            .objects.filter(groups__name="Administrator", is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    sent = 0
    for deadline in ComplianceDeadline.objects.filter(done_on__isnull=True, due_date__gte=today):
        with transaction.atomic():
            deadline = ComplianceDeadline.objects.select_for_update().get(pk=deadline.pk)
            done = {days for days in rules.REMINDER_DAYS
                    if getattr(deadline, f"reminded_{days}_at")}  # fmt: skip
            due_now = rules.reminders_due(due=deadline.due_date, today=today, sent=done)
            if due_now:
                if recipients:
                    left = (deadline.due_date - today).days
                    emails.send_many(
                        to=recipients,
                        subject=f"Due in {left} days: {deadline.get_kind_display()} "
                        f"(FY{deadline.fiscal_year})",
                        body=f"{deadline.get_kind_display()} for fiscal year "
                        f"{deadline.fiscal_year} is due on {deadline.due_date:%B %-d, %Y}.\n\n"
                        f"{deadline.notes}\n\nMark it filed in the back office when it is done.",
                    )
                    sent += 1
                # Marked even with nobody to tell: a later Administrator gets the next one.
                for days in due_now:
                    setattr(deadline, f"reminded_{days}_at", timezone.now())
                deadline.save(update_fields=[f"reminded_{days}_at" for days in due_now])
    return sent


def benefit_limit_warnings(*, today: datetime.date | None = None) -> list[str]:
    """The calendar's warnings about insubstantial-benefit limits: each year in use with none
    recorded and, from November, next year's (the IRS publishes them each autumn)."""
    today = today or timezone.localdate()
    warnings = [missing_limits_warning(y) for y in years_in_use_missing_limits(today=today)]
    coming = today.year + 1
    if today.month >= 11 and years_missing_limits([coming]):
        warnings.append(
            f"Add the {coming} insubstantial-benefit limits before January 1: the IRS publishes "
            f"them each autumn (the Revenue Procedure on {coming} inflation adjustments; "
            "Publication 1771)."
        )
    return warnings
