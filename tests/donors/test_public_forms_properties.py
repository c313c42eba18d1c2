"""Whatever a stranger sends to the donation page, the receipt check or the Stripe webhook, the
answer is never a 500 and nothing is half-written (property-based, with hypothesis)."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from donors.models import Donor, Gift, StripeEvent
from donors.stripe.handlers import HANDLERS
from tests import factories
from tests.public_inputs import field, form, junk, public_form_settings
from tests.stripe_peer import sign

pytestmark = pytest.mark.django_db

donate_forms = form(
    amount=field("25", "50", "100", "250", "500", "other"),
    other_amount=field("75", "75.50", "5.00", "25000"),
    frequency=field("once", "monthly"),
    campaign=field("gala-2026"),
    cover_fee=field("on"),
    tribute_kind=field("honor", "memory"),
    tribute_name=field("Ammi"),
    tribute_notify_name=field("Omar"),
    tribute_notify_email=field("ammi@example.org"),
)


@pytest.fixture
def campaign(db):
    return factories.make_campaign(slug="gala-2026")


@public_form_settings
@given(data=donate_forms)
def test_the_donation_page_never_answers_500_and_writes_nothing(stripe_on, campaign, data):
    cache.clear()  # the rate limit is tested elsewhere; here every example reaches the form
    gifts, donors = Gift.objects.count(), Donor.objects.count()

    response = Client().post("/donate/", data)

    assert response.status_code in (303, 400), response.content.decode()[:500]
    assert (Gift.objects.count(), Donor.objects.count()) == (gifts, donors)


@public_form_settings
@given(code=junk)
def test_the_receipt_check_never_answers_500(code):
    cache.clear()
    path = f"/receipts/verify/{urllib.parse.quote(code, safe='')}/"

    response = Client().get(path)

    assert response.status_code == 404


json_keys = st.sampled_from(["id", "type", "data", "object", "created"]) | st.text(max_size=8)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(json_keys, children, max_size=5)
    ),
    max_leaves=20,
)


def _applicable(value) -> bool:
    """An event the books would act on (a genuine Stripe event a handler applies)."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("type"), str)
        and (value["type"] in HANDLERS)
    )


# Nearly events: each part of an event's shape, with any value in it.
event_like = st.fixed_dictionaries(
    {
        "id": json_values | st.just("evt_1"),
        "type": json_values | st.sampled_from(["customer.created", "charge.succeeded"]),
        "data": json_values | st.fixed_dictionaries({"object": json_values}),
    },
    optional={"created": json_values},
)
bodies = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=500).map(lambda t: t.encode("utf-8")),
    (json_values | event_like)
    .filter(lambda v: not _applicable(v))
    .map(lambda v: json.dumps(v).encode()),
)
signatures = st.sampled_from(["none", "junk", "signed", "wrong-secret", "stale"])


@public_form_settings
@given(body=bodies, signature=signatures)
def test_the_webhook_answers_any_body_with_a_4xx_or_200_and_records_nothing(
    stripe_on, body, signature
):
    headers = {
        "none": {},
        "junk": {"HTTP_STRIPE_SIGNATURE": "t=abc,v1=\x00zz"},
        "signed": {"HTTP_STRIPE_SIGNATURE": sign(body)},
        "wrong-secret": {"HTTP_STRIPE_SIGNATURE": sign(body, "whsec_other")},
        "stale": {"HTTP_STRIPE_SIGNATURE": sign(body, timestamp=1)},
    }[signature]

    response = Client().post(
        "/stripe/webhook/", data=body, content_type="application/json", **headers
    )

    # 200 only for a signed body that is an event the books do not need ("ignored").
    assert response.status_code in ((400, 200) if signature == "signed" else (400,))
    assert not StripeEvent.objects.exists() and not Gift.objects.exists()
