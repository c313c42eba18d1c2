"""The one door's cost: a gift saved through its service, and the quick start's demo load,
this code beside the previous code, in one run.

For each side and each database (SQLite, PostgreSQL): a fresh database, migrated, the roles and
the organization profile, then

- the demo load (``crm.demo.demo_data_load``: 396 donors, about 1,900 gifts, all through the
  services, as ``manage.py quickstart`` loads it): seconds, wall and CPU of this process;
- ``--gifts`` gifts recorded one by one through ``gift_record`` (alternately a check and a
  Stripe card payment with its ids and fee, each its own transaction, donors with and without
  a time zone of their own): queries per gift save (the mean over the first 50, counted
  with Django's CaptureQueriesContext; BEGIN and COMMIT are statements on SQLite, not on
  PostgreSQL) and gift saves per second (the rest, not counted).

The previous code (default ``cec69db``, before the one door was made cheap) is checked out
into a temporary git worktree and run by the same script, each side in its own process.

    bench/run one_door [--gifts 600] [--db sqlite,postgresql] [--before REV] [--skip-before]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "cec69db"
COUNTED = 50


def child(code: Path, gifts: int) -> dict:
    """Runs in its own process, with ``code``'s modules first on the path."""
    sys.path.insert(0, str(code))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
    import django

    django.setup()
    import datetime
    from decimal import Decimal

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    settings.DEBUG = False  # no query log while timing (bench/run sets DEBUG for the settings)
    call_command("migrate", verbosity=0)
    from common.roles import roles_sync
    from crm import demo
    from donors import services
    from donors.models import Donor, Gift

    roles_sync()
    demo.organization_ensure()
    connection.close()  # the load starts as a request or command would: nothing remembered

    started, cpu = time.perf_counter(), time.process_time()
    loaded = demo.demo_data_load()
    load_s, load_cpu = time.perf_counter() - started, time.process_time() - cpu
    assert Gift.objects.count() == loaded["gifts"]

    donors = list(Donor.objects.order_by("pk")[:200])
    day = datetime.date.today() - datetime.timedelta(days=3)

    def save(n: int) -> None:
        donor = donors[n % len(donors)]
        if n % 2:
            services.gift_record(donor=donor, amount=Decimal("25.00"), method="check",
                                 gift_date=day, check_number=str(5000 + n))  # fmt: skip
        else:
            services.gift_record(
                donor=donor, amount=Decimal("50.00"), method="card", gift_date=day,
                charged_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=3),
                processor="stripe", stripe_payment_id=f"pi_bench_{n}",
                stripe_charge_id=f"ch_bench_{n}", fee=Decimal("1.40"),
            )  # fmt: skip

    queries = 0
    for n in range(COUNTED):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            save(n)
        queries += len(captured.captured_queries)
    started = time.perf_counter()
    for n in range(COUNTED, COUNTED + gifts):
        save(n)
    elapsed = time.perf_counter() - started
    return {
        "vendor": connection.vendor,
        "donors": loaded["donors"],
        "gifts": loaded["gifts"],
        "load_s": load_s,
        "load_cpu_s": load_cpu,
        "queries_per_save": queries / COUNTED,
        "saves_per_s": gifts / elapsed,
    }


def _pg_url(name: str) -> str:
    base = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/msp_bench_one_door"
    )
    return base.rsplit("/", 1)[0] + "/" + name


def _pg(sql: str) -> None:
    import psycopg

    base = _pg_url("postgres")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(sql)


def run_side(code: Path, vendor: str, gifts: int, scratch: Path, tag: str) -> dict:
    if vendor == "sqlite":
        url = f"sqlite:///{scratch / f'{tag}.sqlite3'}"
    else:
        name = f"msp_bench_one_door_{tag}"
        _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _pg(f'CREATE DATABASE "{name}"')
        url = _pg_url(name)
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(code)}
    try:
        out = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--child", str(code), "--gifts", str(gifts)],
            cwd=code, env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
    except subprocess.CalledProcessError as error:
        print(error.stderr[-3000:], file=sys.stderr)
        raise
    finally:
        if vendor == "postgresql":
            _pg(f'DROP DATABASE IF EXISTS "msp_bench_one_door_{tag}" WITH (FORCE)')
    return json.loads(out.stdout.strip().splitlines()[-1])


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--gifts", type=int, default=600, help="gift saves timed (after 50 counted)"
    )
    parser.add_argument("--db", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument("--before", default=BEFORE, help=f"the previous code (default {BEFORE})")
    parser.add_argument("--skip-before", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(Path(args.child), args.gifts)))
        return

    scratch = Path(tempfile.mkdtemp(prefix="msp-one-door-"))
    sides = [("this code", ROOT, "after")]
    worktree = None
    try:
        if not args.skip_before:
            worktree = scratch / "before"
            subprocess.run(["git", "worktree", "add", "--detach", str(worktree), args.before],
                           cwd=ROOT, check=True, capture_output=True)  # fmt: skip
            sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=worktree,
                                 check=True, capture_output=True, text=True).stdout.strip()  # fmt: skip
            sides.insert(0, (f"previous ({sha})", worktree, "before"))
        results = []
        for vendor in args.db.split(","):
            for label, code, tag in sides:
                print(f"{vendor}, {label}, load {load()} ...", flush=True)
                result = run_side(code, vendor, args.gifts, scratch, tag)
                results.append((vendor, label, result))
    finally:
        if worktree is not None:
            subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT,
                           check=False, capture_output=True)  # fmt: skip
    print(f"\nload average after: {load()}")
    print(f"{'database':<11} {'code':<20} {'queries/save':>12} {'saves/s':>8} "
          f"{'demo load s':>11} {'(CPU s)':>8}  demo")  # fmt: skip
    for vendor, label, r in results:
        print(f"{vendor:<11} {label:<20} {r['queries_per_save']:>12.1f} {r['saves_per_s']:>8.0f} "
              f"{r['load_s']:>11.1f} {r['load_cpu_s']:>8.1f}  {r['donors']} donors, "
              f"{r['gifts']} gifts")  # fmt: skip


if __name__ == "__main__":
    main()
