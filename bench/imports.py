"""Import speed: 100,000 donors, then 100,000 gifts, through the import commands (the file read,
every validation and the donor matching kept, the --json summary printed), this code beside the
previous code in one run, then django-import-export's default ModelResource importing the same
gift file, on PostgreSQL.

    bench/run imports [--donors N] [--gifts N] [--default-rows N] [--rounds N]
                      [--before REV] [--skip-before]

The previous code (``--before``, by default the commit before gift imports wrote their audit
entries) is checked out into a temporary git worktree; each side imports the same files into
a fresh database of its own, in a process of its own, the sides taking turns (``--rounds``).

The default import saves row by row (about a thousand rows a second): it is run on the first
--default-rows rows of the gift file (10,000 by default) and its rate reported, since the full
file would take minutes.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, fresh_database

CPU: dict[str, float] = {}  # this process's CPU seconds per step: a figure less bent by load
SERVER: dict[str, float] = {}  # the PostgreSQL backend's CPU seconds per step (same machine)
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


def server_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (read from /proc: the
    database runs on this machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def engine_import(kind: str, path: Path, label: str = "") -> tuple[float, dict]:
    """The import as staff run it: the command, reading the file, importing, printing --json."""
    import io
    import json

    from django.core.management import call_command

    command = "import_donors" if kind == "donors" else "import_donations"
    out = io.StringIO()
    server = server_cpu()
    start, cpu = time.perf_counter(), time.process_time()
    call_command(command, str(path), "--json", stdout=out)
    elapsed = time.perf_counter() - start
    CPU[label or kind] = time.process_time() - cpu
    SERVER[label or kind] = server_cpu() - server
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


# The previous code: main before gift imports wrote an audit entry for each gift (issue 13).
BEFORE = "cec69db"


def side_main(args) -> None:
    """One side's imports, in this process, with the code at ``args.code`` (a checkout): prints
    one line of JSON with the seconds and CPU seconds of each step."""
    if args.code:
        sys.path.insert(0, args.code)
    fresh_database()
    donors_csv, gifts_csv = Path(args.donors_file), Path(args.gifts_file)
    from auditlog.models import LogEntry

    import donors

    figures = {"code": str(Path(donors.__file__).resolve().parent.parent)}
    figures["donors"], summary = engine_import("donors", donors_csv)
    figures["donors_new"] = summary["new"]
    audit_before = LogEntry.objects.count()
    figures["gifts"], summary = engine_import("gifts", gifts_csv)
    figures["gifts_new"] = summary["new"]
    figures["gift_audit_entries"] = LogEntry.objects.count() - audit_before
    figures["gifts_again"], summary = engine_import("gifts", gifts_csv, "gifts again")
    figures["again_unchanged"] = summary["unchanged"]
    if args.default_rows:
        rows = min(args.default_rows, args.gifts)
        figures["default_rows"] = rows
        figures["default"] = default_import(gifts_csv, rows)
        figures["reference"] = machine_reference()
    figures["cpu"], figures["server"] = CPU, SERVER
    print("SIDE " + json.dumps(figures), flush=True)


def run_side(label: str, code: Path, database: str, args, folder: Path, default_rows: int) -> dict:
    command = [
        sys.executable, str(Path(__file__).resolve()), "--side", "--code", str(code),
        "--donors-file", str(folder / "donors.csv"), "--gifts-file", str(folder / "gifts.csv"),
        "--gifts", str(args.gifts), "--default-rows", str(default_rows),
    ]  # fmt: skip
    env = {**os.environ, "DATABASE_URL": database}
    load = os.getloadavg()[0]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=code)
    if done.returncode:
        raise SystemExit(f"{label} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    line = next(x for x in done.stdout.splitlines() if x.startswith("SIDE "))
    figures = json.loads(line.removeprefix("SIDE "))
    figures["label"], figures["load"] = label, load
    gifts = figures["gifts"]
    print(f"{label:<22} donors {figures['donors']:6.2f} s | gifts {gifts:6.2f} s = "
          f"{args.gifts / gifts:>7,.0f} rows/s, {figures['gift_audit_entries']:>7,} audit entries | "
          f"again {figures['gifts_again']:6.2f} s | load {load:.1f} | Python CPU "
          + ", ".join(f"{k} {v:.1f}" for k, v in figures["cpu"].items())
          + " | database CPU "
          + ", ".join(f"{k} {v:.1f}" for k, v in figures["server"].items()), flush=True)  # fmt: skip
    return figures


def _mean_cpu(runs: list[dict]) -> float:
    return sum(r["cpu"]["gifts"] + r["server"]["gifts"] for r in runs) / len(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--donors", type=int, default=100_000)
    parser.add_argument("--gifts", type=int, default=100_000)
    parser.add_argument("--default-rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=1, help="turns each side takes")
    parser.add_argument("--before", default=BEFORE, help="the previous code's commit")
    parser.add_argument("--skip-before", action="store_true")
    # One side, run by main() in a process of its own:
    parser.add_argument("--side", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--code", help=argparse.SUPPRESS)
    parser.add_argument("--donors-file", help=argparse.SUPPRESS)
    parser.add_argument("--gifts-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        side_main(args)
        return
    folder = Path(tempfile.mkdtemp(prefix="bench-imports-"))
    write_donors(folder / "donors.csv", args.donors)
    write_gifts(folder / "gifts.csv", args.gifts, args.donors)
    database = os.environ["DATABASE_URL"]
    print(
        f"PostgreSQL, files in {folder}; load average at the start: "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    worktree = None
    results: dict[str, list[dict]] = {"previous": [], "this": []}
    try:
        if not args.skip_before:
            worktree = Path(tempfile.mkdtemp(prefix="msp-before-")) / "code"
            subprocess.run(["git", "worktree", "add", "--detach", str(worktree), args.before],
                           cwd=ROOT, check=True, capture_output=True)  # fmt: skip
            sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=worktree,
                                 check=True, capture_output=True, text=True).stdout.strip()  # fmt: skip
        for turn in range(args.rounds):
            last = turn == args.rounds - 1
            if worktree is not None:
                results["previous"].append(
                    run_side(f"previous ({sha})", worktree, database + "_before", args, folder, 0)
                )
            results["this"].append(run_side(
                "this code", ROOT, database, args, folder, args.default_rows if last else 0
            ))  # fmt: skip
    finally:
        if worktree is not None:
            subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT,
                           capture_output=True)  # fmt: skip
    this = results["this"][-1]
    if results["previous"]:
        before = sum(r["gifts"] for r in results["previous"]) / len(results["previous"])
        after = sum(r["gifts"] for r in results["this"]) / len(results["this"])
        print(
            f"gift import, mean of {args.rounds} turn(s): previous {before:.2f} s, this code "
            f"{after:.2f} s ({after / before - 1:+.0%}); this code wrote "
            f"{this['gift_audit_entries']:,} audit entries for {this['gifts_new']:,} gifts"
        )
        cpu_before = _mean_cpu(results["previous"])
        cpu_after = _mean_cpu(results["this"])
        print(
            f"gift import CPU (Python + database backend), the figure least bent by load: "
            f"previous {cpu_before:.1f} s, this code {cpu_after:.1f} s "
            f"({cpu_after / cpu_before - 1:+.0%})"
        )
    if "default" in this:
        rows, seconds = this["default_rows"], this["default"]
        print(
            f"django-import-export default ModelResource, gifts: {rows:>8,} rows in "
            f"{seconds:6.2f} s = {rows / seconds:>9,.0f} rows/s (first {rows:,} rows)"
        )
        print(f"engine / default: {(args.gifts / this['gifts']) / (rows / seconds):.1f}x")
        print(
            f"machine reference: plain COPY of the gifts into a bare table "
            f"{this['reference']:,.0f} rows/s (the issue measured about 190,000 on its machine)"
        )
    print(
        f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
        "(other work on the machine slows every figure above alike)"
    )


if __name__ == "__main__":
    main()
