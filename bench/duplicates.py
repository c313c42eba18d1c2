"""Likely duplicate donors (issue 17): precision and recall on the labelled pairs
(tests/donors/duplicate_pairs.csv) at the page's threshold, then the time to find the
candidates among 100,000 generated donors on PostgreSQL (target: under a minute).

    bench/run duplicates [--donors N] [--planted N]

The generated donors carry the demo's Pakistani names, a tenth of them written in another
common spelling, real-looking phones (some shared by an office's staff, some by a household),
addresses in the demo's cities and ZIP codes; ``--planted`` of them have a second record
written another way (a spelling variant, a typo, swapped names) that shares an email, a phone
or an address. The whole ``duplicate_candidates --json`` command is timed, reads included.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import time
from collections import Counter

from _common import ROOT, fresh_database


def labelled() -> None:
    from donors.duplicates import THRESHOLD, measure, read_labelled_pairs
    from donors.selectors import name_variant_map

    pairs = read_labelled_pairs(ROOT / "tests" / "donors" / "duplicate_pairs.csv")
    start = time.perf_counter()
    result = measure(pairs, name_variant_map())
    print(
        f"labelled pairs: {result.pairs} ({result.duplicates} duplicates), threshold {THRESHOLD}:"
        f" precision {result.precision:.3f}, recall {result.recall:.3f}"
        f" (found {result.true_positives}, wrong {result.false_positives},"
        f" missed {result.false_negatives}) in {time.perf_counter() - start:.2f} s"
    )
    for label, categories in (("missed", result.missed), ("wrong", result.wrong)):
        if categories:
            print(f"  {label}: {'; '.join(sorted(categories))}")


def generate(n_donors: int, n_planted: int) -> dict[tuple[int, int], str]:
    """Bulk inserts (the fixture, not the product's path). Returns the planted pairs' ids and
    how each twin was written."""
    from crm.demo.data import MEN, PLACES, STREETS, SURNAMES, WOMEN
    from donors.models import Donor, DonorAddress, DonorEmail

    rng = random.Random(17)
    spellings = {
        "Muhammad": ["Mohammed", "Mohammad", "Mohamed"], "Ahmed": ["Ahmad"],
        "Hussain": ["Husain", "Hussein"], "Chaudhry": ["Chaudhary", "Choudhury"],
        "Qureshi": ["Kureshi", "Quraishi"], "Omar": ["Umar"], "Usman": ["Osman"],
        "Rehman": ["Rahman"], "Sheikh": ["Shaikh"], "Siddiqui": ["Siddiqi"],
    }  # fmt: skip
    firsts = ["Muhammad"] * 20 + list(MEN) + list(WOMEN)

    def spelled(name: str) -> str:
        return rng.choice(spellings[name]) if name in spellings and rng.random() < 0.3 else name

    offices = [f"+1317{rng.randint(2000000, 9999999)}" for _ in range(300)]
    rows = []
    for i in range(n_donors):
        place = rng.choice(PLACES)
        first, last = spelled(rng.choice(firsts)), spelled(rng.choice(SURNAMES))
        phone = (
            rng.choice(offices)
            if rng.random() < 0.03
            else f"+1{place[3][0]}{rng.randint(2000000, 9999999)}"
        )
        rows.append(
            {
                "first": first,
                "last": last,
                "email": f"{first}.{last}.{i}@example.org".lower(),
                "phone": phone if rng.random() < 0.7 else "",
                "line1": f"{rng.randint(100, 99999)} {rng.choice(STREETS)}",
                "city": place[0],
                "region": place[1],
                "zip": rng.choice(place[2]),
            }
        )
    planted = []
    for i in rng.sample(range(n_donors), n_planted):
        twin = dict(rows[i], email=f"other.{i}@example.com")
        how = rng.choice(("spelling", "typo", "swap"))
        if how == "spelling":
            options = [k for k in spellings if k in (twin["first"], twin["last"])]
            twin["first"] = spelled(twin["first"]) if not options else twin["first"]
            for name in options:
                twin["first" if twin["first"] == name else "last"] = spellings[name][0]
        elif how == "typo" and len(twin["last"]) >= 5:
            twin["last"] = twin["last"][:2] + twin["last"][3:]
        else:
            twin["first"], twin["last"] = twin["last"], twin["first"]
        keep = rng.choice(("email", "phone", "address"))
        if keep == "email":
            twin["email"] = rows[i]["email"]
        if keep != "phone":
            twin["phone"] = ""
        if keep != "address":
            twin["line1"] = f"{rng.randint(100, 99999)} {rng.choice(STREETS)}"
        if keep == "phone" and not twin["phone"]:
            twin["phone"] = rows[i]["phone"] = f"+1317{rng.randint(2000000, 9999999)}"
        planted.append((i, len(rows), f"{how}, same {keep}"))
        rows.append(twin)

    t0 = time.perf_counter()
    ids = []
    for start in range(0, len(rows), 10_000):
        batch = rows[start : start + 10_000]
        donors = Donor.objects.bulk_create(
            Donor(
                first_name=r["first"],
                last_name=r["last"],
                display_name=f"{r['first']} {r['last']}",
                sort_name=f"{r['last']}, {r['first']}".lower(),
                phone=r["phone"],
            )
            for r in batch
        )
        DonorEmail.objects.bulk_create(
            DonorEmail(donor=d, email=r["email"], is_primary=True)
            for d, r in zip(donors, batch, strict=True)
        )
        DonorAddress.objects.bulk_create(
            DonorAddress(
                donor=d,
                line1=r["line1"],
                city=r["city"],
                region=r["region"],
                postal_code=r["zip"],
                is_primary=True,
            )
            for d, r in zip(donors, batch, strict=True)
        )
        ids += [d.pk for d in donors]
    print(
        f"  {len(rows):,} donors ({n_planted:,} planted twins) in {time.perf_counter() - t0:.1f} s"
    )
    return {tuple(sorted((ids[a], ids[b]))): how for a, b, how in planted}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--donors", type=int, default=100_000)
    parser.add_argument("--planted", type=int, default=1_000)
    args = parser.parse_args()
    fresh_database()
    labelled()

    from django.core.management import call_command
    from django.db import connection

    planted = generate(args.donors - args.planted, args.planted)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    out = io.StringIO()
    start = time.perf_counter()
    call_command("duplicate_candidates", "--json", stdout=out)
    seconds = time.perf_counter() - start
    pairs = json.loads(out.getvalue())
    found = {tuple(sorted((p["first"]["id"], p["second"]["id"]))) for p in pairs}
    print(
        f"{args.donors:,} donors: {len(pairs):,} candidate pairs in {seconds:.1f} s"
        f" (target under 60 s); planted twins found {len(found & planted.keys()):,} of {len(planted):,}"
        f" ({len(found & planted.keys()) / max(len(planted), 1):.1%});"
        f" other pairs listed {len(found - planted.keys()):,}"
    )
    missed = Counter(how for pair, how in planted.items() if pair not in found)
    if missed:
        print(
            "  planted twins missed: " + ", ".join(f"{how} {n}" for how, n in missed.most_common())
        )


if __name__ == "__main__":
    main()
