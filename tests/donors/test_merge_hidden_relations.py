"""A merge moves every record that points at the merged-away donor, also those the donor
model does not name (relations declared with related_name="+"): thank-you letters sent for
their soft credits, cancellation notices sent to them, and the pairs staff marked as "not
duplicates"."""

from __future__ import annotations

from decimal import Decimal

import pytest

from compliance.models import ThankYouLetter
from compliance.services.letters import thank_you_letters_queue
from donors import services
from donors.models import Donor, DonorNotDuplicate
from events.models import CancellationNotice
from tests import factories

pytestmark = pytest.mark.django_db


def test_letters_notices_and_not_duplicate_marks_follow_the_survivor(organization, staff, client):
    survivor = factories.make_donor(first_name="Ayesha", last_name="Khan", email="a@example.org")
    other = factories.make_donor(first_name="Ayesha", last_name="Khan", email="ak@example.org")
    stranger = factories.make_donor(first_name="Bilal", last_name="Ahmed")

    employer = factories.make_donor(kind="company", organization_name="Acme")
    match = factories.make_gift(donor=employer, method="employer_match", amount=Decimal("250.00"))
    services.soft_credit_add(gift=match, donor=other, kind="match")
    thank_you_letters_queue()
    letter = ThankYouLetter.objects.get(donor=other)
    printed = (letter.donor_name, letter.email, letter.amount)

    dinner = factories.make_event(slug="dinner")
    picnic = factories.make_event(slug="picnic")
    for donor in (survivor, other):
        CancellationNotice.objects.create(event=dinner, donor=donor, sent_to="x@example.org")
    CancellationNotice.objects.create(event=picnic, donor=other, sent_to="ak@example.org")
    low, high = sorted([other, stranger], key=lambda d: d.pk)
    DonorNotDuplicate.objects.create(donor_low=low, donor_high=high)

    client.force_login(staff)
    response = client.post(
        f"/admin/donors/donor/merge/{survivor.pk}/{other.pk}/", {"survivor": str(survivor.pk)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not Donor.objects.filter(pk=other.pk).exists()

    letter.refresh_from_db()
    assert letter.donor_id == survivor.pk
    assert (letter.donor_name, letter.email, letter.amount) == printed  # as it was sent
    # Told once about each event: the survivor's own notice for the dinner, the other's for
    # the picnic.
    assert sorted(
        CancellationNotice.objects.filter(donor=survivor).values_list("event__slug", flat=True)
    ) == ["dinner", "picnic"]
    # Staff said the other and the stranger are different people: so are survivor and stranger.
    low, high = sorted([survivor.pk, stranger.pk])
    assert DonorNotDuplicate.objects.filter(donor_low_id=low, donor_high_id=high).exists()
