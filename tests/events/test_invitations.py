"""Invitations chosen by tag, state, past attendance or a saved list; emailed once each with
the link and an .ics; reminders a week and a day ahead, once each."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from events.models import GuestList, Invitation
from events.services import event_reminders_send, invitations_send, rsvp_submit
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(organization, organizer):
    return factories.make_event(
        name="Fremont Dinner",
        slug="fremont",
        city="Fremont",
        state="CA",
        time_zone="America/Los_Angeles",
        organizers=[organizer],
    )


def _invite_page(client, event, **data):
    return client.post(f"/events/{event.slug}/invite/", data)


def test_organizer_invites_by_tag_and_each_gets_the_link_and_a_calendar_file(
    client, organizer, event
):
    tagged = factories.make_donor(
        first_name="Hina", last_name="Shah", email="hina@example.org", tags=["bay-area"]
    )
    factories.make_donor(tags=["bay-area"], do_not_solicit=True)
    factories.make_donor(tags=["other"])
    client.force_login(organizer)
    tag = tagged.tags.get()

    preview = _invite_page(client, event, tags=[tag.pk], preview="1")
    assert mail.outbox == []  # a preview sends nothing
    response = _invite_page(client, event, tags=[tag.pk], send="1")

    assert "1 donor will be invited" in preview.content.decode()
    assert "Hina Shah" in preview.content.decode()
    assert response.status_code == 302
    [email] = mail.outbox
    invitation = Invitation.objects.get()
    assert email.to == ["hina@example.org"]
    assert email.subject == "You are invited: Fremont Dinner"
    assert f"http://127.0.0.1:8000/rsvp/{invitation.token}/" in email.body
    [(filename, ics, mimetype)] = email.attachments
    assert (filename, mimetype) == ("fremont.ics", "text/calendar; method=PUBLISH")
    assert "BEGIN:VEVENT" in ics and "SUMMARY:Fremont Dinner" in ics
    start = event.starts_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start}" in ics
    assert invitation.sent_at is not None and invitation.sent_to == "hina@example.org"


def test_sending_again_never_doubles_an_invitation(client, organizer, event):
    donor = factories.make_donor(tags=["host"])
    client.force_login(organizer)

    _invite_page(client, event, tags=[donor.tags.get().pk], send="1")
    invitations_send(event=event, donors=[donor])  # the admin action's path
    again = _invite_page(client, event, tags=[donor.tags.get().pk], preview="1")

    assert len(mail.outbox) == 1
    assert Invitation.objects.count() == 1
    assert "0 donors will be invited" in again.content.decode()


def test_invitations_by_state_past_attendance_and_saved_list(client, organizer, event):
    in_ca = factories.make_donor(
        address={"line1": "1 Main St", "city": "Fremont", "region": "CA", "postal_code": "94536"}
    )
    factories.make_donor(
        address={"line1": "1 Main St", "city": "Carmel", "region": "IN", "postal_code": "46032"}
    )
    came = factories.make_donor()
    said_no = factories.make_donor()
    past = factories.make_event(slug="past-dinner", organizers=[organizer])
    rsvp_submit(event=past, donor=came, answer="yes")
    rsvp_submit(event=past, donor=said_no, answer="no")
    listed = factories.make_donor()
    saved = GuestList.objects.create(name="Host committee")
    saved.donors.add(listed)
    saved.events.add(event)  # shared with this event's organizers
    client.force_login(organizer)

    _invite_page(
        client, event, states="ca", past_events=[past.pk], guest_lists=[saved.pk], send="1"
    )

    assert set(Invitation.objects.filter(event=event).values_list("donor_id", flat=True)) == {
        in_ca.pk,
        came.pk,
        listed.pk,
    }


def test_the_invite_page_asks_for_a_choice_and_explains_bad_states(client, organizer, event):
    client.force_login(organizer)

    empty = _invite_page(client, event, preview="1")
    bad = _invite_page(client, event, states="California", preview="1")

    assert "Choose at least one tag, state, past event or list." in empty.content.decode()
    assert "Not a two-letter state code: CALIFORNIA" in bad.content.decode()


def test_admin_action_sends_selected_invitations_once(client, organizer, event):
    from events.services import invitations_create

    [invitation] = invitations_create(event=event, donors=[factories.make_donor()])
    client.force_login(organizer)
    data = {"action": "send_invitations", "_selected_action": [invitation.pk]}

    client.post("/admin/events/invitation/", data)
    client.post("/admin/events/invitation/", data)

    assert len(mail.outbox) == 1


def test_reminders_go_a_week_and_a_day_ahead_once_each(event):
    guest = factories.make_donor(email="guest@example.org")
    waiting = factories.make_donor()
    event.capacity = 1
    event.save(update_fields=["capacity"])
    rsvp_submit(event=event, donor=guest, answer="yes")
    rsvp_submit(event=event, donor=waiting, answer="yes")  # waitlisted: no reminder
    mail.outbox.clear()
    start = event.starts_at

    assert event_reminders_send(now=start - datetime.timedelta(days=8)) == 0
    assert event_reminders_send(now=start - datetime.timedelta(days=6)) == 1
    assert event_reminders_send(now=start - datetime.timedelta(days=5)) == 0
    assert event_reminders_send(now=start - datetime.timedelta(hours=20)) == 1
    assert event_reminders_send(now=start - datetime.timedelta(hours=2)) == 0

    assert [m.subject for m in mail.outbox] == [
        "Reminder: Fremont Dinner is in 7 days",
        "Reminder: Fremont Dinner is tomorrow",
    ]
    assert all(m.to == ["guest@example.org"] for m in mail.outbox)


def test_the_reminder_schedule_exists():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(func="events.tasks.reminders")
    assert schedule.schedule_type == Schedule.HOURLY


def test_the_reminder_task_runs_the_service(event):
    from django_q.tasks import async_task, result

    rsvp_submit(event=event, donor=factories.make_donor(), answer="yes")
    event.starts_at = timezone.now() + datetime.timedelta(hours=12)
    event.ends_at = event.starts_at + datetime.timedelta(hours=3)
    event.rsvp_deadline = None
    event.save()
    mail.outbox.clear()

    task = async_task("events.tasks.reminders")

    assert result(task) == 1
    assert "tomorrow" in mail.outbox[0].subject
