"""What the import commands share: arguments, the summary they print, the file of bad rows."""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from donors.imports.files import FileProblem, read_file
from donors.imports.speed import gc_paused


def soft_credit_donors_text(summary: dict, *, dry_run: bool) -> str:
    """Which of the new donors a gift file's soft_credit_email made (no donor had the email),
    named, since they have no name yet for staff to find them by."""
    emails = summary["soft_credit_donors_created"]
    what = "New donor" if len(emails) == 1 else "New donors"
    if dry_run:
        return f"{what} it would make from soft_credit_email (no donor has the email): " + (
            f"{', '.join(emails)}."
        )
    return f"{what} made from soft_credit_email (no donor had the email): {', '.join(emails)}."


def rejected_rows_write(result, path: Path) -> Path:
    path.write_text(result.rejected_csv(), encoding="utf-8")
    return path


class ImportCommand(BaseCommand):
    engine = None  # a function(sheet=, user=, dry_run=, skip_errors=) -> ImportResult
    noun = "rows"

    def add_arguments(self, parser):
        parser.add_argument("path", help="a .csv or .xlsx file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check every row and report; write nothing"
        )
        parser.add_argument(
            "--skip-errors",
            action="store_true",
            help="import the good rows and write the bad ones, with an error column, to "
            "PATH.errors.csv (or --errors-file)",
        )
        parser.add_argument("--errors-file", help="where --skip-errors writes the bad rows")
        parser.add_argument("--user", help="the username the import is recorded under")
        parser.add_argument("--json", action="store_true", help="print a JSON summary")

    def run_engine(self, sheet, user, options):
        return type(self).engine(
            sheet=sheet,
            user=user,
            dry_run=options["dry_run"],
            skip_errors=options["skip_errors"],
        )

    @gc_paused  # reading, importing and reporting: one pause, not one collection between
    def handle(self, *args, **options):
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no user named {options['user']!r}")
        try:
            sheet = read_file(options["path"])
        except FileProblem as problem:
            raise CommandError(str(problem)) from None
        result = self.run_engine(sheet, user, options)
        summary = result.summary()
        if result.rejected and options["skip_errors"] and result.imported:
            target = Path(options["errors_file"] or f"{options['path']}.errors.csv")
            summary["errors_file"] = str(rejected_rows_write(result, target))
        if options["json"]:
            self.stdout.write(json.dumps(summary, indent=2))
        else:
            self._report(result, summary)
        if result.errors and not result.imported:
            problems = f"{len(result.errors)} problem(s) in {sheet.name}"
            if result.dry_run and options["skip_errors"]:
                # What the user asked to see: the good rows would go in, these would not.
                self.stderr.write(f"{problems}: a real run would skip those rows.")
                return
            if result.dry_run:
                raise CommandError(
                    f"{problems}: a real run would import nothing "
                    "(--skip-errors imports the good rows)"
                )
            raise CommandError(
                f"{problems}: nothing was imported"
                + ("" if options["skip_errors"] else " (--skip-errors imports the good rows)")
            )

    def _report(self, result, summary) -> None:
        for error in result.errors:
            self.stderr.write(str(error))
        verb = "would import" if result.dry_run else ("imported" if result.imported else "checked")
        self.stdout.write(
            f"{result.file_name}: {verb} {summary['rows']} {self.noun}: {summary['new']} new, "
            f"{summary['updated']} updated, {summary['unchanged']} unchanged, "
            f"{summary['skipped']} skipped; {summary['donors_created']} new donors."
        )
        if summary.get("soft_credit_donors_created"):
            self.stdout.write(soft_credit_donors_text(summary, dry_run=result.dry_run))
        if summary.get("waitlisted"):
            self.stdout.write(f"{summary['waitlisted']} joined a waitlist: their event is full.")
        if summary.get("errors_file"):
            self.stdout.write(f"The rows not imported are in {summary['errors_file']}.")
