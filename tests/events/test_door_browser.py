"""The door in a real browser (Debian's Chromium driven by Playwright), screenshots under
test-artifacts/: the page fits a phone and a laptop with no sideways scroll and thumb-sized
buttons; the QR code of a captured confirmation email, shown to the phone's camera (a fake
camera stream made from the email's image), checks the party in and a second look says so; a
dropped connection is shown and the check-in lands once when it is back."""

from __future__ import annotations

import email
import io
import re
import shutil
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.core import mail
from PIL import Image

from events.models import RSVP
from events.services import rsvp_submit
from tests import factories
from tests.browser import ARGS, ARTIFACTS, CHROMIUM, WatchedBrowser

sync_api = pytest.importorskip("playwright.sync_api", reason="needs pip install playwright")
expect = sync_api.expect

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 320, "height": 640}
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def door(organization, organizer):
    event = factories.make_event(name="Indy Dinner", slug="indy", organizers=[organizer])
    khan = factories.make_donor(first_name="Ayesha", last_name="Khan", email="ayesha@example.org")
    rsvp_submit(event=event, donor=khan, answer="yes", party_size=3, dietary_needs="halal")
    # A long name and address, as real lists have: they must wrap, not widen the page.
    long = factories.make_donor(
        first_name="Maximiliana",
        last_name="Featherstonehaugh",
        email="maximiliana.josephine.oyelaran-featherstonehaugh@longfamilyfoundation.example.org",
    )
    rsvp_submit(event=event, donor=long, answer="yes", party_size=4, dietary_needs="vegan")
    return event, RSVP.objects.get(donor=khan)


def _open_door(context, live_server):
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/events/indy/check-in/")
    page.fill("#id_username", "dana")
    page.fill("#id_password", "pw-dana")
    page.click("input[type=submit]")
    page.wait_for_url("**/events/indy/check-in/")
    return page


def _phone_context(browser, viewport=PHONE, **options):
    context = browser.new_context(
        viewport=viewport, device_scale_factor=2, is_mobile=True, has_touch=True, **options
    )
    context.set_default_timeout(15_000)
    return context


def _no_sideways_scroll(page) -> tuple[int, int]:
    return page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )


def _too_small(page) -> list[str]:
    """Buttons and fields shown on the page that are less than 44 px tall (a thumb's width)."""
    small = []
    for control in page.locator("button:visible, input:visible, summary:visible").all():
        box = control.bounding_box()
        if box and box["height"] < 44:
            small.append(f"{control.evaluate('e => e.outerHTML')[:80]}: {box['height']}")
    return small


@pytest.mark.parametrize(
    "name, viewport, mobile",
    [("phone", PHONE, True), ("small-phone", SMALL_PHONE, True), ("laptop", LAPTOP, False)],
)
def test_the_door_fits_the_screen_with_thumb_sized_buttons(
    browser, live_server, door, name, viewport, mobile
):
    context = (
        _phone_context(browser, viewport) if mobile else browser.new_context(viewport=viewport)
    )
    page = _open_door(context, live_server)
    page.locator(".party", has_text="Maximiliana Featherstonehaugh").wait_for()
    page.locator("#walk-in summary").click()

    page.screenshot(path=str(ARTIFACTS / f"door-{name}.png"), full_page=True)
    scroll_width, client_width = _no_sideways_scroll(page)
    assert scroll_width <= client_width, (scroll_width, client_width)
    assert _too_small(page) == []
    for party in page.locator(".party").all():
        button = party.get_by_role("button", name="Check in")
        box, card = button.bounding_box(), party.bounding_box()
        assert box["x"] + box["width"] <= card["x"] + card["width"], name


def test_a_dropped_connection_is_shown_and_the_check_in_lands_once_when_back(
    browser, live_server, door
):
    event, rsvp = door
    context = _phone_context(browser)
    page = _open_door(context, live_server)
    page.fill("#search", "khan")
    party = page.locator(".party", has_text="Ayesha Khan")
    party.get_by_role("button", name="Check in").wait_for()

    context.set_offline(True)
    party.get_by_role("button", name="Check in").click()

    expect(page.locator("#offline")).to_be_visible()
    expect(page.locator("#offline")).to_contain_text("No connection — retrying…")
    expect(page.locator("#offline")).to_contain_text("1 check-in waiting to send")
    page.screenshot(path=str(ARTIFACTS / "door-offline-phone.png"), full_page=True)
    rsvp.refresh_from_db()
    assert rsvp.checked_in_count == 0

    context.set_offline(False)

    expect(page.locator("#status")).to_have_text(
        "Checked in Ayesha Khan, party of 3 (3 of 3 arrived)."
    )
    expect(page.locator("#offline")).to_be_hidden()
    expect(page.locator("#count-arrived")).to_have_text("3")
    page.screenshot(path=str(ARTIFACTS / "door-back-online-phone.png"), full_page=True)
    rsvp.refresh_from_db()
    assert rsvp.checked_in_count == 3


def test_an_answer_lost_on_the_way_back_is_sent_again_and_counted_once(browser, live_server, door):
    """The check-in reaches the server but its answer is lost (the connection drops just
    then): the page sends it again, and the server knows it as the same check-in."""
    event, rsvp = door
    context = _phone_context(browser)
    page = _open_door(context, live_server)
    lost = []

    def lose_first_answer(route):
        if not lost:
            lost.append(route.fetch().status)  # the server did it ...
            route.abort("internetdisconnected")  # ... the phone never hears
        else:
            route.continue_()

    page.route(f"**/events/indy/check-in/{rsvp.pk}/", lose_first_answer)
    page.fill("#search", "khan")
    page.locator(".party", has_text="Ayesha Khan").get_by_role("button", name="Check in").click()

    expect(page.locator("#status")).to_have_text(
        "Checked in Ayesha Khan, party of 3 (3 of 3 arrived)."
    )
    assert lost == [200]
    expect(page.locator("#count-arrived")).to_have_text("3")
    updates = LogEntry.objects.get_for_object(rsvp).filter(action=LogEntry.Action.UPDATE)
    assert [e.changes_dict["checked_in_count"] for e in updates] == [["0", "3"]]


# --- The camera ------------------------------------------------------------------------------


def _email_qr_png(to: str) -> bytes:
    """The QR code image of the confirmation email sent to ``to``, as attached."""
    [message] = [m for m in mail.outbox if m.to == [to]]
    parsed = email.message_from_bytes(message.message().as_bytes())
    image = next(p for p in parsed.walk() if p.get_content_type() == "image/png")
    return image.get_payload(decode=True)


def _y4m(png: bytes, path: Path, *, frames: int = 5) -> Path:
    """A video file of the image held up to a camera (white around it), in the YUV4MPEG2
    format Chromium's fake camera plays in a loop: 640×480, 4:2:0."""
    width, height = 640, 480
    code = Image.open(io.BytesIO(png)).convert("RGB")
    frame = Image.new("RGB", (width, height), "white")
    frame.paste(code, ((width - code.width) // 2, (height - code.height) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (width // 2, height // 2)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + planes)
    return path


@pytest.fixture
def camera_browser(monkeypatch):
    """Chromium whose camera shows a given video file: ``camera_browser(path)``."""
    if not shutil.which(CHROMIUM):
        pytest.skip(f"needs Debian's Chromium at {CHROMIUM}: apt-get install -y chromium")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.db import connections

    ARTIFACTS.mkdir(exist_ok=True)
    launched: list = []
    with sync_api.sync_playwright() as playwright:

        def launch(video: Path) -> WatchedBrowser:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    *ARGS,
                    "--use-fake-device-for-media-stream",
                    f"--use-file-for-fake-video-capture={video}",
                ],
            )
            launched.append(WatchedBrowser(chromium))
            return launched[-1]

        yield launch
        for watched in launched:
            watched._browser.close()
        connections.close_all()
    problems = [p for watched in launched for p in watched.problems]
    if problems:
        pytest.fail("Chromium reported:\n" + "\n".join(problems), pytrace=False)


@pytest.mark.parametrize("name, viewport", [("phone", PHONE), ("laptop", LAPTOP)])
def test_the_qr_code_from_the_email_shown_to_the_camera_checks_the_party_in(
    camera_browser, live_server, door, tmp_path, name, viewport
):
    event, rsvp = door
    video = _y4m(_email_qr_png("ayesha@example.org"), tmp_path / "qr.y4m")
    browser = camera_browser(video)
    if name == "phone":
        context = _phone_context(browser, viewport)
    else:
        context = browser.new_context(viewport=viewport)
        context.set_default_timeout(15_000)
    context.grant_permissions(["camera"], origin=live_server.url)
    page = _open_door(context, live_server)

    page.get_by_role("button", name="Scan a QR code").click()
    expect(page.get_by_role("button", name="Scan a QR code")).to_be_hidden()

    status = page.locator("#status")
    expect(status).to_have_text("Checked in Ayesha Khan, party of 3 (3 of 3 arrived).")
    expect(page.locator("#count-arrived")).to_have_text("3")
    expect(page.locator(".party.in", has_text="Ayesha Khan")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"door-qr-checked-in-{name}.png"), full_page=True)
    scroll_width, client_width = _no_sideways_scroll(page)
    assert scroll_width <= client_width

    # The same code seen again (the camera keeps looking at it): said, not counted.
    expect(status).to_contain_text("Already checked in at ", timeout=20_000)
    expect(status).to_contain_text(": Ayesha Khan, party of 3 (3 of 3 arrived).")
    page.screenshot(path=str(ARTIFACTS / f"door-qr-scanned-twice-{name}.png"), full_page=True)
    page.get_by_role("button", name="Stop scanning").click()
    expect(page.get_by_role("button", name="Scan a QR code")).to_be_visible()
    rsvp.refresh_from_db()
    assert rsvp.checked_in_count == 3
    updates = LogEntry.objects.get_for_object(rsvp).filter(action=LogEntry.Action.UPDATE)
    assert updates.count() == 1


def test_a_refused_walk_in_is_shown_as_an_error_and_keeps_what_was_typed(
    browser, live_server, door
):
    page = _open_door(_phone_context(browser), live_server)
    page.locator("#walk-in summary").click()
    page.get_by_label("Email").fill("zara@example.org")
    page.get_by_role("button", name="Check the walk-in in").click()

    status = page.locator("#status")
    expect(status).to_have_text("Give the guest's name.")
    expect(status).to_have_class(re.compile(r"\berror\b"))
    expect(page.get_by_label("Email")).to_have_value("zara@example.org")
    page.screenshot(path=str(ARTIFACTS / "door-walk-in-error-phone.png"), full_page=True)

    page.get_by_label("First name").fill("Zara")
    page.get_by_label("Last name").fill("Malik")
    page.get_by_role("button", name="Check the walk-in in").click()

    expect(status).to_have_text("Checked in Zara Malik as a walk-in, party of 1.")
    expect(status).to_have_class(re.compile(r"\bok\b"))
    expect(page.locator("#count-walk-ins")).to_have_text("1")
