"""Shared set-up for the benchmarks: a fresh database, migrated, and a timer."""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")


def fresh_database() -> None:
    """Drop and recreate the benchmark database named by DATABASE_URL, then migrate it."""
    import django
    import psycopg
    from django.conf import settings

    django.setup()
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit("The benchmarks run on PostgreSQL: set BENCH_DATABASE_URL.")
    params = dict(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"])
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def timed(fn, repeat: int = 7) -> tuple[float, float]:
    """(median, best) wall time in milliseconds over ``repeat`` runs after one warm-up."""
    fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs), min(runs)


STATES = ["IN", "CA", "NY", "TX", "IL", "NJ", "VA", "MI", "GA", "WA"]


def bulk_donors(n_donors: int, rng, *, address_share: float = 1.0, batch: int = 10_000) -> None:
    """n donors, each with a primary email and (for ``address_share`` of them) a primary US
    address in one of ten states, written with bulk inserts: the fixture, not the product's
    path. Prints how long it took."""
    from donors.models import Donor, DonorAddress, DonorEmail

    t0 = time.perf_counter()
    for start in range(0, n_donors, batch):
        donors = [
            Donor(
                first_name=f"First{i}",
                last_name=f"Last{i % 5000}",
                display_name=f"First{i} Last{i % 5000}",
                sort_name=f"last{i % 5000}, first{i}",
            )
            for i in range(start, min(start + batch, n_donors))
        ]
        Donor.objects.bulk_create(donors)
        DonorEmail.objects.bulk_create(
            DonorEmail(donor=d, email=f"donor{d.pk}@example.org", is_primary=True) for d in donors
        )
        DonorAddress.objects.bulk_create(
            DonorAddress(
                donor=d,
                line1=f"{d.pk} Main St",
                city="Springfield",
                region=rng.choice(STATES),
                postal_code=f"{rng.randint(10000, 99999)}",
                is_primary=True,
            )
            for d in donors
            if address_share >= 1 or rng.random() < address_share
        )
    print(f"  {n_donors:,} donors with emails and addresses in {time.perf_counter() - t0:.1f} s")
