"""The Stripe webhook with Stripe's real latency, this code beside the previous code, in one run.

Each side gets its own fresh PostgreSQL database, gunicorn with 4 workers, a ``qcluster`` and
the same burst of signed events (a quarter of them duplicates) posted by concurrent clients on
loopback. The Stripe API the app calls is the local peer (localstripe) behind a proxy that
answers every call after 300 ms, as Stripe roughly does. Printed for each side: events
acknowledged per second, and seconds from the first post until every payment is recorded
exactly once (checked: none lost, none doubled, every fee there).

The previous code is the commit before this change (the parent of the commit that added
``event_store`` to donors/stripe/events.py), checked out into a temporary git worktree.

    bench/run webhook [--events 1200] [--clients 16] [--workers 4] [--cluster-workers 8]
                      [--cluster-nice 10] [--delay 0.3] [--before REV] [--skip-before]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import concurrent.futures
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
from pathlib import Path

from _common import ROOT


class SlowStripe:
    """A proxy in front of the local peer that holds every call ``delay`` seconds."""

    def __init__(self, target: str, delay: float):
        self.target, self.delay, self.url = target, delay, ""
        self.calls = 0

    def start(self) -> SlowStripe:
        from aiohttp import ClientSession, web

        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        async def forward(request):
            self.calls += 1
            await asyncio.sleep(self.delay)
            body = await request.read()
            headers = {
                k: v
                for k, v in request.headers.items()
                if k.lower() not in ("host", "content-length")
            }
            async with self._session.request(
                request.method, self.target + request.path_qs, headers=headers, data=body
            ) as answer:
                return web.Response(
                    status=answer.status, body=await answer.read(),
                    content_type=answer.content_type,
                )  # fmt: skip

        def run():
            asyncio.set_event_loop(self._loop)
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", forward)

            async def setup():
                self._session = ClientSession()
                self._runner = web.AppRunner(app, access_log=None)
                await self._runner.setup()
                site = web.TCPSite(self._runner, "127.0.0.1", 0, backlog=1024)
                await site.start()
                return site._server.sockets[0].getsockname()[1]

            self.url = f"http://127.0.0.1:{self._loop.run_until_complete(setup())}"
            ready.set()
            self._loop.run_forever()

        threading.Thread(target=run, daemon=True, name="slow-stripe").start()
        ready.wait(10)
        return self


def previous_commit() -> str:
    introduced = subprocess.run(
        ["git", "log", "-1", "--format=%H", "-S", "def event_store", "--", "donors/stripe/events.py"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if not introduced:
        raise SystemExit("cannot find the commit that made the webhook queue its work")
    return introduced + "^"


def database_url(name: str) -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def recreate(name: str) -> None:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    params = dict(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"])
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop(name: str) -> None:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    params = dict(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"])
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def recorded(url: str) -> tuple[int, int, int]:
    """(gifts, distinct Stripe payments among them, gifts with their fee)."""
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT count(*), count(DISTINCT stripe_payment_id), count(fee) FROM donors_gift"
        ).fetchone()


def _warm(_n: int) -> None:
    pass


def _post_all(endpoint: str, bodies: list[bytes], threads: int) -> collections.Counter:
    """Post every body with ``threads`` concurrent clients; the count of each status."""
    from tests.stripe_peer import sign

    statuses: collections.Counter = collections.Counter()
    lock = threading.Lock()
    queue = list(reversed(bodies))

    def client():
        while True:
            with lock:
                if not queue:
                    return
                body = queue.pop()
            request = urllib.request.Request(
                endpoint, data=body, method="POST",
                headers={"Content-Type": "application/json", "Stripe-Signature": sign(body)},
            )  # fmt: skip
            for _attempt in range(5):  # as Stripe does: a 5xx is delivered again
                try:
                    with urllib.request.urlopen(request, timeout=120) as response:
                        status = response.status
                except urllib.error.HTTPError as error:
                    status = error.code
                with lock:
                    statuses[status] += 1
                if status < 500:
                    break

    pool = [threading.Thread(target=client) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return statuses


def _side_env(url: str, stripe_url: str, args) -> dict:
    from tests.stripe_peer import API_KEY, WEBHOOK_SECRET

    env = {
        **os.environ,
        "DATABASE_URL": url,
        "STRIPE_SECRET_KEY": API_KEY,
        "STRIPE_API_BASE": stripe_url,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "LOG_LEVEL": "WARNING",
        # Production settings (no query log kept per request), over plain HTTP on loopback.
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "Q_SYNC": "false",
        "Q_WORKERS": str(args.cluster_workers),
    }
    env.pop("REDIS_URL", None)
    return env


def _start(label: str, root: Path, env: dict, args, log) -> tuple[int, list[subprocess.Popen]]:
    """Migrate, then start gunicorn and a qcluster; the port once gunicorn answers."""
    from tests.processes import free_port, port_answers

    migrate = subprocess.run([sys.executable, "manage.py", "migrate", "--no-input"], cwd=root,
                             env=env, capture_output=True, text=True)  # fmt: skip
    if migrate.returncode:
        raise SystemExit(f"{label}: migrate failed:\n{migrate.stderr[-3000:]}")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "crm.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--timeout", "120", "--backlog", "2048",
         "--no-control-socket"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    cluster = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"], cwd=root, env=env,
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        preexec_fn=(lambda: os.nice(args.cluster_nice)) if args.cluster_nice else None,
    )  # fmt: skip
    processes = [server, cluster]
    deadline = time.monotonic() + 60
    while not port_answers("127.0.0.1", port):
        if server.poll() is not None or time.monotonic() > deadline:
            _stop_all(processes)
            log.seek(0)
            raise SystemExit(f"{label}: gunicorn did not start:\n{log.read()}")
        time.sleep(0.1)
    time.sleep(5)  # the cluster's and the workers' start, not timed
    return port, processes


def _stop_all(processes: list[subprocess.Popen]) -> None:
    for proc in processes:
        proc.terminate()
    for proc in processes:
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def _burst(endpoint: str, bodies: list[bytes], args) -> tuple[collections.Counter, float, float]:
    """Post every delivery; the responses' statuses, when the burst started and its seconds."""
    # The clients run in their own processes: in this one they would share the interpreter
    # lock with the local Stripe peer the cluster is calling, and measure that instead.
    statuses: collections.Counter = collections.Counter()
    shares = [bodies[i :: args.client_processes] for i in range(args.client_processes)]
    threads = max(1, args.clients // args.client_processes)
    with concurrent.futures.ProcessPoolExecutor(args.client_processes) as pool:
        list(pool.map(_warm, range(args.client_processes)))  # the processes' start, not timed
        start = time.perf_counter()
        for counted in pool.map(
            _post_all, [endpoint] * len(shares), shares, [threads] * len(shares)
        ):
            statuses.update(counted)
    return statuses, start, time.perf_counter() - start


def run_side(label: str, root: Path, url: str, stripe_url: str, bodies: list[bytes], payments: int,
             args) -> dict:  # fmt: skip
    log = tempfile.TemporaryFile(mode="w+")
    port, processes = _start(label, root, _side_env(url, stripe_url, args), args, log)
    try:
        statuses, start, acknowledged = _burst(f"http://127.0.0.1:{port}/stripe/webhook/", bodies,
                                               args)  # fmt: skip
        done = None
        while time.perf_counter() - start < args.wait:
            if recorded(url) == (payments, payments, payments):
                done = time.perf_counter() - start
                break
            time.sleep(0.2)
    finally:
        _stop_all(processes)
    gifts, distinct, with_fee = recorded(url)
    return {
        "label": label,
        "rate": len(bodies) / acknowledged,
        "acknowledged": acknowledged,
        "done": done,
        "statuses": dict(sorted(statuses.items())),
        "gifts": gifts,
        "distinct": distinct,
        "with_fee": with_fee,
        "exact": (gifts, distinct, with_fee) == (payments, payments, payments),
    }


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _arguments():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1200, help="deliveries in the burst")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--client-processes", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument(
        "--cluster-workers", type=int, default=8, help="qcluster workers (Q_WORKERS)"
    )
    parser.add_argument(
        "--cluster-nice",
        type=int,
        default=10,
        help="the qcluster's CPU priority (nice), as the README runs it; 0 to run it as the web",
    )
    parser.add_argument(
        "--delay", type=float, default=0.3, help="seconds the Stripe peer takes per call"
    )
    parser.add_argument("--wait", type=float, default=300, help="give up after this many seconds")
    parser.add_argument("--before", help="the previous code's commit (default: found in git)")
    parser.add_argument("--skip-before", action="store_true")
    args = parser.parse_args()
    args.events = min(args.events, 20_000)  # a bounded burst, on loopback only
    return args


def _deliveries(peer, args) -> tuple[list[bytes], int]:
    """Payments made in the peer, their two events each, shuffled with a quarter duplicates:
    the bodies to post and how many payments."""
    from tests.stripe_peer import event

    payments = args.events * 3 // 4 // 2
    started = time.perf_counter()
    events = []
    for n in range(payments):
        cents = random.randint(500, 50000)
        paid = peer.pay(cents=cents, fee_cents=30 + cents * 29 // 1000,
                        email=f"donor{n % 400}@example.org", name=f"Donor {n % 400}")  # fmt: skip
        events.append(event("charge.succeeded", peer.charge_object(paid["charge"])))
        events.append(
            event("payment_intent.succeeded", peer.payment_intent_object(paid["payment_intent"]))
        )
    deliveries = events + random.choices(events, k=args.events - len(events))
    random.shuffle(deliveries)
    bodies = [json.dumps(e).encode() for e in deliveries]
    print(f"{payments} payments made in the local Stripe peer in {time.perf_counter() - started:.1f} s; "
          f"{len(bodies)} deliveries ({len(events)} distinct events, {len(bodies) - len(events)} "
          f"duplicates), {args.clients} clients, {args.workers} gunicorn workers, a qcluster with "
          f"{args.cluster_workers} workers, every Stripe call answered after {args.delay * 1000:.0f} ms")  # fmt: skip
    return bodies, payments


def _previous_side(base: str, stripe_url: str, bodies, payments, args) -> dict:
    """The previous code, checked out into a temporary worktree, run on its own database."""
    rev = args.before or previous_commit()
    worktree = Path(tempfile.mkdtemp(prefix="msp-before-")) / "code"
    subprocess.run(["git", "worktree", "add", "--detach", str(worktree), rev], cwd=ROOT,
                   check=True, capture_output=True)  # fmt: skip
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=worktree,
                             capture_output=True, text=True).stdout.strip()  # fmt: skip
        name = f"{base}_before"
        recreate(name)
        print(f"previous code ({sha}), load {load()} ...", flush=True)
        result = run_side(f"previous ({sha})", worktree, database_url(name), stripe_url, bodies,
                          payments, args)  # fmt: skip
        drop(name)
        return result
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT,
                       capture_output=True)  # fmt: skip


def _report(results: list[dict], payments: int, args, calls: int) -> None:
    print(f"\nload average after: {load()}; Stripe calls answered by the slow peer: {calls}")
    print(
        f"{'code':<22} {'acknowledged/s':>15} {'burst s':>8} {'all recorded s':>15}  gifts  responses"
    )
    for r in results:
        done = f"{r['done']:.1f}" if r["done"] is not None else f">{args.wait:.0f}"
        print(f"{r['label']:<22} {r['rate']:>15.0f} {r['acknowledged']:>8.1f} {done:>15}  "
              f"{r['gifts']:>5}  {r['statuses']}")  # fmt: skip
    failed = [r["label"] for r in results if not r["exact"]]
    if failed:
        for r in results:
            print(f"{r['label']}: {r['gifts']} gifts, {r['distinct']} payments, {r['with_fee']} "
                  f"with fee; expected {payments} of each")  # fmt: skip
        raise SystemExit(f"FAILED: a payment was lost or doubled ({', '.join(failed)})")
    print(f"every payment recorded exactly once ({payments}), none lost, none doubled")


def main() -> None:
    args = _arguments()
    import django

    django.setup()  # each side below gets its own fresh database
    from django.conf import settings

    from tests.stripe_peer import Peer

    base = settings.DATABASES["default"]["NAME"]
    peer = Peer().start()
    slow = SlowStripe(peer.url, args.delay).start()
    results = []
    try:
        bodies, payments = _deliveries(peer, args)
        if not args.skip_before:
            results.append(_previous_side(base, slow.url, bodies, payments, args))
        name = f"{base}_after"
        recreate(name)
        print(f"this code, load {load()} ...", flush=True)
        results.append(run_side("this code", ROOT, database_url(name), slow.url, bodies,
                                payments, args))  # fmt: skip
        drop(name)
    finally:
        peer.stop()
    _report(results, payments, args, slow.calls)


if __name__ == "__main__":
    main()
