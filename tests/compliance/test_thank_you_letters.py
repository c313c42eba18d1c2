"""Thank-you letters for gifts the organization does not receipt: they say so plainly."""

from decimal import Decimal as D

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.urls import reverse

from compliance.models import ThankYouLetter
from compliance.services.letters import thank_you_letters_queue
from donors import services as donor_services
from donors.models import DonorKind, GiftMethod
from tests import factories

pytestmark = pytest.mark.django_db
SOFT_CREDITS = reverse("admin:donors_softcredit_changelist")


@pytest.fixture(autouse=True)
def _email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def credits(organization):
    platform = factories.make_donor(kind=DonorKind.PLATFORM, organization_name="GlobalGiving")
    payout = factories.make_gift(donor=platform, method=GiftMethod.GLOBALGIVING, amount=D("500.00"))
    gg_donor = factories.make_donor(first_name="Sana", last_name="Mir", email="sana@example.org")
    employee = factories.make_donor(first_name="Omar", last_name="Ali", email="omar@example.org")
    employer = factories.make_donor(kind=DonorKind.COMPANY, organization_name="Acme Corp")
    match = factories.make_gift(
        donor=employer, method=GiftMethod.EMPLOYER_MATCH, amount=D("250.00")
    )
    solicitor = factories.make_donor(email="board@example.org")
    return [
        donor_services.soft_credit_add(
            gift=payout, donor=gg_donor, kind="platform_donor", amount=D("100.00")
        ),
        donor_services.soft_credit_add(gift=match, donor=employee, kind="match"),
        donor_services.soft_credit_add(gift=match, donor=solicitor, kind="solicitor"),
    ]


def test_letters_say_they_are_not_tax_receipts_and_go_once(
    credits, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert thank_you_letters_queue() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert thank_you_letters_queue() == 0
    by_email = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_email) == ["omar@example.org", "sana@example.org"]  # not the solicitor
    sana = by_email["sana@example.org"].body
    assert "THIS LETTER IS NOT A TAX RECEIPT." in sana
    assert "$100.00" in sana and "through GlobalGiving" in sana
    assert "GlobalGiving, through which you gave, sends you the tax receipt" in sana
    omar = by_email["omar@example.org"].body
    assert "THIS LETTER IS NOT A TAX RECEIPT." in omar and "matched by your employer" in omar
    assert ThankYouLetter.objects.filter(sent_at__isnull=False).count() == 2


def test_staff_send_letters_from_the_soft_credits_list(
    client, staff, credits, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    data = {"action": "send_thank_you_letters", ACTION_CHECKBOX_NAME: [c.pk for c in credits]}
    confirm = client.post(SOFT_CREDITS, data).content.decode()
    assert "a letter saying it is not a tax receipt will be sent" in confirm
    assert "no letter (only GlobalGiving donors" in confirm
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SOFT_CREDITS, {**data, "confirmed": "yes"})
    assert len(mail.outbox) == 2
