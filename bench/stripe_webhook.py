"""The Stripe webhook under load: 2,000 signed events (a quarter of them duplicates) posted by
8 concurrent clients to the endpoint served by gunicorn on PostgreSQL, with localstripe as the
Stripe the handlers ask for charges and fees. Prints events per second and the gifts created;
fails when any payment is lost or doubled.

    bench/run stripe_webhook [--events 2000] [--clients 8] [--workers 4]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from _common import ROOT, fresh_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    fresh_database()
    from django.conf import settings

    from donors.models import Gift, StripeEvent
    from tests import factories
    from tests.processes import free_port, port_answers
    from tests.stripe_peer import API_KEY, WEBHOOK_SECRET, Peer, event, sign

    factories.make_organization()
    peer = Peer().start()
    unique = args.events * 3 // 4
    payments = unique // 2
    started = time.perf_counter()
    events = []
    for n in range(payments):
        paid = peer.pay(cents=random.randint(500, 50000), email=f"donor{n % 400}@example.org",
                        name=f"Donor {n % 400}")  # fmt: skip
        events.append(event("charge.succeeded", peer.charge_object(paid["charge"])))
        events.append(
            event("payment_intent.succeeded", peer.payment_intent_object(paid["payment_intent"]))
        )
    print(f"{payments} payments made in localstripe in {time.perf_counter() - started:.1f}s")
    deliveries = events + random.choices(events, k=args.events - len(events))
    random.shuffle(deliveries)
    bodies = [json.dumps(e).encode() for e in deliveries]

    port = free_port()
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "STRIPE_SECRET_KEY": API_KEY,
        "STRIPE_API_BASE": peer.url,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "LOG_LEVEL": "WARNING",
    }
    log = tempfile.TemporaryFile(mode="w+")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "crm.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--timeout", "60", "--no-control-socket"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not port_answers("127.0.0.1", port):
            if server.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise SystemExit(f"gunicorn did not start:\n{log.read()}")
            time.sleep(0.1)
        url = f"http://127.0.0.1:{port}/stripe/webhook/"
        statuses: collections.Counter = collections.Counter()
        lock = threading.Lock()
        queue = list(enumerate(bodies))

        def client():
            while True:
                with lock:
                    if not queue:
                        return
                    _, body = queue.pop()
                request = urllib.request.Request(
                    url, data=body, method="POST",
                    headers={"Content-Type": "application/json", "Stripe-Signature": sign(body)},
                )  # fmt: skip
                for _attempt in range(5):  # as Stripe does: a 5xx is delivered again
                    try:
                        with urllib.request.urlopen(request, timeout=60) as response:
                            status = response.status
                    except urllib.error.HTTPError as error:
                        status = error.code
                    with lock:
                        statuses[status] += 1
                    if status < 500:
                        break

        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(15)
        peer.stop()

    gifts = Gift.objects.count()
    with_fee = Gift.objects.exclude(fee=None).count()
    recorded_events = StripeEvent.objects.count()
    print(f"{len(bodies)} deliveries ({len(events)} distinct events, "
          f"{len(bodies) - len(events)} duplicates), {args.clients} clients, "
          f"{args.workers} gunicorn workers")  # fmt: skip
    print(f"responses: {dict(sorted(statuses.items()))}")
    print(f"{len(bodies) / elapsed:.0f} events/second ({elapsed:.1f}s)")
    print(f"gifts created: {gifts} (payments: {payments}; with fee: {with_fee}); "
          f"events recorded: {recorded_events}")  # fmt: skip
    if gifts != payments or recorded_events != len(events) or with_fee != payments:
        raise SystemExit("FAILED: a payment was lost or doubled")
    print("none lost, none doubled")


if __name__ == "__main__":
    main()
