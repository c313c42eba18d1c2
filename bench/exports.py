"""Background exports: the django-q2 task's work (donors.services.exports.export_job_run) for
every gift and every donor, as CSV and as XLSX, on PostgreSQL; rows per second, beside the
streamed CSV the admin sends at once for lists under EXPORT_BACKGROUND_ROWS.

    bench/run exports [--donors N] [--gifts N]

The data goes in through the import engine (a generated file), then each export is timed once.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import pickle
import random
import tempfile
import time
from pathlib import Path

from _common import fresh_database


def _write(path: Path, header: list[str], rows) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def load(folder: Path, donors: int, gifts: int) -> None:
    from donors.imports.donors import donors_import
    from donors.imports.files import read_file
    from donors.imports.gifts import gifts_import

    rng = random.Random(3)
    donor_rows = (
        [f"donor{n}@example.org", "Ayesha", f"=Khan{n}", f"{n} Main St", "Carmel", "IN", "46032",
         "dinner; volunteer"]
        for n in range(donors)
    )  # fmt: skip
    path = _write(folder / "donors.csv", ["donor_email", "donor_first_name", "donor_last_name",
                  "address_line1", "city", "state", "postal_code", "tags"], donor_rows)  # fmt: skip
    assert not donors_import(sheet=read_file(path)).errors
    start = datetime.date(2024, 1, 1)
    gift_rows = (
        [f"donor{(n * 7919) % donors}@example.org", (start + datetime.timedelta(days=n % 600)),
         f"{rng.randint(5, 5000)}.{rng.randint(0, 99):02d}", "cash", "+ paid at the door"]
        for n in range(gifts)
    )  # fmt: skip
    path = _write(folder / "gifts.csv", ["donor_email", "gift_date", "amount", "method", "notes"],
                  gift_rows)  # fmt: skip
    assert not gifts_import(sheet=read_file(path)).errors


def export_once(kind: str, file_format: str, user) -> tuple[float, int, int]:
    from django.core.files.storage import default_storage

    from donors.models import Donor, ExportJob, Gift
    from donors.services.exports import export_job_run

    queryset = (Donor if kind == "donors" else Gift).objects.order_by("pk")
    job = ExportJob.objects.create(kind=kind, format=file_format, requested_by=user,
                                   query=pickle.dumps(queryset.query),
                                   options={"with_giving": True})  # fmt: skip
    begin = time.perf_counter()
    job = export_job_run(job_id=job.pk)
    seconds = time.perf_counter() - begin
    size = default_storage.size(job.file.name)
    job.file.delete(save=False)
    return seconds, job.done, size


def stream_once(kind: str) -> tuple[float, int]:
    from donors.exports import csv_stream, donor_rows, gift_rows
    from donors.models import Donor, Gift

    rows = (donor_rows(Donor.objects.order_by("pk"), with_giving=True) if kind == "donors"
            else gift_rows(Gift.objects.order_by("pk")))  # fmt: skip
    begin = time.perf_counter()
    size = sum(len(chunk) for chunk in csv_stream(rows))
    return time.perf_counter() - begin, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--donors", type=int, default=20_000)
    parser.add_argument("--gifts", type=int, default=100_000)
    args = parser.parse_args()
    fresh_database()
    from django.conf import settings
    from django.contrib.auth import get_user_model

    folder = Path(tempfile.mkdtemp(prefix="bench-exports-"))
    settings.MEDIA_ROOT = folder / "media"
    begin = time.perf_counter()
    load(folder, args.donors, args.gifts)
    print(f"PostgreSQL; loaded {args.donors:,} donors and {args.gifts:,} gifts in "
          f"{time.perf_counter() - begin:.1f} s")  # fmt: skip
    user = get_user_model().objects.create(username="bench")
    for kind in ("gifts", "donors"):
        seconds, size = stream_once(kind)
        count = args.gifts if kind == "gifts" else args.donors
        print(f"{kind:6} streamed CSV (at once):     {count:>8,} rows in {seconds:6.2f} s = "
              f"{count / seconds:>8,.0f} rows/s, {size / 1e6:5.1f} MB")  # fmt: skip
        for file_format in ("csv", "xlsx"):
            seconds, done, size = export_once(kind, file_format, user)
            print(f"{kind:6} background {file_format.upper():4} (task):    {done:>8,} rows in "
                  f"{seconds:6.2f} s = {done / seconds:>8,.0f} rows/s, {size / 1e6:5.1f} MB")  # fmt: skip
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
