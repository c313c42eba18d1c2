"""The back office's list pages at scale: 1,000,000 gifts from 100,000 donors (PostgreSQL).

Builds the data with bulk inserts (the fixture, not the product's path), brings every donor's
figures up to date through the product's own service (timed: it is what an import will call),
then times each admin list page as Staff sees it, and counts its queries.

    bench/run admin_lists [--gifts 1000000] [--donors 100000]
"""

from __future__ import annotations

import argparse
import datetime
import random
import time
from decimal import Decimal

from _common import bulk_donors, fresh_database, timed


def build(n_donors: int, n_gifts: int) -> None:
    from donors.models import (
        Campaign,
        Donor,
        Fund,
        Gift,
        Pledge,
    )
    from tests.factories import make_organization

    rng = random.Random(7)
    make_organization()
    campaigns = [
        Campaign.objects.create(name=f"Campaign {i}", slug=f"c{i}", goal=Decimal("50000"))
        for i in range(12)
    ]
    funds = [Fund.objects.create(name=f"Fund {i}") for i in range(5)]
    bulk_donors(n_donors, rng)
    batch = 10_000
    donor_ids = list(Donor.objects.values_list("pk", flat=True))

    t0 = time.perf_counter()
    methods = ["card", "card", "card", "check", "check", "ach", "cash", "wire"]
    today = datetime.date(2026, 11, 1)
    for start in range(0, n_gifts, batch):
        gifts = []
        for _ in range(min(batch, n_gifts - start)):
            day = today - datetime.timedelta(days=rng.randint(0, 5 * 365))
            amount = (
                Decimal(rng.choice([25, 50, 100, 250, 500, 1000]))
                + Decimal(rng.randint(0, 99)) / 100
            )
            gifts.append(
                Gift(
                    donor_id=rng.choice(donor_ids),
                    amount=amount,
                    method=rng.choice(methods),
                    gift_date=day,
                    tax_date=day,
                    campaign=rng.choice(campaigns),
                    fund=rng.choice(funds),
                    status="succeeded" if rng.random() > 0.02 else "refunded",
                    amount_refunded=0,
                )
            )
        for gift in gifts:
            if gift.status == "refunded":
                gift.amount_refunded = gift.amount
        Gift.objects.bulk_create(gifts)
    Pledge.objects.bulk_create(
        Pledge(donor_id=rng.choice(donor_ids), amount=Decimal("1200"), pledge_date=today)
        for _ in range(5000)
    )
    print(f"  {n_gifts:,} gifts in {time.perf_counter() - t0:.1f} s")


def refresh_figures() -> None:
    from donors.models import Donor
    from donors.services import donor_figures_refresh

    ids = list(Donor.objects.values_list("pk", flat=True))
    t0 = time.perf_counter()
    donor_figures_refresh(donor_ids=ids)
    elapsed = time.perf_counter() - t0
    print(
        f"  donor_figures_refresh: {len(ids):,} donors in {elapsed:.1f} s "
        f"({len(ids) / elapsed:,.0f} donors/s)"
    )


def measure(n_donors: int, n_gifts: int) -> None:
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from common.roles import STAFF
    from tests.factories import make_user

    # As in Django's own tests: keep one connection across requests so queries can be counted.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    # What autovacuum does after a bulk load: the month-total triggers leave a dead row version
    # per gift inserted, and fresh statistics let the planner see the million gifts.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    client = Client(SERVER_NAME="localhost")
    client.force_login(make_user("bench-staff", STAFF))
    some_email = "donor1234@example.org"
    pages = [
        ("donors", "/admin/donors/donor/"),
        ("donors, last page", f"/admin/donors/donor/?p={n_donors // 50}"),
        ("donors in Indiana", "/admin/donors/donor/?state=IN"),
        ("donor search by email", f"/admin/donors/donor/?q={some_email}"),
        ("donors who gave in 2025", "/admin/donors/donor/?gave_in=2025"),
        ("donors by lifetime total", "/admin/donors/donor/?o=6"),
        ("gifts", "/admin/donors/gift/"),
        ("gifts, page 1000", f"/admin/donors/gift/?p={min(1000, n_gifts // 50)}"),
        ("gifts of tax year 2025", "/admin/donors/gift/?tax_year=2025"),
        ("gifts by check", "/admin/donors/gift/?method__exact=check"),
        ("gift search by donor email", f"/admin/donors/gift/?q={some_email}"),
        ("pledges", "/admin/donors/pledge/"),
        ("campaigns (raised per campaign)", "/admin/donors/campaign/"),
    ]
    print(f"\n  {'page':40} {'median ms':>10} {'best ms':>9} {'queries':>8}")
    for label, url in pages:
        # DEBUG keeps the last 9,000 queries only: empty the log so the count is this page's.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        queries = len(captured.captured_queries)
        assert response.status_code == 200, (url, response.status_code)
        median, best = timed(lambda u=url: client.get(u))
        print(f"  {label:40} {median:10.1f} {best:9.1f} {queries:8}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gifts", type=int, default=1_000_000)
    parser.add_argument("--donors", type=int, default=100_000)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Measure the data a previous run left (migrating it first) instead of rebuilding.",
    )
    args = parser.parse_args()
    print(f"Admin list pages with {args.gifts:,} gifts from {args.donors:,} donors (PostgreSQL)")
    if args.reuse:
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        from django.contrib.auth.models import User

        User.objects.filter(username="bench-staff").delete()
    else:
        fresh_database()
        build(args.donors, args.gifts)
        refresh_figures()
    measure(args.donors, args.gifts)


if __name__ == "__main__":
    main()
