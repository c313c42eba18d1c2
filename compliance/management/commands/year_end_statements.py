"""python manage.py year_end_statements --year YYYY [--out DIR] [--send] [--json]"""

from __future__ import annotations

import json as json_module

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from compliance import services
from compliance.management.commands.issue_receipts import writable_dir
from compliance.pdf import statement_pdf


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

    def handle(self, *args, year, out=None, send=False, json=False, **options):
        if not 1900 < year < 2200:
            raise CommandError(f"{year} is not a calendar year.")
        folder = writable_dir(out)
        try:
            statements = services.statements_issue(year=year)
        except services.ReceiptRefused as refused:
            raise CommandError(" ".join(refused.messages)) from None
        rows = []
        for statement in statements:
            path = None
            if folder is not None:
                path = folder / f"statement-{statement.number}.pdf"
                path.write_bytes(statement_pdf(statement))
            rows.append(
                {
                    "number": statement.number,
                    "donor_email": statement.donor_email,
                    "gift_ids": [line["gift_id"] for line in statement.lines],
                    "amount": str(statement.total_amount),
                    "deductible_amount": str(statement.total_deductible),
                    "pdf": str(path) if path else None,
                }
            )
        if send and statements:
            with transaction.atomic():
                services.statements_send_queue(statement_ids=[s.pk for s in statements])
        if json:
            self.stdout.write(json_module.dumps(rows, indent=2))
            return
        self.stdout.write(
            f"Issued {len(rows)} statement(s) for {year}"
            + (", emails queued." if send and rows else ".")
        )
