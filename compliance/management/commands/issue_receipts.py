"""python manage.py issue_receipts [--through YYYY-MM-DD] [--out DIR] [--send] [--json]"""

from __future__ import annotations

import datetime
import json as json_module
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from common.door import entry
from compliance import services
from compliance.pdf import receipt_pdf
from compliance.services.receipts import years_missing_limits
from donors.deductible import missing_limits_warning


def parse_day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date: write it as YYYY-MM-DD.") from None


def writable_dir(value: str | None) -> Path | None:
    if not value:
        return None
    path = Path(value)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(f"Cannot write to {value}: {error.strerror}.") from None
    return path


class Command(BaseCommand):
    help = (
        "Issue every due receipt: each gift the organization keeps and has never receipted, "
        "numbered in sequence. Gifts the receipt rules refuse are listed with the reason. "
        "Safe to run again: a gift is never receipted twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--through",
            metavar="YYYY-MM-DD",
            help="Only gifts with a tax date up to this day (default: today).",
        )
        parser.add_argument("--out", metavar="DIR", help="Write each new receipt's PDF here.")
        parser.add_argument(
            "--send", action="store_true", help="Email each new receipt (background task)."
        )
        parser.add_argument("--json", action="store_true", help="Print a JSON summary.")

    @entry("command issue_receipts")
    def handle(self, *args, through=None, out=None, send=False, json=False, **options):
        day = parse_day(through) if through else timezone.localdate()
        folder = writable_dir(out)
        result = services.receipts_issue_due(through=day)
        rows = []
        for receipt in result.issued:
            pdf_path = None
            if folder is not None:
                pdf_path = folder / f"receipt-{receipt.number}.pdf"
                pdf_path.write_bytes(receipt_pdf(receipt))
            rows.append(
                {
                    "number": receipt.number,
                    "donor_email": receipt.donor_email,
                    "gift_ids": [receipt.gift_id],
                    "amount": str(receipt.amount),
                    "deductible_amount": str(receipt.deductible_amount),
                    "pdf": str(pdf_path) if pdf_path else None,
                }
            )
        if send and result.issued:
            with transaction.atomic():
                services.receipts_send_queue(receipt_ids=[r.pk for r in result.issued])
        for gift_id, reason in result.skipped:
            self.stderr.write(f"Gift {gift_id} not receipted: {reason}")
        self._warn_missing_limits(result.issued)
        if json:
            self.stdout.write(_dumps(rows))
            return
        for row in rows:
            self.stdout.write(
                f"{row['number']}  {row['donor_email'] or '(no email)'}  {row['amount']}"
                + (f"  {row['pdf']}" if row["pdf"] else "")
            )
        self.stdout.write(
            f"Issued {len(rows)} receipt(s) through {day:%Y-%m-%d}"
            + (", emails queued." if send and rows else ".")
        )

    def _warn_missing_limits(self, issued) -> None:
        """Receipts for gifts of a year with no limits state every benefit in full: said on
        standard error (standard output stays the JSON)."""
        by_year = Counter(receipt.gift_date.year for receipt in issued)
        for year in years_missing_limits(by_year):
            self.stderr.write(
                f"Warning: {missing_limits_warning(year)} "
                f"({by_year[year]} receipt(s) issued for {year} gifts.)"
            )


def _dumps(rows) -> str:
    return json_module.dumps(rows, indent=2)
