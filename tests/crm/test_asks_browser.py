"""A board member moves an ask through its stages on their own page, in a real browser (Debian's
Chromium, driven by Playwright), on a laptop (1366 px) and a phone (390 px). Screenshots are
saved in test-artifacts/."""

import datetime

import pytest
from django.utils import timezone

from donors import services
from donors.models import Ask
from tests import dashboard_data as data
from tests import factories
from tests.browser import ARTIFACTS


@pytest.fixture
def site(live_server, organization, board):
    cast = data.build(timezone.localdate(), board_user=board)
    today = timezone.localdate()
    asks = {}
    for width, (first, last, amount) in {
        1366: ("Nadia", "Qureshi", "25000"),
        390: ("Bilal", "Ahmed", "7500"),
    }.items():
        asks[width] = services.ask_create(
            donor=factories.make_donor(first_name=first, last_name=last),
            member=cast.member_omar, amount=amount, next_step="Lunch to talk about the clinic",
            due_date=today - datetime.timedelta(days=3),
        )  # fmt: skip
    services.ask_create(
        donor=factories.make_donor(first_name="Zara", last_name="Noor"),
        member=cast.member_omar, amount="1200", stage="cultivate",
        next_step="Invite to the dinner", due_date=today + datetime.timedelta(days=10),
    )  # fmt: skip
    services.task_create(
        donor=asks[1366].donor, owner=board, kind="thank_you", what="Handwritten note",
        due_date=today - datetime.timedelta(days=1),
    )  # fmt: skip
    return live_server.url, asks


def _log_in(page, base):
    page.goto(f"{base}/admin/login/?next=/dashboard/me/")
    page.fill("#id_username", "charlie")
    page.fill("#id_password", "pw-charlie")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/dashboard/me/")


@pytest.mark.parametrize("width,height", [(1366, 900), (390, 844)])
def test_board_member_moves_an_ask_through_its_stages(site, browser, width, height):
    base, asks = site
    ask = asks[width]
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
    _log_in(page, base)
    card = page.locator(f"#ask-{ask.pk}")
    assert "overdue" in card.get_attribute("class")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(ARTIFACTS / f"asks-pipeline-{width}.png"), full_page=True)
    for stage, label in [("cultivate", "Cultivate"), ("ask", "Ask")]:
        page.locator(f"#ask-{ask.pk} button").click()
        page.wait_for_load_state()
        assert f"moved to {label}" in page.locator(".messages").inner_text()
        assert page.locator(f"#stage-{stage} #ask-{ask.pk}").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.locator(f"#stage-ask #ask-{ask.pk}").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"asks-at-ask-{width}.png"), full_page=True)
    page.locator(f"#ask-{ask.pk} button").click()
    page.wait_for_load_state()
    assert "is closed" in page.locator(".messages").inner_text()
    assert page.locator(f"#ask-{ask.pk}").count() == 0
    assert ask.donor.display_name in page.locator("#asks-closed").inner_text()
    page.screenshot(path=str(ARTIFACTS / f"asks-stewarded-{width}.png"), full_page=True)
    assert Ask.objects.get(pk=ask.pk).stage == "steward"

    # Then the thank-you on "My tasks", marked done.
    page.click("text=My tasks")
    page.wait_for_url(f"{base}/dashboard/tasks/")
    assert "(overdue)" in page.locator("#tasks-open").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(ARTIFACTS / f"tasks-{width}.png"), full_page=True)
    page.locator("#tasks-open button").click()
    page.wait_for_load_state()
    assert "Done: thank-you of Nadia Qureshi." in page.locator(".messages").inner_text()
    assert "Handwritten note" in page.locator("#tasks-done").inner_text()
