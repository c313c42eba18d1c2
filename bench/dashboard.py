"""The board dashboard at scale: 1,000,000 gifts from 100,000 donors (PostgreSQL).

Builds the data with bulk inserts (the fixture, not the product's path): five fiscal years of
gifts by card (Stripe), check, ACH, cash, wire and GlobalGiving payouts, some event tickets
(a benefit) and major gifts; twelve campaigns of which three are active (this year's, as a small
charity has), one of them the GlobalGiving campaign with fetched live figures; open pledges;
an eight-member board with goals and solicitor credits. Then brings every donor's figures up
to date with the product's own service, and times the dashboard page as a board member sees
it (median and best of 7 after a warm-up), its query count, and each figure's own query.

    bench/run dashboard [--gifts 1000000] [--donors 100000] [--reuse]

``--reuse`` measures again on the database a previous run built (no rebuild). Run it at
``--gifts 5000000`` too: the page's figures read the kept month totals and giving summary, so
its time should not grow with the gifts (the load average is printed: the machine is shared).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import time
from decimal import Decimal

from _common import bulk_donors, fresh_database, timed


def build(n_donors: int, n_gifts: int) -> None:
    from django.utils import timezone

    from donors.models import Donor, DonorKind, Organization
    from tests.factories import make_organization

    rng = random.Random(7)
    org = make_organization()
    today = timezone.localdate()
    fy = org.fiscal_year_of(today)
    fy_start, _ = org.fiscal_year_bounds(fy)
    oldest = org.fiscal_year_bounds(fy - 4)[0]

    campaigns_now, campaigns_old = _campaigns(fy_start)
    bulk_donors(n_donors, rng, address_share=0.9)
    platform = Donor.objects.create(
        kind=DonorKind.PLATFORM,
        organization_name="GlobalGiving",
        display_name="GlobalGiving",
        sort_name="globalgiving",
    )
    donor_ids = list(Donor.objects.exclude(pk=platform.pk).values_list("pk", flat=True))
    _gifts(n_gifts, rng, today, oldest, fy_start, platform.pk, donor_ids, campaigns_now,
           campaigns_old)  # fmt: skip
    _pledges_and_board(rng, donor_ids, campaigns_now, fy, fy_start, oldest)
    _globalgiving_fetches()
    assert Organization.current()


def _campaigns(fy_start):
    """Three active campaigns (the last one GlobalGiving's) and nine past ones."""
    from donors.models import Campaign

    now = [
        Campaign.objects.create(
            name="Annual fund", slug="annual", goal=Decimal("250000"), start_date=fy_start
        ),
        Campaign.objects.create(
            name="Dinners", slug="dinners", goal=Decimal("150000"), start_date=fy_start
        ),
        Campaign.objects.create(
            name="GlobalGiving",
            slug="gg",
            goal=Decimal("50000"),
            start_date=fy_start,
            globalgiving_project_id="98765",
        ),
    ]
    old = [
        Campaign.objects.create(
            name=f"Appeal {i}", slug=f"appeal-{i}", goal=Decimal("50000"), is_active=False
        )
        for i in range(9)
    ]
    return now, old


def _method_and_amount(rng: random.Random) -> tuple[dict, Decimal]:
    """A gift's method fields and amount, in the mix a small charity sees."""
    roll = rng.random()
    amount = Decimal(rng.choice([25, 50, 100, 250, 500])) + Decimal(rng.randint(0, 99)) / 100
    if roll < 0.01:
        return dict(method="globalgiving", processor="globalgiving"), Decimal(
            rng.randint(500, 3000)
        )
    if roll < 0.05:
        ticket = dict(benefit_value=Decimal("60"), benefit_description="Dinner")
        return dict(method="card", processor="stripe", **ticket), Decimal("150")
    if roll < 0.07:
        return dict(method="check"), Decimal(rng.choice([1000, 2500, 5000]))
    if roll < 0.35:
        return dict(method="check"), amount
    if roll < 0.45:
        return dict(method=rng.choice(["ach", "cash", "wire"])), amount
    return dict(method="card", processor="stripe"), amount


def _gifts(n_gifts, rng, today, oldest, fy_start, platform_id, donor_ids, campaigns_now,
           campaigns_old) -> None:  # fmt: skip
    from donors.models import Gift

    t0 = time.perf_counter()
    span = (today - oldest).days
    batch = 10_000
    for start in range(0, n_gifts, batch):
        gifts = []
        for _ in range(min(batch, n_gifts - start)):
            day = today - datetime.timedelta(days=rng.randint(0, span))
            fields, amount = _method_and_amount(rng)
            this_year = day >= fy_start
            campaign = (
                rng.choice(campaigns_now + [None]) if this_year else rng.choice(campaigns_old)
            )
            from_platform = fields["method"] == "globalgiving"
            if from_platform and this_year:
                campaign = campaigns_now[2]
            refunded = rng.random() < 0.02
            gifts.append(
                Gift(
                    donor_id=platform_id if from_platform else rng.choice(donor_ids),
                    amount=amount,
                    gift_date=day,
                    tax_date=day,
                    campaign=campaign,
                    status="refunded" if refunded else "succeeded",
                    amount_refunded=amount if refunded else 0,
                    **fields,
                )
            )
        Gift.objects.bulk_create(gifts)
    print(f"  {n_gifts:,} gifts in {time.perf_counter() - t0:.1f} s")


def _pledges_and_board(rng, donor_ids, campaigns_now, fy, fy_start, oldest) -> None:
    from donors.models import BoardGoal, BoardMember, Gift, Pledge, SoftCredit

    Pledge.objects.bulk_create(
        Pledge(
            donor_id=rng.choice(donor_ids),
            amount=Decimal("1200"),
            pledge_date=fy_start,
            campaign=rng.choice(campaigns_now),
        )
        for _ in range(2000)
    )
    members = []
    for donor_id in rng.sample(donor_ids, 8):
        member = BoardMember.objects.create(donor_id=donor_id, term_start=oldest)
        BoardGoal.objects.create(
            member=member, fiscal_year=fy, give_goal=Decimal("5000"), get_goal=Decimal("10000")
        )
        members.append(member)
    solicited = Gift.objects.filter(tax_date__gte=fy_start).exclude(method="globalgiving")
    SoftCredit.objects.bulk_create(
        SoftCredit(
            gift_id=gift_id, donor_id=rng.choice(members).donor_id, kind="solicitor", amount=amount
        )
        for gift_id, amount in solicited.values_list("pk", "amount")[:3000]
    )


def _globalgiving_fetches() -> None:
    """A year of hourly fetches of the GlobalGiving project, one in ten failed."""
    from django.utils import timezone

    from donors.models import GlobalGivingFetch

    now = timezone.now()
    GlobalGivingFetch.objects.bulk_create(
        GlobalGivingFetch(
            project_id="98765",
            ok=k % 10 != 0,
            fetched_at=now - datetime.timedelta(hours=k),
            funding=Decimal("18342.50") if k % 10 else None,
            goal=Decimal("50000") if k % 10 else None,
            donation_count=212 if k % 10 else None,
            error="" if k % 10 else "HTTP 500",
        )
        for k in range(24 * 365, 0, -1)
    )


def refresh_figures() -> None:
    from donors.models import Donor
    from donors.services import donor_figures_refresh

    ids = list(Donor.objects.values_list("pk", flat=True))
    t0 = time.perf_counter()
    donor_figures_refresh(donor_ids=ids)
    elapsed = time.perf_counter() - t0
    print(f"  donor_figures_refresh: {len(ids):,} donors in {elapsed:.1f} s")


def measure() -> None:
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from common.roles import BOARD_MEMBER
    from crm import dashboard as d
    from donors.models import Organization
    from donors.progress import campaign_progress
    from tests.factories import make_user

    # As in Django's own tests: keep one connection across requests so queries can be counted.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    client = Client(SERVER_NAME="localhost")
    from django.contrib.auth.models import User

    user = User.objects.filter(username="bench-board").first() or make_user(
        "bench-board", BOARD_MEMBER
    )
    client.force_login(user)
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/dashboard/")
    assert response.status_code == 200, response.status_code
    median, best = timed(lambda: client.get("/dashboard/"))
    print(f"\n  {'the dashboard page':44} {median:10.1f} {best:9.1f} {len(captured):8}")

    org = Organization.current()
    fy = d.fiscal_year_of(org, timezone.localdate())
    parts = [
        ("campaign progress (4 queries)", lambda: campaign_progress()),
        ("giving by month and channel", lambda: d.giving_by_month_and_channel(fy, org)),
        ("giving by state", lambda: d.giving_by_state(fy)),
        ("donor states (1 query, giving summary)", lambda: d.donor_states(fy)),
        ("top LYBUNT", lambda: list(d.lapsed_donors("lybunt", fy)[:10])),
        ("top SYBUNT", lambda: list(d.lapsed_donors("sybunt", fy)[:10])),
        ("board give and get", lambda: d.board_giving(fy)),
    ]
    for label, fn in parts:
        median, best = timed(fn)
        print(f"  {label:44} {median:10.1f} {best:9.1f}")
    lybunt = d.donor_states(fy).lapsed
    connection.queries_log.clear()  # a full log (its maxlen) would count nothing new
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/dashboard/lybunt/").status_code == 200
    median, best = timed(lambda: client.get("/dashboard/lybunt/"), repeat=3)
    label = f"LYBUNT list page ({lybunt:,} donors)"
    print(f"  {label:44} {median:10.1f} {best:9.1f} {len(captured):8}")
    print(f"\n  load average while measuring: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gifts", type=int, default=1_000_000)
    parser.add_argument("--donors", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true", help="measure the data already built")
    args = parser.parse_args()
    if args.reuse:
        import django

        django.setup()
        from donors.models import Gift

        print(f"The board dashboard with {Gift.objects.count():,} gifts (PostgreSQL, reused)")
    else:
        fresh_database()
        print(
            f"The board dashboard with {args.gifts:,} gifts from {args.donors:,} donors "
            "(PostgreSQL)"
        )
        build(args.donors, args.gifts)
        refresh_figures()
    print(f"\n  {'':44} {'median ms':>10} {'best ms':>9} {'queries':>8}", end="")
    measure()


if __name__ == "__main__":
    main()
