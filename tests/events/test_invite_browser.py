"""The invite page in a real browser (Debian's Chromium driven by Playwright), on a phone and a
laptop: an organizer previews, includes organizations, sends, and reads what is queued and that
no task worker is running. Screenshots under test-artifacts/."""

from __future__ import annotations

import pytest
from django.core import mail

from donors.models import DonorKind
from events.models import Invitation
from tests import factories
from tests.browser import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 900}}


@pytest.fixture
def no_worker(settings, monkeypatch):
    # Tasks wait in the database queue, as in production, and no cluster runs.
    from django_q.conf import Conf

    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": False}
    monkeypatch.setattr(Conf, "SYNC", False)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "crm_cache",
        }
    }


@pytest.mark.parametrize("size", SIZES)
def test_an_organizer_sends_invitations_and_reads_that_they_wait_for_the_worker(
    browser, live_server, organizer, no_worker, size
):
    factories.make_organization()
    event = factories.make_event(name="Indy Dinner", slug="indy", organizers=[organizer])
    factories.make_donor(first_name="Ayesha", last_name="Khan", tags=["circle"])
    factories.make_donor(kind=DonorKind.FOUNDATION, organization_name="Lilly Fund", tags=["circle"])
    page = browser.new_context(viewport=SIZES[size]).new_page()
    page.set_default_timeout(15_000)

    page.goto(f"{live_server.url}/admin/login/?next=/events/indy/invite/")
    page.fill("#id_username", "dana")
    page.fill("#id_password", "pw-dana")
    page.click("input[type=submit]")
    page.wait_for_url("**/events/indy/invite/")
    page.select_option("#id_tags", label="circle")
    page.get_by_role("button", name="Preview who gets it").click()
    assert "1 donor will be invited" in page.inner_text("form")
    assert "1 organization left out" in page.inner_text("#organizations-left-out")
    page.get_by_label("Include organizations").check()
    page.get_by_role("button", name="Preview who gets it").click()
    assert "Lilly Fund" in page.inner_text("#recipients")
    page.get_by_role("button", name="Send 2 invitations").click()
    page.wait_for_url("**/events/indy/invite/")

    body = page.inner_text("body")
    assert "2 queued — they are sent by the task worker, usually within a minute." in body
    assert "0 sent so far." in body
    assert "No task worker has been seen yet" in page.inner_text("#no-worker")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(ARTIFACTS / f"invite-queued-{size}.png"), full_page=True)
    assert Invitation.objects.filter(event=event, queued_at__isnull=False).count() == 2
    assert mail.outbox == []
    assert browser.take_problems() == []
