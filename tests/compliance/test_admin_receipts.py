"""Receipts in the back office, used through the test client as the real roles."""

from decimal import Decimal as D

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from compliance import services
from compliance.models import Receipt
from donors.models import GiftStatus
from tests import factories
from tests.compliance.helpers import pdf_text

pytestmark = pytest.mark.django_db

GIFTS = reverse("admin:donors_gift_changelist")
RECEIPTS = reverse("admin:compliance_receipt_changelist")


@pytest.fixture(autouse=True)
def _limits(db):
    factories.ensure_benefit_limits()


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_staff_issue_receipts_from_the_gifts_list_after_confirming(client, organization, staff):
    gift = factories.make_gift(amount=D("300.00"))
    refunded = factories.make_gift(status=GiftStatus.REFUNDED, amount_refunded=D("100.00"))
    client.force_login(staff)
    data = {"action": "issue_receipts", ACTION_CHECKBOX_NAME: [gift.pk, refunded.pk]}

    confirm = client.post(GIFTS, data)
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "a receipt will be issued" in page
    assert "already receipted or not kept" in page
    assert not Receipt.objects.exists()

    done = client.post(GIFTS, {**data, "confirmed": "yes"}, follow=True)
    receipt = Receipt.objects.get()
    assert receipt.gift == gift
    assert receipt.issued_by == staff
    assert any(receipt.number in m for m in _messages(done))

    # Issuing again for the same gift issues nothing more.
    again = client.post(GIFTS, {**data, "confirmed": "yes"}, follow=True)
    assert Receipt.objects.count() == 1
    assert any("already had a receipt" in m for m in _messages(again))


def test_staff_void_a_receipt_with_a_reason_after_confirming(client, organization, staff):
    receipt = services.receipt_issue(gift=factories.make_gift())
    client.force_login(staff)
    data = {"action": "void_receipts", ACTION_CHECKBOX_NAME: [receipt.pk]}

    confirm = client.post(RECEIPTS, data)
    assert "will be marked VOID" in confirm.content.decode()
    no_reason = client.post(RECEIPTS, {**data, "confirmed": "yes", "reason": " "})
    assert "Say why" in no_reason.content.decode()
    receipt.refresh_from_db()
    assert receipt.voided_at is None

    client.post(RECEIPTS, {**data, "confirmed": "yes", "reason": "Gift entered twice"})
    receipt.refresh_from_db()
    assert receipt.void_reason == "Gift entered twice"
    assert receipt.voided_by == staff


def test_staff_replace_a_receipt_and_the_new_one_names_it(client, organization, staff):
    receipt = services.receipt_issue(gift=factories.make_gift())
    client.force_login(staff)
    client.post(
        RECEIPTS,
        {
            "action": "replace_receipts",
            ACTION_CHECKBOX_NAME: [receipt.pk],
            "confirmed": "yes",
            "reason": "Donor's name misspelled",
        },
    )
    new = Receipt.objects.get(replaces=receipt)
    assert new.kind == "corrected"
    assert Receipt.objects.filter(voided_at__isnull=True).get() == new


def test_staff_download_the_pdf_and_the_download_is_recorded(client, organization, staff):
    receipt = services.receipt_issue(gift=factories.make_gift(amount=D("300.00")))
    client.force_login(staff)
    response = client.get(reverse("admin:compliance_receipt_pdf", args=[receipt.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert f"receipt-{receipt.number}.pdf" in response["Content-Disposition"]
    assert "$300.00" in pdf_text(response.content)
    receipt.refresh_from_db()
    assert receipt.downloaded_at is not None


def test_a_board_member_reading_a_receipt_pdf_changes_nothing(client, organization, board):
    receipt = services.receipt_issue(gift=factories.make_gift(amount=D("300.00")))
    client.force_login(board)
    response = client.get(reverse("admin:compliance_receipt_pdf", args=[receipt.pk]))
    assert response.status_code == 200
    assert "$300.00" in pdf_text(response.content)
    receipt.refresh_from_db()
    assert receipt.downloaded_at is None


def test_a_receipt_page_is_read_only_even_for_administrators(client, organization, administrator):
    receipt = services.receipt_issue(gift=factories.make_gift(amount=D("300.00")))
    client.force_login(administrator)
    url = reverse("admin:compliance_receipt_change", args=[receipt.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = client.post(url, {"donor_name": "Someone Else"})
    assert response.status_code == 403
    receipt.refresh_from_db()
    assert receipt.donor_name != "Someone Else"


def test_board_members_see_receipts_but_cannot_void_them(client, organization, board):
    receipt = services.receipt_issue(gift=factories.make_gift())
    client.force_login(board)
    assert client.get(RECEIPTS).status_code == 200
    client.post(
        RECEIPTS,
        {
            "action": "void_receipts",
            ACTION_CHECKBOX_NAME: [receipt.pk],
            "confirmed": "yes",
            "reason": "no",
        },
    )
    receipt.refresh_from_db()
    assert receipt.voided_at is None


def test_organizers_cannot_see_receipts(client, organization, organizer):
    receipt = services.receipt_issue(gift=factories.make_gift())
    client.force_login(organizer)
    assert client.get(RECEIPTS).status_code == 403
    assert client.get(reverse("admin:compliance_receipt_pdf", args=[receipt.pk])).status_code == 403


def test_staff_email_receipts_after_confirming_and_never_twice(
    client, organization, staff, settings, django_capture_on_commit_callbacks
):
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    receipt = services.receipt_issue(gift=factories.make_gift())
    client.force_login(staff)
    data = {"action": "send_receipts", ACTION_CHECKBOX_NAME: [receipt.pk]}
    confirm = client.post(RECEIPTS, data)
    assert f"will be emailed to {receipt.donor_email}" in confirm.content.decode()
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        client.post(RECEIPTS, {**data, "confirmed": "yes"})
        client.post(RECEIPTS, {**data, "confirmed": "yes"})
    assert len(mail.outbox) == 1


def test_staff_edit_an_email_template_and_a_broken_one_is_refused(client, organization, staff):
    from compliance.models import EmailTemplate

    template = EmailTemplate.objects.get(key="receipt")
    client.force_login(staff)
    url = reverse("admin:compliance_emailtemplate_change", args=[template.pk])
    broken = client.post(url, {"subject": "Receipt {{ number", "body": "{% if %}"})
    assert broken.status_code == 200
    assert "This template has an error" in broken.content.decode()
    client.post(url, {"subject": "Receipt {{ number }}", "body": "Thanks {{ donor_name }}"})
    template.refresh_from_db()
    assert template.body == "Thanks {{ donor_name }}"


def test_staff_bring_receipts_in_line_with_refunds_from_the_list(client, organization, staff):
    from donors import services as donor_services

    receipt = services.receipt_issue(gift=factories.make_gift(amount=D("300.00")))
    gift = receipt.gift
    gift.amount_refunded, gift.status = D("300.00"), GiftStatus.REFUNDED
    donor_services.gift_save(gift=gift)
    client.force_login(staff)
    done = client.post(
        RECEIPTS, {"action": "sync_with_gifts", ACTION_CHECKBOX_NAME: [receipt.pk]}, follow=True
    )
    assert "1 receipt(s) voided, 0 corrected." in _messages(done)
    receipt.refresh_from_db()
    assert receipt.void_reason == "Gift refunded"


def test_receipts_list_says_where_receipts_come_from_and_shows_dollars(client, staff, organization):
    from decimal import Decimal

    factories.ensure_benefit_limits()
    gift = factories.make_gift(donor=factories.make_donor(), amount=Decimal("1250.00"))
    services.receipt_issue(gift=gift)
    client.force_login(staff)
    html = client.get("/admin/compliance/receipt/").content.decode()
    assert "Receipts are issued, never typed in" in html
    assert "$1,250.00" in html
    form = client.get("/admin/compliance/issuebatch/add/?kind=receipts").content.decode()
    assert 'value="receipts" selected' in form
