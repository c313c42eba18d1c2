"""Merging duplicate donors with event answers: RSVPs move to the donor kept, and two answers to
the same event are a reason in words, never a database error."""

import pytest
from django.core.exceptions import ValidationError

from donors.services.merge import donors_merge
from events import services as event_services
from events.models import RSVP
from tests.factories import make_donor, make_event


def test_merge_moves_an_rsvp_to_the_donor_kept(organization):
    event = make_event()
    kept, other = make_donor(), make_donor()
    event_services.rsvp_submit(event=event, donor=other, answer="yes", party_size=2)

    donors_merge(survivor=kept, other=other)

    assert RSVP.objects.get(event=event).donor_id == kept.pk


def test_merge_of_two_donors_who_both_answered_one_event_is_refused_in_words(organization):
    event = make_event()
    kept, other = make_donor(), make_donor()
    event_services.rsvp_submit(event=event, donor=kept, answer="yes", party_size=2)
    event_services.rsvp_submit(event=event, donor=other, answer="maybe")

    with pytest.raises(ValidationError) as refused:
        donors_merge(survivor=kept, other=other)

    assert refused.value.messages == [
        "Both donors have a RSVP for the same event: remove one of the two before merging."
    ]
    assert RSVP.objects.filter(donor=other).count() == 1
