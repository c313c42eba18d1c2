"""python manage.py annual_summary --year YYYY [--format json|csv|pdf] [--out PATH]"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compliance.reports import annual_summary, summary_csv_rows
from compliance.summary_pdf import summary_pdf
from donors.models import Organization


class Command(BaseCommand):
    help = (
        "The organization's annual summary for a calendar (tax) year: totals received and "
        "deductible, by month, method, campaign, fund and donor state, the Schedule B "
        "contributor list and the five-year public support figure."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, type=int, metavar="YYYY")
        parser.add_argument("--format", choices=["json", "csv", "pdf"], default="json")
        parser.add_argument(
            "--out",
            metavar="PATH",
            help="Write to this file (the PDF's default: annual-summary-YYYY.pdf).",
        )

    def handle(self, *args, year, format, out=None, **options):
        if not 1900 < year < 2200:
            raise CommandError(f"{year} is not a calendar year.")
        summary = annual_summary(year)
        if format == "pdf":
            org = Organization.current()
            path = Path(out or f"annual-summary-{year}.pdf")
            try:
                path.write_bytes(summary_pdf(summary, org.legal_name if org else ""))
            except OSError as error:
                raise CommandError(f"Cannot write {path}: {error.strerror}.") from None
            self.stdout.write(str(path))
            return
        if format == "csv":
            target = open(out, "w", newline="") if out else self.stdout
            try:
                writer = csv.writer(target)
                writer.writerows(summary_csv_rows(summary))
            finally:
                if out:
                    target.close()
            return
        text = json.dumps(summary, indent=2)
        if out:
            Path(out).write_text(text + "\n")
        else:
            self.stdout.write(text)
