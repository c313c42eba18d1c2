"""Gifts of property: staff record Form 8283 and the disposal on the gift's page, and a sale
within three years of receipt puts Form 8282 on the compliance calendar, due 125 days later.
Dates computed by hand."""

import datetime
import re
from decimal import Decimal as D

import pytest
from auditlog.models import LogEntry
from django.core.cache import cache
from django.urls import reverse

from compliance import rules, services
from compliance.models import ComplianceDeadline
from compliance.pdf import receipt_pdf
from donors.models import GiftMethod, PropertyRecord
from tests import factories
from tests.compliance.helpers import pdf_text
from tests.donors.admin_forms import form_data

pytestmark = pytest.mark.django_db
day = datetime.date
CALENDAR = "/admin/compliance/compliancedeadline/"


@pytest.fixture(autouse=True)
def _limits(db):
    factories.ensure_benefit_limits()
    cache.clear()


def _painting(**fields):
    """An in-kind gift received March 1, 2026, its value claimed at $12,000."""
    donor = factories.make_donor(first_name="Ayesha", last_name="Khan")
    fields.setdefault("amount", D("12000.00"))
    return factories.make_gift(
        donor=donor,
        method=GiftMethod.IN_KIND,
        gift_date=day(2026, 3, 1),
        date_received=day(2026, 3, 1),
        non_cash_description="Oil painting, 'Lahore at Dusk'",
        **fields,
    )


def _gift_url(gift) -> str:
    return reverse("admin:donors_gift_change", args=[gift.pk])


def _post_property(client, gift, capture, **fields):
    """Open the gift's page, fill in its Forms 8283 and 8282 section, and save it."""
    data = form_data(client.get(_gift_url(gift)), "gift")
    data.update({f"property_record-0-{name}": value for name, value in fields.items()})
    with capture(execute=True):
        return client.post(_gift_url(gift), data)


SIGNED = {
    "appraised_value": "12500.00",
    "form_8283_presented": "on",
    "form_8283_signed_on": "2026-03-10",
    "form_8283_signer": "Sara Ahmed, Treasurer",
}


def _calendar_rows(client) -> list[str]:
    """The calendar page's rows, as text."""
    html = client.get(CALENDAR).content.decode()
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, flags=re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows[1:]]


def test_a_sale_within_three_years_puts_form_8282_on_the_calendar_due_125_days_later(
    client, organization, staff, django_capture_on_commit_callbacks
):
    gift = _painting()
    client.force_login(staff)
    response = _post_property(
        client,
        gift,
        django_capture_on_commit_callbacks,
        **SIGNED,
        disposed_on="2027-02-10",
        disposal_amount="11800.00",
    )
    assert response.status_code == 302

    record = PropertyRecord.objects.get(gift=gift)
    assert (record.appraised_value, record.form_8283_signed_on, record.form_8283_signer) == (
        D("12500.00"),
        day(2026, 3, 10),
        "Sara Ahmed, Treasurer",
    )
    assert (record.disposed_on, record.disposal_amount) == (day(2027, 2, 10), D("11800.00"))
    # February 10, 2027 + 125 days: 18 left in February, 31 + 30 + 31 to May 31 (110), then
    # 15 days of June.
    (deadline,) = ComplianceDeadline.objects.filter(kind="form_8282")
    assert (deadline.gift, deadline.due_date) == (gift, day(2027, 6, 15))
    assert "Ayesha Khan" in deadline.notes
    assert "sold or disposed of on February 10, 2027 for $11,800.00" in deadline.notes

    assert any("IRS Form 8282" in row and "June 15, 2027" in row for row in _calendar_rows(client))
    page = client.get(reverse("admin:compliance_compliancedeadline_change", args=[deadline.pk]))
    assert _gift_url(gift) in page.content.decode()


def test_a_disposal_after_three_years_puts_nothing_on_the_calendar(
    client, organization, staff, django_capture_on_commit_callbacks
):
    gift = _painting()
    client.force_login(staff)
    response = _post_property(
        client,
        gift,
        django_capture_on_commit_callbacks,
        **SIGNED,
        disposed_on="2029-03-02",
        disposal_amount="15000.00",
    )
    assert response.status_code == 302
    assert PropertyRecord.objects.get(gift=gift).disposed_on == day(2029, 3, 2)
    assert not ComplianceDeadline.objects.filter(kind="form_8282").exists()
    assert not any("8282" in row for row in _calendar_rows(client))


def test_the_third_anniversary_is_still_within_the_three_years(
    client, organization, staff, django_capture_on_commit_callbacks
):
    gift = _painting()
    client.force_login(staff)
    _post_property(
        client,
        gift,
        django_capture_on_commit_callbacks,
        **SIGNED,
        disposed_on="2029-03-01",
        disposal_amount="15000.00",
    )
    # March 1, 2029 + 125 days: 30 to March 31, 60 to April 30, 91 to May 31, 121 to June 30.
    assert ComplianceDeadline.objects.get(kind="form_8282").due_date == day(2029, 7, 4)


def test_correcting_the_disposal_moves_the_filing_and_clearing_it_takes_it_off(
    client, organization, staff, django_capture_on_commit_callbacks
):
    gift = _painting()
    client.force_login(staff)
    capture = django_capture_on_commit_callbacks
    _post_property(
        client, gift, capture, **SIGNED, disposed_on="2027-02-10", disposal_amount="11800.00"
    )
    _post_property(client, gift, capture, disposed_on="2027-03-01")
    # March 1, 2027 + 125 days: July 4, 2027 (30 + 30 + 31 + 30 = 121 to June 30).
    assert ComplianceDeadline.objects.get(kind="form_8282").due_date == day(2027, 7, 4)

    _post_property(client, gift, capture, disposed_on="", disposal_amount="")
    assert not ComplianceDeadline.objects.filter(kind="form_8282").exists()
    assert not any("8282" in row for row in _calendar_rows(client))
    actions = LogEntry.objects.get_for_model(ComplianceDeadline).values_list("action", flat=True)
    assert sorted(actions) == [
        LogEntry.Action.CREATE,
        LogEntry.Action.UPDATE,
        LogEntry.Action.DELETE,
    ]


def test_a_filed_form_8282_stays_on_the_calendar_as_filed(
    client, organization, staff, django_capture_on_commit_callbacks
):
    gift = _painting()
    client.force_login(staff)
    capture = django_capture_on_commit_callbacks
    _post_property(
        client, gift, capture, **SIGNED, disposed_on="2027-02-10", disposal_amount="11800.00"
    )
    deadline = ComplianceDeadline.objects.get(kind="form_8282")
    data = form_data(
        client.get(reverse("admin:compliance_compliancedeadline_change", args=[deadline.pk])),
        "compliancedeadline",
    )
    data["done_on"] = "2027-05-20"
    response = client.post(
        reverse("admin:compliance_compliancedeadline_change", args=[deadline.pk]), data
    )
    assert response.status_code == 302

    _post_property(client, gift, capture, disposed_on="", disposal_amount="")
    deadline.refresh_from_db()
    assert (deadline.due_date, deadline.done_on) == (day(2027, 6, 15), day(2027, 5, 20))


def test_receiving_the_property_earlier_can_close_the_window(
    client, organization, staff, django_capture_on_commit_callbacks
):
    """The window runs from the day the property was received, as the gift's page says it."""
    gift = _painting()
    client.force_login(staff)
    capture = django_capture_on_commit_callbacks
    _post_property(
        client, gift, capture, **SIGNED, disposed_on="2029-03-01", disposal_amount="15000.00"
    )
    assert ComplianceDeadline.objects.filter(kind="form_8282").exists()

    data = form_data(client.get(_gift_url(gift)), "gift")
    data.update(gift_date="2026-02-27", date_received="2026-02-27")
    data["property_record-0-form_8283_signed_on"] = "2026-03-10"
    with capture(execute=True):
        response = client.post(_gift_url(gift), data)
    assert response.status_code == 302
    # Received February 27, 2026: the three years end February 27, 2029, before the sale.
    assert not ComplianceDeadline.objects.filter(kind="form_8282").exists()


def test_property_claimed_at_5000_or_less_and_never_signed_for_needs_no_form_8282(
    client, organization, staff, django_capture_on_commit_callbacks
):
    """Form 8282 reports "charitable deduction property": the charity signed Form 8283
    Section B, or had to (over $5,000 claimed). Donated goods sold at once need none."""
    gift = _painting(amount=D("800.00"))
    client.force_login(staff)
    response = _post_property(
        client,
        gift,
        django_capture_on_commit_callbacks,
        disposed_on="2026-04-02",
        disposal_amount="650.00",
    )
    assert response.status_code == 302
    assert not ComplianceDeadline.objects.filter(kind="form_8282").exists()

    big = _painting(amount=D("5000.01"))
    _post_property(
        client,
        big,
        django_capture_on_commit_callbacks,
        disposed_on="2026-04-02",
        disposal_amount="4900.00",
    )
    # April 2, 2026 + 125 days: 28 to April 30, 59 to May 31, 89 to June 30, 120 to July 31.
    assert ComplianceDeadline.objects.get(kind="form_8282", gift=big).due_date == day(2026, 8, 5)


def test_administrators_are_reminded_of_a_form_8282(
    client, organization, administrator, staff, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core import mail

    from compliance.services.calendar import deadline_reminders_send

    administrator.email = "alice@example.org"
    administrator.save()
    gift = _painting()
    client.force_login(staff)
    _post_property(
        client,
        gift,
        django_capture_on_commit_callbacks,
        **SIGNED,
        disposed_on="2027-02-10",
        disposal_amount="11800.00",
    )
    ComplianceDeadline.objects.exclude(kind="form_8282").delete()
    assert deadline_reminders_send(today=day(2027, 5, 16)) == 1  # June 15 less 30 days
    assert mail.outbox[-1].subject == "Due in 30 days: IRS Form 8282 (FY2027)"
    assert "June 15, 2027" in mail.outbox[-1].body


def test_the_appraised_value_is_never_printed_on_the_receipt(
    client, organization, staff, django_capture_on_commit_callbacks
):
    gift = _painting(amount=D("9876.54"))
    client.force_login(staff)
    _post_property(
        client,
        gift,
        django_capture_on_commit_callbacks,
        appraised_value="12345.67",
        form_8283_presented="on",
        form_8283_signed_on="2026-03-10",
        form_8283_signer="Sara Ahmed, Treasurer",
    )
    assert PropertyRecord.objects.get(gift=gift).appraised_value == D("12345.67")

    receipt = services.receipt_issue(gift=gift)
    text = re.sub(r"\s+", " ", pdf_text(receipt_pdf(receipt)))
    assert "Oil painting, 'Lahore at Dusk'" in text
    for value in ("12,345.67", "12345.67", "12,345", "9,876.54", "9876.54"):
        assert value not in text
    assert receipt.amount == D("9876.54")  # kept on the record, never printed


def test_form_8282_dates_by_hand():
    assert rules.form_8282_due(received=day(2026, 3, 1), disposed=day(2027, 2, 10)) == day(
        2027, 6, 15
    )
    assert rules.form_8282_due(received=day(2026, 3, 1), disposed=day(2029, 3, 1)) == day(
        2029, 7, 4
    )
    assert rules.form_8282_due(received=day(2026, 3, 1), disposed=day(2029, 3, 2)) is None
    # Received on a leap day: the three years run to March 1 (no February 29, 2031).
    assert rules.form_8282_due(received=day(2028, 2, 29), disposed=day(2031, 3, 1)) == day(
        2031, 7, 4
    )
    assert rules.form_8282_due(received=day(2028, 2, 29), disposed=day(2031, 3, 2)) is None
    assert rules.form_8282_needed(form_8283_signed=False, claimed_value=D("5000.00")) is False
    assert rules.form_8282_needed(form_8283_signed=False, claimed_value=D("5000.01")) is True
    assert rules.form_8282_needed(form_8283_signed=True, claimed_value=D("700.00")) is True


def test_a_form_8282_is_not_added_by_hand_on_the_calendar(client, organization, staff):
    client.force_login(staff)
    response = client.post(
        reverse("admin:compliance_compliancedeadline_add"),
        {"kind": "form_8282", "fiscal_year": "2027", "due_date": "2027-06-15", "notes": ""},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["kind"] == [
        "A Form 8282 is planned from the sale or disposal recorded on the property gift's "
        "page, not added here: choose another kind."
    ]
    assert not ComplianceDeadline.objects.exists()
