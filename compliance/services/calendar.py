"""The compliance calendar: filings planned from the rule, reminders to Administrators, and
the Form 8282 of each property gift sold or disposed of within three years."""

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
from donors.models import Gift, Organization
from donors.models.gift import NON_CASH_METHODS
from donors.models.property import property_received_on

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


@service
@transaction.atomic
def form_8282_plan(*, gift_id: int) -> ComplianceDeadline | None:
    """Plan the Form 8282 of a property gift (donors' PropertyRecord) from its disposal: on the
    calendar, due 125 days after it, when charitable deduction property was sold or disposed
    of within three years of receipt; moved when the disposal is corrected; taken off when it
    no longer applies. A filing already marked done is left as it is. Idempotent."""
    gift = Gift.objects.select_related("donor", "property_record").filter(pk=gift_id).first()
    if gift is None:
        return None  # deleted: its Form 8282, if any, went with it
    deadline = (
        ComplianceDeadline.objects.select_for_update()
        .filter(kind=ComplianceDeadline.Kind.FORM_8282, gift=gift)
        .first()
    )
    if deadline is not None and deadline.done_on is not None:
        return deadline
    due = _form_8282_due(gift)
    if due is None:
        if deadline is not None:
            deadline.delete()
        return None
    record = gift.property_record
    org = Organization.current()
    planned = {
        "due_date": due,
        "fiscal_year": org.fiscal_year_of(record.disposed_on) if org else record.disposed_on.year,
        "notes": _form_8282_notes(gift),
    }
    if deadline is None:
        deadline = ComplianceDeadline(kind=ComplianceDeadline.Kind.FORM_8282, gift=gift)
    changed = [field for field, value in planned.items() if getattr(deadline, field) != value]
    if deadline.pk is None or changed:
        for field, value in planned.items():
            setattr(deadline, field, value)
        deadline.full_clean()
        deadline.save(update_fields=changed if deadline.pk else None)
    return deadline


def _form_8282_due(gift: Gift) -> datetime.date | None:
    record = getattr(gift, "property_record", None)
    if record is None or record.disposed_on is None or gift.method not in NON_CASH_METHODS:
        return None
    claimed = max(gift.amount, record.appraised_value or 0)
    if not rules.form_8282_needed(
        form_8283_signed=record.form_8283_signed_on is not None, claimed_value=claimed
    ):
        return None
    return rules.form_8282_due(received=property_received_on(gift), disposed=record.disposed_on)


def _form_8282_notes(gift: Gift) -> str:
    record = gift.property_record
    what = gift.non_cash_description.strip() or (
        f"{gift.stock_shares.normalize():f} shares of {gift.stock_issuer}"
        if gift.stock_shares
        else gift.get_method_display()
    )
    return (
        f"Form 8282 (Donee Information Return) for the property given by {gift.donor} "
        f"({what}), received {property_received_on(gift):%B %-d, %Y} and sold or disposed of "
        f"on {record.disposed_on:%B %-d, %Y} for ${record.disposal_amount:,.2f}: "
        f"file it with the IRS and send the donor a copy."
    )


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


def deadlines_to_file():
    """The filings not made yet, soonest (or most overdue) first: the staff home's figure and
    the calendar's "to file" filter."""
    return ComplianceDeadline.objects.filter(done_on__isnull=True).order_by("due_date", "pk")
