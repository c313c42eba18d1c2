"""The compliance calendar: due dates from the rule, editable, reminders 30 and 7 days ahead."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.urls import reverse
from django_q.models import Schedule

from compliance import rules, tasks
from compliance.models import ComplianceDeadline
from compliance.services.calendar import deadline_reminders_send, deadlines_plan

pytestmark = pytest.mark.django_db
day = datetime.date


def test_form_990_is_due_the_15th_day_of_the_5th_month_after_the_year():
    assert rules.filing_due_date(day(2025, 12, 31)) == day(2026, 5, 15)
    assert rules.filing_due_date(day(2026, 6, 30)) == day(2026, 11, 15)
    assert rules.filing_due_date(day(2026, 9, 30)) == day(2027, 2, 15)


def test_reminders_fall_due_30_and_7_days_ahead_once_each():
    due = day(2026, 5, 15)
    assert rules.reminders_due(due=due, today=day(2026, 4, 14), sent=set()) == []
    assert rules.reminders_due(due=due, today=day(2026, 4, 15), sent=set()) == [30]
    assert rules.reminders_due(due=due, today=day(2026, 4, 20), sent={30}) == []
    assert rules.reminders_due(due=due, today=day(2026, 5, 8), sent={30}) == [7]
    assert rules.reminders_due(due=due, today=day(2026, 5, 16), sent=set()) == []


def test_the_three_filings_are_planned_from_the_fiscal_year(organization):
    planned = deadlines_plan(fiscal_year=2025)
    assert sorted((d.kind, d.due_date) for d in planned) == [
        ("ca_rrf1", day(2026, 5, 15)),
        ("form_990", day(2026, 5, 15)),
        ("ny_char500", day(2026, 5, 15)),
    ]


def test_a_july_fiscal_year_moves_the_dates(organization):
    organization.fiscal_year_start_month = 7
    organization.save()
    (form_990,) = [d for d in deadlines_plan(fiscal_year=2026) if d.kind == "form_990"]
    assert form_990.due_date == day(2026, 11, 15)  # FY2026 ends June 30, 2026


def test_administrators_are_reminded_30_and_7_days_ahead_once(
    organization, administrator, staff, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    administrator.email = "alice@example.org"
    administrator.save()
    staff.email = "bob@example.org"
    staff.save()
    deadlines_plan(fiscal_year=2025)
    ComplianceDeadline.objects.exclude(kind="form_990").update(done_on=day(2026, 3, 1))

    assert deadline_reminders_send(today=day(2026, 4, 14)) == 0
    assert deadline_reminders_send(today=day(2026, 4, 15)) == 1
    assert deadline_reminders_send(today=day(2026, 4, 16)) == 0
    assert deadline_reminders_send(today=day(2026, 5, 8)) == 1
    assert deadline_reminders_send(today=day(2026, 5, 9)) == 0
    assert [m.to for m in mail.outbox] == [["alice@example.org"], ["alice@example.org"]]
    assert mail.outbox[0].subject == "Due in 30 days: IRS Form 990 (FY2025)"
    assert "May 15, 2026" in mail.outbox[1].body


def test_staff_move_a_date_and_the_reminder_follows(
    client, organization, administrator, staff, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    administrator.email = "alice@example.org"
    administrator.save()
    deadlines_plan(fiscal_year=2025)
    ny = ComplianceDeadline.objects.get(kind="ny_char500")
    client.force_login(staff)
    response = client.post(
        reverse("admin:compliance_compliancedeadline_change", args=[ny.pk]),
        {
            "kind": "ny_char500",
            "fiscal_year": "2025",
            "due_date": "2026-11-15",
            "notes": "extended",
        },
    )
    assert response.status_code == 302
    ComplianceDeadline.objects.exclude(pk=ny.pk).update(done_on=day(2026, 5, 1))
    assert deadline_reminders_send(today=day(2026, 10, 16)) == 1
    assert "November 15, 2026" in mail.outbox[0].body


def test_reminders_run_daily_on_a_schedule(organization):
    schedule = Schedule.objects.get(func="compliance.tasks.deadline_reminders_task")
    assert schedule.schedule_type == Schedule.DAILY
    assert tasks.deadline_reminders_task().endswith("reminder(s) sent")
    assert ComplianceDeadline.objects.exists()


def test_staff_add_a_filing_of_their_own_and_delete_filings_and_each_change_is_recorded(
    client, organization, staff
):
    """The calendar's admin writes through the services (a write past them raises under the
    tests): an added filing and deleted ones, one by one and from the list, each in the audit
    log under the name of whoever did it."""
    deadlines_plan(fiscal_year=2025)
    client.force_login(staff)
    response = client.post(
        reverse("admin:compliance_compliancedeadline_add"),
        {"kind": "other", "fiscal_year": "2025", "due_date": "2026-03-01",
         "notes": "City charitable solicitation licence"},
    )  # fmt: skip
    assert response.status_code == 302
    own = ComplianceDeadline.objects.get(kind="other")
    assert own.notes == "City charitable solicitation licence"

    response = client.post(
        reverse("admin:compliance_compliancedeadline_delete", args=[own.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    planned = list(ComplianceDeadline.objects.filter(kind__in=["ny_char500", "ca_rrf1"]))
    response = client.post(
        reverse("admin:compliance_compliancedeadline_changelist"),
        {"action": "delete_selected", "_selected_action": [d.pk for d in planned], "post": "yes"},
    )
    assert response.status_code == 302
    assert list(ComplianceDeadline.objects.values_list("kind", flat=True)) == ["form_990"]

    entries = LogEntry.objects.get_for_model(ComplianceDeadline).filter(actor=staff)
    assert sorted(entries.values_list("action", flat=True)) == [
        LogEntry.Action.CREATE, LogEntry.Action.DELETE, LogEntry.Action.DELETE,
        LogEntry.Action.DELETE,
    ]  # fmt: skip
