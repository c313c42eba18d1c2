"""Migration events 0010: RSVPs made before door codes existed each get a code of their own."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from events.services import rsvp_submit
from tests import factories

AFTER = [("events", "0010_rsvp_checkin_token")]


@pytest.mark.django_db(transaction=True)
def test_rsvps_made_before_door_codes_each_get_their_own(organization):
    event = factories.make_event(slug="old")
    for _ in range(3):
        rsvp_submit(event=event, donor=factories.make_donor(), answer="yes")
    executor = MigrationExecutor(connection)
    # The state just before 0010, whatever events migration it follows once merged.
    before = [
        parent.key
        for parent in executor.loader.graph.node_map[AFTER[0]].parents
        if parent.key[0] == "events"
    ]
    executor.migrate(before)
    try:
        old = MigrationExecutor(connection).loader.project_state(before).apps
        assert "checkin_token" not in [f.name for f in old.get_model("events", "RSVP")._meta.fields]
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        codes = list(
            new.get_model("events", "RSVP").objects.values_list("checkin_token", flat=True)
        )
        assert len(codes) == len(set(codes)) == 3
        assert all(len(code) == 16 for code in codes)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
