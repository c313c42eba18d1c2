"""Year-end statements for 10,000 donors (PostgreSQL, both cores), with the organization's
logo and the TrueType fonts (a tenth of the donors have names in Urdu, Chinese or Cyrillic
script, the rest Latin with some diacritics).

Builds donors and two years of gifts with bulk inserts (the fixture, not the product's path),
then times the product's two user-visible paths:

1. ``year_end_statements --year 2025 --out DIR``: issue every statement and write every PDF,
   the command's own process pool on every core (``--workers``, default the core count);
2. the admin's background batch (``issue_batch_start`` for 2024, as the "Add background batch"
   form does) run by a real ``qcluster`` with its two workers, from the form's submission to
   the batch's status "done". A batch issues statements (and queues their emails); it prints
   no PDF itself, so this figure is issuing only.

    bench/run statements [--donors 10000] [--workers 2] [--skip-batch] [--out-base DIR]
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from _common import ROOT, fresh_database

NAMES = [
    ("Ayesha", "Khan"), ("Zoë", "Łukasiewicz-Ñúñez"), ("Muhammad", "Qureshi"),
    ("Fatima", "Siddiqui"), ("Bilal", "Chaudhry"), ("Sara", "Malik"), ("Imran", "Butt"),
    ("José", "Pérez"), ("Hina", "Rehman"), ("Omar", "Farooq"),
]  # fmt: skip
OTHER_SCRIPTS = [("عائشہ", "خان"), ("محمد", "علی"), ("小龍", "李"), ("Дмитрий", "Иванов")]


def logo_png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (900, 300), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((20, 20, 280, 280), fill=(18, 110, 60, 255))
    draw.rectangle((320, 90, 880, 210), fill=(190, 30, 45, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def build(n_donors: int) -> None:
    from donors.models import Donor, DonorAddress, DonorEmail, Gift, Organization, SoftCredit
    from donors.services import organization_save
    from tests.factories import ensure_benefit_limits, make_organization

    rng = random.Random(11)
    make_organization()
    organization = Organization.objects.get()
    organization.logo = logo_png()
    organization_save(organization=organization)
    ensure_benefit_limits()
    for year in (2024,):
        from compliance.models import BenefitLimit

        BenefitLimit.objects.get_or_create(
            year=year,
            defaults=dict(low_cost_article_max=Decimal("13.30"),
                          low_cost_article_min_payment=Decimal("66.50"),
                          benefit_cap=Decimal("133.00")),
        )  # fmt: skip
    states = ["IN", "CA", "NY", "TX", "IL", "NJ"]
    t0 = time.perf_counter()
    donors = []
    for i in range(n_donors):
        first, last = (OTHER_SCRIPTS if i % 10 == 0 else NAMES)[i % 4 if i % 10 == 0 else i % 10]
        donors.append(Donor(first_name=first, last_name=f"{last}", display_name=f"{first} {last}",
                            sort_name=f"{last}, {first}".lower()))  # fmt: skip
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
    for year in (2024, 2025):
        for donor in donors:
            for _ in range(rng.choice([1, 2, 3, 4, 6])):
                day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randint(0, 364))
                amount = Decimal(rng.choice([25, 50, 100, 150, 250, 1000]))
                dinner = amount == 150
                mug = amount == 100
                gifts.append(
                    Gift(donor=donor, amount=amount, method=rng.choice(["card", "check", "ach"]),
                         gift_date=day, tax_date=day, status="succeeded",
                         benefit_value=Decimal("60") if dinner else Decimal("8") if mug else 0,
                         benefit_description="gala dinner" if dinner else "mug" if mug else "",
                         benefit_is_low_cost_article=mug)
                )  # fmt: skip
    Gift.objects.bulk_create(gifts, batch_size=5000)
    credits = [
        SoftCredit(gift=g, donor=rng.choice(donors), kind="solicitor", amount=g.amount)
        for g in rng.sample(gifts, len(gifts) // 20)
    ]
    SoftCredit.objects.bulk_create(credits, batch_size=5000, ignore_conflicts=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as a database in service would be, not mid-load
    print(
        f"  {n_donors:,} donors (a tenth in Urdu, Chinese or Cyrillic script), "
        f"{len(gifts):,} gifts of 2024-2025, {len(credits):,} soft credits, a PNG logo; "
        f"built in {time.perf_counter() - t0:.1f} s"
    )


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (the pool's)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def load() -> str:
    return "load average " + " ".join(f"{v:.2f}" for v in os.getloadavg())


def run_command(workers: int, out_base: str | None) -> None:
    from django.core.management import call_command

    from compliance.models import YearEndStatement

    with tempfile.TemporaryDirectory(prefix="statements-", dir=out_base) as out:
        before = load()
        cpu0 = _cpu()
        t0 = time.perf_counter()
        call_command("year_end_statements", year=2025, out=out, workers=workers,
                     stdout=io.StringIO())  # fmt: skip
        seconds = time.perf_counter() - t0
        cpu = _cpu() - cpu0
        files = list(Path(out).glob("*.pdf"))
        size = sum(f.stat().st_size for f in files)
    issued = YearEndStatement.objects.filter(year=2025).count()
    numbers = sorted(YearEndStatement.objects.filter(year=2025).values_list("sequence", flat=True))
    assert numbers == list(range(1, issued + 1)), "statement numbers are not gapless"
    assert len(files) == issued
    print(f"  year_end_statements --year 2025 --out {Path(out).parent}/... --workers {workers}:")
    print(f"    {issued:,} statements issued and {len(files):,} PDFs written in {seconds:.1f} s: "
          f"{issued / seconds:,.0f} statements/second ({size / len(files) / 1024:.1f} KiB each; "
          f"target: 10,000 in 30 s)")  # fmt: skip
    print(f"    {before} before, {load()} after")
    print(
        f"    CPU used by the command's processes (PostgreSQL's not counted): {cpu:.1f} s, "
        f"that is {cpu / workers:.1f} s of wall time on {workers} idle cores"
    )


def run_batch() -> None:
    from django.db import transaction

    from compliance.models import IssueBatch, YearEndStatement
    from compliance.services import issue_batch_start

    env = dict(os.environ, Q_SYNC="false")
    cluster = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "qcluster"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        time.sleep(4)  # the cluster's start, not timed
        before = load()
        t0 = time.perf_counter()
        with transaction.atomic():
            batch = issue_batch_start(kind=IssueBatch.Kind.STATEMENTS, year=2024)
        while True:
            batch.refresh_from_db()
            if batch.status in (IssueBatch.Status.DONE, IssueBatch.Status.FAILED):
                break
            if time.perf_counter() - t0 > 600:
                raise SystemExit("the batch did not finish in 10 minutes")
            time.sleep(0.1)
        seconds = time.perf_counter() - t0
    finally:
        cluster.terminate()
        cluster.wait(30)
    issued = YearEndStatement.objects.filter(year=2024).count()
    numbers = sorted(YearEndStatement.objects.filter(year=2024).values_list("sequence", flat=True))
    assert batch.status == IssueBatch.Status.DONE, batch.error
    assert numbers == list(range(1, issued + 1)), "statement numbers are not gapless"
    print("  admin background batch, statements 2024 (qcluster, 2 workers; issuing, no PDFs):")
    print(
        f"    {batch.issued:,} statements issued in {seconds:.1f} s: "
        f"{batch.issued / seconds:,.0f} statements/second; {before} before, {load()} after"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--donors", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument(
        "--out-base", metavar="DIR",
        help="where the PDFs' temporary folder goes (default: the system's, on disk here; "
        "/dev/shm keeps the ~480 MB of PDFs in memory)",
    )  # fmt: skip
    args = parser.parse_args()
    fresh_database()
    print(f"Year-end statements for {args.donors:,} donors (PostgreSQL, {os.cpu_count()} cores)")
    build(args.donors)
    run_command(args.workers, args.out_base)
    if not args.skip_batch:
        run_batch()


if __name__ == "__main__":
    main()
