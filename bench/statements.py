"""Year-end statements for 10,000 donors (PostgreSQL, both cores).

Builds donors and a year of gifts with bulk inserts (the fixture, not the product's path), then
times the product's own path: ``statements_issue`` (read the year, number and save every
statement) split over two worker processes by donor, then each statement's PDF rendered (the
work of ``year_end_statements --out`` and of the emails), again over two processes.

    bench/run statements [--donors 10000] [--workers 2]
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing
import random
import time
from decimal import Decimal

from _common import fresh_database


def build(n_donors: int) -> None:
    from donors.models import Donor, DonorAddress, DonorEmail, Gift, SoftCredit
    from tests.factories import ensure_benefit_limits, make_organization

    rng = random.Random(11)
    make_organization()
    ensure_benefit_limits()
    states = ["IN", "CA", "NY", "TX", "IL", "NJ"]
    t0 = time.perf_counter()
    donors = [
        Donor(first_name=f"First{i}", last_name=f"Last{i % 700}",
              display_name=f"First{i} Last{i % 700}", sort_name=f"last{i % 700}, first{i}")
        for i in range(n_donors)
    ]  # fmt: skip
    Donor.objects.bulk_create(donors, batch_size=5000)
    DonorEmail.objects.bulk_create(
        (DonorEmail(donor=d, email=f"donor{d.pk}@example.org", is_primary=True) for d in donors),
        batch_size=5000,
    )
    DonorAddress.objects.bulk_create(
        (
            DonorAddress(donor=d, line1=f"{d.pk} Main St", city="Springfield",
                         region=rng.choice(states), postal_code=f"{rng.randint(10000, 99999)}",
                         is_primary=True)
            for d in donors
        ),
        batch_size=5000,
    )  # fmt: skip
    gifts = []
    for donor in donors:
        for _ in range(rng.choice([1, 2, 3, 4, 6])):
            day = datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randint(0, 364))
            amount = Decimal(rng.choice([25, 50, 100, 150, 250, 1000]))
            dinner = amount == 150
            gifts.append(
                Gift(donor=donor, amount=amount, method=rng.choice(["card", "check", "ach"]),
                     gift_date=day, tax_date=day, status="succeeded",
                     benefit_value=Decimal("60") if dinner else 0,
                     benefit_description="gala dinner" if dinner else "")
            )  # fmt: skip
    Gift.objects.bulk_create(gifts, batch_size=5000)
    credits = [
        SoftCredit(gift=g, donor=rng.choice(donors), kind="solicitor", amount=g.amount)
        for g in rng.sample(gifts, len(gifts) // 20)
        if g.donor_id
    ]
    SoftCredit.objects.bulk_create(credits, batch_size=5000, ignore_conflicts=True)
    print(f"  {n_donors:,} donors, {len(gifts):,} gifts of 2025, {len(credits):,} soft credits "
          f"built in {time.perf_counter() - t0:.1f} s")


def _issue(donor_ids: list[int]) -> int:
    import django

    django.setup()
    from compliance.services import statements_issue

    return len(statements_issue(year=2025, donor_ids=donor_ids))


def _render(statement_ids: list[int]) -> int:
    import django

    django.setup()
    from compliance.models import YearEndStatement
    from compliance.pdf import statement_pdf

    size = 0
    for offset in range(0, len(statement_ids), 500):
        for statement in YearEndStatement.objects.filter(
            pk__in=statement_ids[offset : offset + 500]
        ):
            size += len(statement_pdf(statement))
    return size


def _split(items: list[int], parts: int) -> list[list[int]]:
    size = -(-len(items) // parts)
    return [items[i : i + size] for i in range(0, len(items), size)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--donors", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    fresh_database()
    print(f"Year-end statements for {args.donors:,} donors, {args.workers} processes (PostgreSQL)")
    build(args.donors)

    from django.db import connections

    from compliance.models import YearEndStatement
    from compliance.services.statements import statement_donor_ids

    donor_ids = statement_donor_ids(year=2025)
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(args.workers) as pool:
        t0 = time.perf_counter()
        issued = sum(pool.map(_issue, _split(donor_ids, args.workers)))
        issue_seconds = time.perf_counter() - t0
        statement_ids = list(YearEndStatement.objects.values_list("pk", flat=True))
        connections.close_all()
        t0 = time.perf_counter()
        size = sum(pool.map(_render, _split(statement_ids, args.workers * 4)))
        render_seconds = time.perf_counter() - t0
    total = issue_seconds + render_seconds
    print(f"  issued    {issued:,} statements in {issue_seconds:6.1f} s "
          f"({issued / issue_seconds:,.0f}/s)")
    print(f"  rendered  {len(statement_ids):,} PDFs in {render_seconds:6.1f} s "
          f"({len(statement_ids) / render_seconds:,.0f}/s, {size / len(statement_ids) / 1024:.1f} "
          f"KiB each)")
    print(f"  total     {total:6.1f} s: {issued / total:,.0f} statements/second "
          f"(target: {args.donors:,} in 30 s)")


if __name__ == "__main__":
    main()
