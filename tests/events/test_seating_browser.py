"""The seating chart in a real browser (Debian's Chromium driven by Playwright), on a phone
and a laptop: a party dragged onto a table is seated; a party bigger than the seats left is
refused with the figures and stays where it was; on a phone a party is seated by tapping it,
then its table. Screenshots under test-artifacts/."""

from __future__ import annotations

import pytest

from events.models import RSVP, Table
from events.services import rsvp_submit, table_save
from tests import factories
from tests.browser import ARTIFACTS

expect = pytest.importorskip("playwright.sync_api", reason="needs pip install playwright").expect

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "laptop": {"viewport": {"width": 1366, "height": 900}},
}


def _log_in(browser, live_server, size: str, slug: str):
    context = browser.new_context(device_scale_factor=2 if size == "phone" else 1, **SIZES[size])
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/events/{slug}/seating/")
    page.fill("#id_username", "dana")
    page.fill("#id_password", "pw-dana")
    page.click("input[type=submit]")
    page.wait_for_url(f"**/events/{slug}/seating/")
    return page


def _party(event, first: str, last: str, size: int) -> RSVP:
    donor = factories.make_donor(first_name=first, last_name=last)
    return rsvp_submit(event=event, donor=donor, answer="yes", party_size=size)


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_an_organizer_drags_parties_to_tables_and_a_full_table_refuses(
    browser, live_server, organizer, size
):
    factories.make_organization()
    slug = f"gala-{size}"
    event = factories.make_event(name="Spring Gala", slug=slug, organizers=[organizer])
    head = table_save(table=Table(event=event, name="Table 1", seats=4))
    side = table_save(table=Table(event=event, name="Table 2", seats=6))
    khan = _party(event, "Ayesha", "Khan", 3)
    raza = _party(event, "Bilal", "Raza", 2)
    lee = _party(event, "Min", "Lee", 2)
    page = _log_in(browser, live_server, size, slug)
    status = page.locator("#status")
    page.screenshot(path=str(ARTIFACTS / f"seating-start-{size}.png"), full_page=True)

    page.locator(f"#party-{khan.pk} .pick").drag_to(page.locator(f"#table-{head.pk} h2"))

    expect(status).to_have_text("Seated the Khan party at Table 1.")
    expect(page.locator(f"#table-{head.pk} #party-{khan.pk}")).to_be_visible()
    expect(page.locator(f"#table-{head.pk} .seats")).to_contain_text("3 of 4 seats · 1 left")
    assert RSVP.objects.get(pk=khan.pk).table_id == head.pk

    page.locator(f"#party-{raza.pk} .pick").drag_to(page.locator(f"#table-{head.pk} h2"))

    expect(status).to_have_text("Table 1 has 1 seat left; the Raza party is 2.")
    expect(page.locator(f"#unseated #party-{raza.pk}")).to_be_visible()
    assert RSVP.objects.get(pk=raza.pk).table_id is None
    status.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"seating-refused-{size}.png"), full_page=True)

    # By tap, as on a phone: the party, then its table.
    page.locator(f"#party-{lee.pk} .pick").click()
    expect(status).to_have_text("Now tap the table for Min Lee.")
    page.locator(f"#table-{side.pk} h2").click()
    expect(status).to_have_text("Seated the Lee party at Table 2.")
    expect(page.locator(f"#table-{side.pk} #party-{lee.pk}")).to_be_visible()
    assert RSVP.objects.get(pk=lee.pk).table_id == side.pk
    # Nothing on the page is wider than the screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SIZES[size]["viewport"]["width"]
    page.screenshot(path=str(ARTIFACTS / f"seating-done-{size}.png"), full_page=True)
