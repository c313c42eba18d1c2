"""Import speed: 100,000 donors, then 100,000 gifts, through the import commands (the file read,
every validation and the donor matching kept, the --json summary printed), beside
django-import-export's default ModelResource importing the same gift file, measured in the same
run on PostgreSQL.

    bench/run imports [--donors N] [--gifts N] [--default-rows N]

The default import saves row by row (about a thousand rows a second): it is run on the first
--default-rows rows of the gift file (10,000 by default) and its rate reported, since the full
file would take minutes.
"""

from __future__ import annotations

import argparse
import csv
import os
import datetime
import random
import tempfile
import time
from pathlib import Path

from _common import fresh_database

CPU: dict[str, float] = {}  # this process's CPU seconds per step: a figure less bent by load
STATES = [("IN", "46"), ("CA", "9"), ("NY", "1"), ("TX", "7"), ("IL", "6")]
FIRST = ["Ayesha", "Omar", "Sara", "Ali", "Hina", "Bilal", "Zara", "Imran", "Nadia", "Kamran"]
LAST = ["Khan", "Ahmed", "Shah", "Malik", "Raza", "Siddiqui", "Qureshi", "Farooq", "Butt", "Iqbal"]


def write_donors(path: Path, count: int) -> None:
    rng = random.Random(1)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["donor_email", "donor_first_name", "donor_last_name", "address_line1",
                         "city", "state", "postal_code", "tags", "email_opt_in"])  # fmt: skip
        for n in range(count):
            state, prefix = STATES[n % len(STATES)]
            writer.writerow([
                f"donor{n}@example.org", rng.choice(FIRST), f"{rng.choice(LAST)}{n}",
                f"{n} Main St", "Springfield", state, f"{prefix}{n % 10000:04d}".ljust(5, "0")[:5],
                "dinner" if n % 3 else "dinner; volunteer", "true" if n % 5 else "false",
            ])  # fmt: skip


def write_gifts(path: Path, count: int, donors: int) -> None:
    rng = random.Random(2)
    methods = ["check", "cash", "card", "ach", "wire"]
    start = datetime.date(2024, 1, 1)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["external_id", "donor_email", "gift_date", "amount", "method",
                         "check_number", "notes"])  # fmt: skip
        for n in range(count):
            method = methods[n % len(methods)]
            writer.writerow([
                f"G-{n}" if n % 2 else "", f"donor{(n * 7919) % donors}@example.org",
                (start + datetime.timedelta(days=n % 600)).isoformat(),
                f"{rng.randint(5, 5000)}.{rng.randint(0, 99):02d}", method,
                str(1000 + n) if method == "check" else "", "",
            ])  # fmt: skip


def engine_import(kind: str, path: Path, label: str = "") -> tuple[float, dict]:
    """The import as staff run it: the command, reading the file, importing, printing --json."""
    import io
    import json

    from django.core.management import call_command

    command = "import_donors" if kind == "donors" else "import_donations"
    out = io.StringIO()
    start, cpu = time.perf_counter(), time.process_time()
    call_command(command, str(path), "--json", stdout=out)
    elapsed = time.perf_counter() - start
    CPU[label or kind] = time.process_time() - cpu
    summary = json.loads(out.getvalue())
    if summary["errors"]:
        raise SystemExit(f"{kind}: {summary['errors'][:5]}")
    return elapsed, summary


def default_import(path: Path, rows: int) -> float:
    """django-import-export's default: a ModelResource, one lookup and one save per row."""
    import tablib
    from import_export import fields, resources, widgets

    from donors.models import Donor, Gift

    class GiftResource(resources.ModelResource):
        donor = fields.Field(
            attribute="donor",
            column_name="donor_email",
            widget=widgets.ForeignKeyWidget(Donor, field="emails__email"),
        )
        external_id = fields.Field(
            attribute="external_id", column_name="external_id",
            widget=widgets.CharWidget(allow_blank=False),
        )  # fmt: skip

        class Meta:
            model = Gift
            fields = ("external_id", "donor", "gift_date", "amount", "method", "check_number",
                      "notes")  # fmt: skip
            import_id_fields = ("external_id",)

        def before_save_instance(self, instance, row, **kwargs):
            instance.tax_date = instance.gift_date  # NOT NULL; the model has no default

    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        # Fresh external ids and dates so the rows are new gifts, not the engine's again.
        data = tablib.Dataset(headers=header)
        for n, row in enumerate(reader):
            if n >= rows:
                break
            row[0] = f"D-{n}"  # its only way to find a row again: an id column
            row[2] = (datetime.date(2023, 1, 1) + datetime.timedelta(days=n % 300)).isoformat()
            data.append(row)
    start, cpu = time.perf_counter(), time.process_time()
    result = GiftResource().import_data(data, dry_run=False, raise_errors=True)
    elapsed = time.perf_counter() - start
    CPU["default"] = time.process_time() - cpu
    assert result.totals["new"] == rows, result.totals
    return elapsed


def machine_reference() -> float:
    """This machine's speed at the moment, by the yardstick the issue gives (plain COPY, about
    190,000 rows/s when it was measured): the imported gifts copied into a bare table with no
    index, trigger or constraint, timed from the rows in memory to the end of the COPY."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_copy AS SELECT * FROM donors_gift WITH NO DATA")
        cursor.execute("SELECT * FROM donors_gift")
        rows = cursor.fetchall()
        start = time.perf_counter()
        with cursor.cursor.copy("COPY bench_copy FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    return len(rows) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--donors", type=int, default=100_000)
    parser.add_argument("--gifts", type=int, default=100_000)
    parser.add_argument("--default-rows", type=int, default=10_000)
    args = parser.parse_args()
    fresh_database()
    folder = Path(tempfile.mkdtemp(prefix="bench-imports-"))
    donors_csv, gifts_csv = folder / "donors.csv", folder / "gifts.csv"
    write_donors(donors_csv, args.donors)
    write_gifts(gifts_csv, args.gifts, args.donors)

    from donors.models import Organization  # noqa: F401  (settings are ready now)

    print(f"PostgreSQL, files in {folder}; load average at the start: "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    seconds, summary = engine_import("donors", donors_csv)
    print(f"engine, donors:  {args.donors:>8,} rows in {seconds:6.2f} s = "
          f"{args.donors / seconds:>9,.0f} rows/s  ({summary['new']:,} new)")  # fmt: skip
    seconds, summary = engine_import("gifts", gifts_csv)
    engine_rate = args.gifts / seconds
    print(f"engine, gifts:   {args.gifts:>8,} rows in {seconds:6.2f} s = "
          f"{engine_rate:>9,.0f} rows/s  ({summary['new']:,} new)")  # fmt: skip
    seconds, summary = engine_import("gifts", gifts_csv, "gifts again")
    print(f"engine, same gift file again: {seconds:6.2f} s = {args.gifts / seconds:>9,.0f} rows/s "
          f"({summary['unchanged']:,} unchanged, {summary['new']} new)")  # fmt: skip
    rows = min(args.default_rows, args.gifts)
    seconds = default_import(gifts_csv, rows)
    default_rate = rows / seconds
    note = "" if rows == args.gifts else f" (first {rows:,} rows of the same file)"
    print(f"django-import-export default ModelResource, gifts: {rows:>8,} rows in {seconds:6.2f} s"
          f" = {default_rate:>9,.0f} rows/s{note}")  # fmt: skip
    print(f"engine / default: {engine_rate / default_rate:.1f}x")
    print(f"machine reference: plain COPY of the gifts into a bare table "
          f"{machine_reference():,.0f} rows/s (the issue measured about 190,000 on its machine)")
    print("Python CPU seconds (the database server's time not included): "
          + ", ".join(f"{k} {v:.2f}" for k, v in CPU.items()))
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(other work on the machine slows every figure above alike)")


if __name__ == "__main__":
    main()
