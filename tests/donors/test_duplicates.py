"""The duplicate donors page and the merge: everything of one donor moves to the survivor."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry

from donors import services
from donors.models import Donor, DonorNotDuplicate, Gift, Pledge, RecurringPlan, SoftCredit
from tests import factories

pytestmark = pytest.mark.django_db


def _donor_with_everything(name: str, email: str, **fields):
    donor = factories.make_donor(first_name=name, last_name="Khan", email=email, **fields)
    factories.make_gift(donor=donor, amount=Decimal("100.00"))
    other = factories.make_donor()
    services.soft_credit_add(gift=factories.make_gift(donor=other), donor=donor, kind="solicitor")
    services.pledge_create(
        donor=donor, amount=Decimal("500"), pledge_date=datetime.date(2025, 1, 1)
    )
    services.recurring_plan_create(donor=donor, amount="20", started_on=datetime.date(2025, 1, 1))
    return donor


@pytest.fixture
def twins(organization):
    survivor = _donor_with_everything("Ayesha", "ayesha@example.org", tags=["dinner"])
    other = _donor_with_everything(
        "Ayesha",
        "ayesha.khan@work.example",
        phone="+13175550100",
        tags=["volunteer"],
        address={"line1": "1 Main St", "city": "Carmel", "region": "IN", "postal_code": "46032"},
        do_not_solicit=True,
        notes="Prefers phone calls.",
    )
    services.donor_email_add(donor=other, email="ayesha@example.org")  # the shared email
    return survivor, other


def test_merge_moves_gifts_soft_credits_pledges_and_plans_and_keeps_richer_contacts(
    twins, staff, client
):
    survivor, other = twins
    client.force_login(staff)
    response = client.post(
        f"/admin/donors/donor/merge/{survivor.pk}/{other.pk}/", {"survivor": str(survivor.pk)}
    )
    assert response.status_code == 302
    assert not Donor.objects.filter(pk=other.pk).exists()
    assert Gift.objects.filter(donor=survivor).count() == 2
    assert SoftCredit.objects.filter(donor=survivor).count() == 2
    assert Pledge.objects.filter(donor=survivor).count() == 2
    assert RecurringPlan.objects.filter(donor=survivor).count() == 2
    survivor.refresh_from_db()
    assert sorted(survivor.emails.values_list("email", "is_primary")) == [
        ("ayesha.khan@work.example", False),
        ("ayesha@example.org", True),
    ]
    assert survivor.addresses.get().city == "Carmel"
    assert str(survivor.phone) == "+13175550100"
    assert sorted(survivor.tags.values_list("name", flat=True)) == ["dinner", "volunteer"]
    assert survivor.do_not_solicit is True
    assert "Prefers phone calls." in survivor.notes
    assert (survivor.lifetime_total, survivor.gift_count) == (Decimal("200.00"), 2)
    merged = [
        e for e in LogEntry.objects.get_for_object(survivor) if "merged" in (e.changes_dict or {})
    ]
    assert merged and merged[0].actor == staff


def test_the_duplicates_page_lists_pairs_and_forgets_those_marked_different(twins, staff, client):
    survivor, other = twins
    client.force_login(staff)
    page = client.get("/admin/donors/donor/duplicates/")
    assert page.status_code == 200
    assert "same email ayesha@example.org" in page.text
    client.post(f"/admin/donors/donor/not-duplicates/{other.pk}/{survivor.pk}/")
    assert DonorNotDuplicate.objects.filter(donor_low=survivor, donor_high=other).exists()
    assert "No likely duplicates." in client.get("/admin/donors/donor/duplicates/").text


def test_a_name_with_the_same_address_or_phone_is_a_likely_duplicate(organization, staff, client):
    address = {"line1": "2 Elm", "city": "Fishers", "region": "IN", "postal_code": "46038"}
    factories.make_donor(first_name="Omar", last_name="Shah", address=address)
    factories.make_donor(
        first_name="omar", last_name="SHAH", address={**address, "postal_code": "46038-1111"}
    )
    factories.make_donor(first_name="Hina", last_name="Rauf", phone="+13175550199")
    factories.make_donor(first_name="H.", last_name="Rauf", phone="+13175550199")
    client.force_login(staff)
    text = client.get("/admin/donors/donor/duplicates/").text
    assert "same address" in text
    assert "same phone +13175550199" in text


def test_merge_page_needs_a_choice_and_board_members_may_not_merge(twins, staff, board, client):
    survivor, other = twins
    url = f"/admin/donors/donor/merge/{survivor.pk}/{other.pk}/"
    client.force_login(board)
    assert client.get(url).status_code == 403
    assert client.post(url, {"survivor": str(survivor.pk)}).status_code == 403
    assert client.get("/admin/donors/donor/duplicates/").status_code == 403
    client.force_login(staff)
    page = client.get(url)
    assert page.status_code == 200 and "1 gifts" in page.text
    assert "Choose which donor to keep." in client.post(url, {}, follow=True).text
    assert Donor.objects.filter(pk=other.pk).exists()


def test_two_board_seats_block_the_merge(twins, staff):
    survivor, other = twins
    factories.make_board_member(donor=survivor)
    factories.make_board_member(donor=other)
    with pytest.raises(Exception, match="Both donors have a board member"):
        services.donors_merge(survivor=survivor, other=other, user=staff)
    assert Donor.objects.filter(pk=other.pk).exists()
