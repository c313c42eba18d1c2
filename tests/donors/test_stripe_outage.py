"""The webhook when the database is down: a 5xx so Stripe retries, and the retry, once the
database is back, records the payment once. The app runs under gunicorn in its own process."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.processes import Server, clean_env, manage
from tests.stripe_peer import API_KEY, WEBHOOK_SECRET, event, sign

DEAD_POSTGRES = "postgres://postgres@127.0.0.1:1/msp"


def _post(server: Server, evt: dict) -> tuple[int, dict]:
    body = json.dumps(evt).encode()
    request = urllib.request.Request(
        f"{server.url}/stripe/webhook/", data=body, method="POST",
        headers={"Content-Type": "application/json", "Stripe-Signature": sign(body)},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


@pytest.mark.django_db
def test_database_down_answers_503_and_the_retry_records_the_payment_once(stripe_peer, tmp_path):
    payment = stripe_peer.pay(cents=6000, fee_cents=204)
    evt = event("charge.succeeded", stripe_peer.charge_object(payment["charge"]))
    stripe_env = dict(
        STRIPE_SECRET_KEY=API_KEY, STRIPE_API_BASE=stripe_peer.url,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
    )  # fmt: skip
    with Server(clean_env(DATABASE_URL=DEAD_POSTGRES, **stripe_env)) as server:
        status, body = _post(server, evt)
    assert status == 503
    assert body == {"error": "database unavailable, retry later"}

    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    assert manage("migrate", "--no-input", env=clean_env(DATABASE_URL=url)).returncode == 0
    with Server(clean_env(DATABASE_URL=url, **stripe_env)) as server:
        assert _post(server, evt) == (200, {"outcome": "received"})
        assert _post(server, evt) == (200, {"outcome": "duplicate"})
