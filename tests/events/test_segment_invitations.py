"""Inviting a segment's donors to an event, through the invite page and the invitation
services: Staff choose a saved segment; event organizers are offered none."""

import pytest
from django.core import mail

from events.models import Invitation
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(organization, organizer):
    return factories.make_event(name="Carmel Dinner", slug="carmel", organizers=[organizer])


@pytest.fixture
def segment(organization):
    address = {"line1": "1 Main St", "city": "Carmel", "region": "IN", "postal_code": "46032"}
    factories.make_donor(first_name="Amina", last_name="Ahmed", address=address)
    factories.make_donor(first_name="Imran", last_name="Iqbal", address=address)
    factories.make_donor(first_name="Nida", last_name="Noor", address=address, email_opt_in=False)
    factories.make_donor(
        first_name="Tariq", last_name="Tahir",
        address={"line1": "2 Elm St", "city": "Fremont", "region": "CA", "postal_code": "94536"},
    )  # fmt: skip
    return factories.make_segment(name="Carmel donors", definition={"cities": ["Carmel"]})


def test_staff_invite_a_segment_and_each_donor_gets_one_invitation(client, staff, event, segment):
    client.force_login(staff)
    page = client.get(f"/events/{event.slug}/invite/?segment={segment.pk}")
    assert page.status_code == 200
    assert "Carmel donors" in page.text
    assert page.context["form"].initial["segments"] == [segment.pk]

    preview = client.post(f"/events/{event.slug}/invite/", {"segments": [segment.pk]})
    assert "2 donors will be invited" in preview.text  # Nida may not be emailed
    assert "Amina Ahmed" in preview.text and "Tariq Tahir" not in preview.text

    sent = client.post(f"/events/{event.slug}/invite/", {"segments": [segment.pk], "send": "1"})
    assert sent.status_code == 302
    invited = sorted(str(i.donor) for i in Invitation.objects.filter(event=event))
    assert invited == ["Amina Ahmed", "Imran Iqbal"]
    assert len(mail.outbox) == 2
    client.post(f"/events/{event.slug}/invite/", {"segments": [segment.pk], "send": "1"})
    assert Invitation.objects.filter(event=event).count() == 2  # never twice
    assert len(mail.outbox) == 2


def test_the_segment_page_says_how_to_invite_it(client, staff, segment):
    client.force_login(staff)
    page = client.get(f"/admin/donors/segment/{segment.pk}/change/")
    assert "Invite donors" in page.text and "Carmel donors" in page.text


def test_organizers_are_offered_no_segments(client, organizer, event, segment):
    client.force_login(organizer)
    page = client.get(f"/events/{event.slug}/invite/?segment={segment.pk}")
    assert page.status_code == 200
    assert "segments" not in page.context["form"].fields
    assert "Carmel donors" not in page.text
    refused = client.post(f"/events/{event.slug}/invite/", {"segments": [segment.pk], "send": "1"})
    assert refused.status_code == 200
    assert "Choose at least one tag, state, past event or list." in refused.text
    assert not Invitation.objects.exists()


def test_a_segment_whose_criteria_went_stale_is_explained(client, staff, event, segment):
    from donors.models import Segment

    Segment.objects.filter(pk=segment.pk).update(definition={"campaigns": [999999]})
    client.force_login(staff)
    response = client.post(f"/events/{event.slug}/invite/", {"segments": [segment.pk]})
    assert response.status_code == 200
    assert "has criteria to correct first" in response.text
    assert "No campaign numbered 999999." in response.text
