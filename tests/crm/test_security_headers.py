"""The Content-Security-Policy and the Permissions-Policy on every page: the public pages carry
no inline code at all, and whatever a back office page inlines is allowed by its hash in the
policy, never by 'unsafe-inline'. (tests/crm/test_csp_browser.py loads the same pages in
Chromium and fails on any violation it reports.)"""

from __future__ import annotations

import base64
import hashlib
import re
from decimal import Decimal as D

import pytest
from django.urls import reverse

from compliance import services as compliance_services
from events.services import invitations_create
from tests import factories

pytestmark = pytest.mark.django_db

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S | re.I)
_ATTRIBUTE = re.compile(r"<[a-z][^>]*\s(style|on[a-z]+)\s*=", re.I)


@pytest.fixture
def pages(organization, organizer, staff):
    """One of each page people open, with what it needs to show its whole content."""
    event = factories.make_event(slug="gala", organizers=[organizer])
    factories.make_ticket_type(event)
    guest = factories.make_donor(first_name="Ayesha", last_name="Khan", email="ayesha@example.org")
    [invitation] = invitations_create(event=event, donors=[guest])
    factories.ensure_benefit_limits()
    gift = factories.make_gift(donor=guest, amount=D("250.00"))
    receipt = compliance_services.receipt_issue(gift=gift)
    public = [
        "/donate/",
        f"/events/{event.slug}/",
        f"/rsvp/{invitation.token}/",
        reverse("receipt_verify", args=[receipt.verification_code]),
    ]
    back_office = [
        f"/events/{event.slug}/check-in/",
        f"/events/{event.slug}/summary/",
        "/dashboard/",
        reverse("admin:index"),
        reverse("admin:donors_donor_changelist"),
        reverse("admin:donors_donor_change", args=[guest.pk]),
        reverse("admin:donors_donor_auditlog", args=[guest.pk]),
        reverse("admin:donors_gift_changelist"),
        reverse("admin:donors_gift_import"),
        reverse("admin:donors_pledge_add"),
        reverse("admin:compliance_receipt_changelist"),
        reverse("admin:events_event_change", args=[event.pk]),
    ]
    return public, back_office


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def test_public_pages_carry_no_inline_script_style_or_handler(client, pages):
    public, _ = pages
    for url in public:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert all("src=" in attrs for attrs, _ in _SCRIPT.findall(html)), url
        assert not _STYLE.findall(html), url
        assert not _ATTRIBUTE.findall(html), url


def test_every_page_has_a_strict_policy_that_allows_exactly_what_it_inlines(
    client, pages, administrator, organizer
):
    public, back_office = pages
    responses = [(url, client.get(url)) for url in public]
    client.force_login(administrator)
    responses += [(url, client.get(url)) for url in back_office]
    client.force_login(organizer)
    responses.append(("check-in as organizer", client.get("/events/gala/check-in/")))

    for url, response in responses:
        assert response.status_code == 200, url
        policy = _directives(response)
        assert policy["default-src"] == ["'none'"], url
        assert policy["script-src"] == ["'self'"], url
        assert policy["frame-ancestors"] == ["'none'"], url
        assert "'unsafe-inline'" not in policy["style-src"], url
        html = response.content.decode()
        for attrs, code in _SCRIPT.findall(html):
            assert "src=" in attrs or "application/json" in attrs, (url, code[:80])
        for css in _STYLE.findall(html):
            assert _sha256(css) in policy["style-src"], (url, css[:80])
        assert not _ATTRIBUTE.findall(html), (url, _ATTRIBUTE.findall(html))


def test_every_response_turns_off_the_browser_features_no_page_uses(client, pages):
    for url in ["/donate/", "/healthz", "/admin/login/", "/no-such-page/"]:
        header = client.get(url).headers["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in header, (url, feature)
