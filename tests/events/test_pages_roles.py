"""The event pages as every role and as an anonymous visitor (the role walk in tests/crm
lists these as walked here, because each needs an event's slug)."""

import pytest
from django.test import Client

from common.roles import ADMINISTRATOR, BOARD_MEMBER, EVENT_ORGANIZER, STAFF
from tests import factories

pytestmark = pytest.mark.django_db

ORGANIZERS = {ADMINISTRATOR, STAFF, EVENT_ORGANIZER}
PAGES = {
    # page: roles that get 200 (None = anonymous); the rest get the login page or 403.
    "": {None, ADMINISTRATOR, STAFF, BOARD_MEMBER, EVENT_ORGANIZER},
    "tickets/thanks/": {None, ADMINISTRATOR, STAFF, BOARD_MEMBER, EVENT_ORGANIZER},
    "calendar.ics": {None, ADMINISTRATOR, STAFF, BOARD_MEMBER, EVENT_ORGANIZER},
    "check-in/": ORGANIZERS,
    "check-in/search/?q=khan": ORGANIZERS,
    "invite/": ORGANIZERS,
    "summary/": ORGANIZERS | {BOARD_MEMBER},
    "attendees.csv": ORGANIZERS | {BOARD_MEMBER},
    "attendees.xlsx": ORGANIZERS | {BOARD_MEMBER},
    "door-list.pdf": ORGANIZERS | {BOARD_MEMBER},
}


def test_event_pages_answer_only_the_roles_allowed(role_users, organization):
    event = factories.make_event(slug="walk-dinner", organizers=[role_users[EVENT_ORGANIZER]])
    clients = {None: Client()}
    for role, user in role_users.items():
        clients[role] = Client()
        clients[role].force_login(user)

    for page, allowed in PAGES.items():
        url = f"/events/{event.slug}/{page}"
        for role, client in clients.items():
            response = client.get(url)
            if role in allowed:
                assert response.status_code == 200, (role, url)
            elif role is None:
                assert response.status_code == 302, url
                assert response["Location"].startswith("/admin/login/"), url
            else:
                assert response.status_code == 403, (role, url)


def test_post_only_door_actions_refuse_others(role_users, organization):
    event = factories.make_event(slug="door-dinner")
    guest = factories.make_donor()
    from events.services import rsvp_submit

    rsvp = rsvp_submit(event=event, donor=guest, answer="yes")
    for role in (None, BOARD_MEMBER):
        client = Client()
        if role:
            client.force_login(role_users[role])
        for url in (
            f"/events/door-dinner/check-in/{rsvp.pk}/",
            "/events/door-dinner/check-in/walk-in/",
            "/events/door-dinner/check-in/scan/",
        ):
            response = client.post(
                url, {"count": "1", "last_name": "X", "token": rsvp.checkin_token}
            )
            assert response.status_code == (302 if role is None else 403), (role, url)
    rsvp.refresh_from_db()
    assert rsvp.checked_in_count == 0
