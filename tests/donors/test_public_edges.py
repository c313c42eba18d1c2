"""The public edge as the probe met it under gunicorn with DEBUG off: a forged X-Forwarded-For,
a donation of $1e30, a webhook body of megabytes, a NUL byte in a verification link."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory, override_settings

from donors.models import Gift, StripeEvent
from donors.ratelimit import client_ip

pytestmark = pytest.mark.django_db

# What production settings (DEBUG off) set, and what the old address rule took as "a proxy is
# in front": the probe's app had it set with no proxy at all.
PRODUCTION_PROXY_HEADER = {"SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")}


@override_settings(**PRODUCTION_PROXY_HEADER)
def test_rotating_x_forwarded_for_does_not_lift_the_receipt_verification_limit():
    client = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [
        client.get(
            "/receipts/verify/NoSuchCodeAtAll123456789/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"
        ).status_code
        for n in range(40)
    ]

    assert statuses[:30] == [404] * 30
    assert statuses[30:] == [429] * 10


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_trusted_proxy_each_client_has_its_own_limit_whatever_it_claims():
    one, other = Client(REMOTE_ADDR="10.0.0.2"), Client(REMOTE_ADDR="10.0.0.2")
    url = "/receipts/verify/NoSuchCodeAtAll123456789/"

    def from_one(n):
        return one.get(url, HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, 198.51.100.7").status_code

    first = [from_one(n) for n in range(31)]
    second = other.get(url, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code

    assert first[-1] == 429
    assert second == 404


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.7", "10.0.0.2"),  # no proxy trusted: the header is the client's claim
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.1", "198.51.100.7"),
        (2, "198.51.100.7", "10.0.0.2"),  # fewer hops than proxies: not through all of them
        (1, "not-an-address", "10.0.0.2"),
        (1, "", "10.0.0.2"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_is_the_address_the_outermost_trusted_proxy_saw(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1e30", "please contact us"),
        ("-1e30", "The smallest online gift is $5.00."),
        ("1e999999", "please contact us"),
        ("NaN", "dollars and cents"),
        ("Infinity", "dollars and cents"),
        ("9" * 5000, "please contact us"),
    ],
)
def test_a_huge_or_strange_other_amount_is_a_message_not_a_500(stripe_on, amount, message):
    before = len(stripe_on.sessions)
    response = Client().post(
        "/donate/", {"amount": "other", "other_amount": amount, "frequency": "once"}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert len(stripe_on.sessions) == before


def test_control_characters_in_the_donation_form_are_refused_with_a_message(stripe_on):
    before = len(stripe_on.sessions)
    response = Client().post(
        "/donate/",
        {"amount": "50", "frequency": "once", "tribute_kind": "honor",
         "tribute_name": "Ammi\x0bJan"},
    )  # fmt: skip

    assert response.status_code == 400
    assert "Remove the control character U+000B" in response.content.decode()
    assert len(stripe_on.sessions) == before


def test_a_nul_byte_in_the_campaign_link_shows_the_page_without_a_campaign(stripe_on):
    response = Client().get("/donate/?campaign=%00")

    assert response.status_code == 200


def test_a_webhook_body_of_megabytes_is_refused_413_before_it_is_read(stripe_on):
    body = b'{"id": "evt_big", "type": "charge.succeeded", "pad": "' + b"x" * 3_000_000 + b'"}'

    response = Client().post(
        "/stripe/webhook/", data=body, content_type="application/json",
        HTTP_STRIPE_SIGNATURE="t=1,v1=00",
    )  # fmt: skip

    assert response.status_code == 413
    assert not StripeEvent.objects.exists() and not Gift.objects.exists()


def test_a_nul_byte_in_a_verification_link_is_no_receipt_not_a_500():
    response = Client().get("/receipts/verify/abc%00def/")

    assert response.status_code == 404
    assert "No receipt has this verification code" in response.content.decode()
