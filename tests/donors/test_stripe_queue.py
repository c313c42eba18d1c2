"""The webhook under gunicorn hands its work to a real task cluster: every delivery answered at
once, every payment recorded exactly once after the cluster has worked through the queue."""

from __future__ import annotations

import concurrent.futures
import json
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request

from tests.processes import ROOT, Server, clean_env, manage
from tests.stripe_peer import API_KEY, WEBHOOK_SECRET, event, sign

PAYMENTS = 12


def _post(url: str, evt: dict) -> int:
    body = json.dumps(evt).encode()
    request = urllib.request.Request(
        f"{url}/stripe/webhook/", data=body, method="POST",
        headers={"Content-Type": "application/json", "Stripe-Signature": sign(body)},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        with error:
            return error.code


def test_all_deliveries_answered_at_once_and_each_payment_recorded_once_by_the_cluster(
    stripe_peer, tmp_path
):
    database = tmp_path / "db.sqlite3"
    env = clean_env(
        DATABASE_URL=f"sqlite:///{database}", STRIPE_SECRET_KEY=API_KEY,
        STRIPE_API_BASE=stripe_peer.url, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
    )  # fmt: skip
    assert manage("migrate", "--no-input", env=env).returncode == 0
    payments = [stripe_peer.pay(cents=1000 + n, fee_cents=59) for n in range(PAYMENTS)]
    events = []
    for payment in payments:
        events.append(event("charge.succeeded", stripe_peer.charge_object(payment["charge"])))
        events.append(
            event(
                "payment_intent.succeeded",
                stripe_peer.payment_intent_object(payment["payment_intent"]),
            )
        )
    deliveries = events + events[::3]  # some delivered twice, as Stripe's retries do

    with Server(env) as server:
        # No cluster runs yet: the answers cannot be waiting for the work.
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda evt: _post(server.url, evt), deliveries))
        assert statuses == [200] * len(deliveries), server.output
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM donors_gift").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM donors_stripeevent").fetchone() == (len(events),)

    cluster = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env,
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        waiting = len(events)
        while waiting and time.monotonic() < deadline:
            time.sleep(0.5)
            with sqlite3.connect(database, timeout=20) as db:
                (waiting,) = db.execute(
                    "SELECT count(*) FROM donors_stripeevent WHERE processed_at IS NULL"
                ).fetchone()
    finally:
        cluster.terminate()
        cluster.wait(timeout=30)

    assert waiting == 0
    with sqlite3.connect(database) as db:
        gifts = db.execute(
            "SELECT stripe_payment_id, count(*), sum(amount), sum(fee) FROM donors_gift "
            "GROUP BY stripe_payment_id"
        ).fetchall()
    recorded = {key: (count, round(amount, 2), round(fee, 2)) for key, count, amount, fee in gifts}
    assert recorded == {
        p["payment_intent"]: (1, round((1000 + n) / 100, 2), 0.59) for n, p in enumerate(payments)
    }
