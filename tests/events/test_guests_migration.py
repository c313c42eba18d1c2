"""Migration 0006 turns each RSVP's free-text guest names (one a line) into Guest rows,
guests 2, 3… in their order (guest 1 is the person who answered), and back."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("events", "0005_tickethold_client_address")]
AFTER = [("events", "0006_guests_and_menus")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def test_guest_names_become_guests_after_the_person_who_answered_and_come_back():
    apps = _migrate(BEFORE)
    Donor, Event, RSVP = (apps.get_model(*m.split(".")) for m in ("donors.Donor", "events.Event", "events.RSVP"))  # fmt: skip
    start = datetime.datetime(2027, 5, 1, 23, tzinfo=datetime.UTC)
    event = Event.objects.create(
        name="Gala", slug="gala", starts_at=start, ends_at=start + datetime.timedelta(hours=3),
        venue="Hall", city="Indianapolis", state="IN", capacity=50,
    )  # fmt: skip
    donors = [
        Donor.objects.create(first_name=f, last_name=la, display_name=f"{f} {la}", sort_name=la)
        for f, la in (("Ayesha", "Khan"), ("Bilal", "Raza"))
    ]
    khan = RSVP.objects.create(event=event, donor=donors[0], answer="yes", party_size=3,
                               guest_names="Omar Khan\r\n\n  Дмитрий Иванов  \n")  # fmt: skip
    raza = RSVP.objects.create(event=event, donor=donors[1], answer="yes", guest_names="")

    apps = _migrate(AFTER)
    Guest = apps.get_model("events", "Guest")
    assert list(Guest.objects.order_by("rsvp_id", "position").values_list(
        "rsvp_id", "position", "name", "meal", "dietary_needs")) == [
        (khan.pk, 2, "Omar Khan", None, ""),
        (khan.pk, 3, "Дмитрий Иванов", None, ""),
    ]  # fmt: skip
    assert not Guest.objects.filter(rsvp_id=raza.pk).exists()

    apps = _migrate(BEFORE)
    names = dict(apps.get_model("events", "RSVP").objects.values_list("pk", "guest_names"))
    assert names == {khan.pk: "Omar Khan\nДмитрий Иванов", raza.pk: ""}
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
