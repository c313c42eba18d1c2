"""python manage.py year_end_statements --year YYYY [--out DIR] [--send] [--json] [--workers N]"""

from __future__ import annotations

import json as json_module

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from common.door import entry
from compliance import services
from compliance.management.commands.issue_receipts import writable_dir
from compliance.services.receipts import years_missing_limits
from compliance.services.statements import statements_issue_parallel
from donors.deductible import missing_limits_warning


class Command(BaseCommand):
    help = (
        "Issue one giving statement per donor for a calendar year: every receiptable gift with "
        "its deductible amount, refunded gifts left out, soft credits apart. A donor whose "
        "statement is unchanged gets no new one; one whose gifts changed gets a replacement."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, type=int, metavar="YYYY")
        parser.add_argument("--out", metavar="DIR", help="Write each new statement's PDF here.")
        parser.add_argument("--send", action="store_true", help="Email each new statement.")
        parser.add_argument("--json", action="store_true", help="Print a JSON summary.")
        parser.add_argument(
            "--workers", type=int, metavar="N",
            help="Processes issuing and printing at once (default: every core on PostgreSQL, "
            "one on SQLite).",
        )  # fmt: skip

    @entry("command year_end_statements")
    def handle(self, *args, year, out=None, send=False, json=False, workers=None, **options):
        if not 1900 < year < 2200:
            raise CommandError(f"{year} is not a calendar year.")
        if workers is not None and workers < 1:
            raise CommandError("--workers must be at least 1.")
        folder = writable_dir(out)
        if years_missing_limits([year]):
            # Statements are still issued (a benefit stated in full is never wrong, only less
            # generous), but staff must see why.
            self.stderr.write(f"Warning: {missing_limits_warning(year)}")
        try:
            rows = statements_issue_parallel(year=year, workers=workers, out_dir=folder)
        except services.ReceiptRefused as refused:
            raise CommandError(" ".join(refused.messages)) from None
        if send and rows:
            with transaction.atomic():
                services.statements_send_queue(statement_ids=[row["id"] for row in rows])
        if json:
            self.stdout.write(
                json_module.dumps([{k: v for k, v in row.items() if k != "id"} for row in rows],
                                  indent=2)
            )  # fmt: skip
            return
        self.stdout.write(
            f"Issued {len(rows)} statement(s) for {year}"
            + (", emails queued." if send and rows else ".")
        )
