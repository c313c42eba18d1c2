from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from donors.exports import csv_cell
from donors.models import ImportRun
from donors.text import printable

NEW, UPDATED, UNCHANGED, SKIPPED = "new", "updated", "unchanged", "skipped"


@dataclass
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        return (
            f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"
        )


@dataclass
class RejectedRow:
    """A row refused, with its original values, for the file of bad rows."""

    line: int
    values: dict[str, str]
    errors: list[RowError]


class RowOutcome:
    """What became of a row. ``label`` may be given as a function, called when first read: a
    hundred thousand labels formatted for a command that prints only counts cost seconds."""

    __slots__ = ("line", "status", "_label", "values")

    def __init__(self, line: int, status: str, label, values: dict[str, str]):
        self.line, self.status, self._label, self.values = line, status, label, values

    @property
    def label(self) -> str:
        if callable(self._label):
            self._label = self._label()
        return self._label

    def __repr__(self) -> str:
        return f"RowOutcome(line={self.line}, status={self.status!r}, label={self.label!r})"


@dataclass
class ImportResult:
    kind: str
    file_name: str
    dry_run: bool
    headers: list[str] = field(default_factory=list)
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    outcomes: list[RowOutcome] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    donors_created: int = 0
    # Gift imports: the new donors made from a soft_credit_email no donor had (their emails).
    soft_credit_donors: list[str] = field(default_factory=list)
    waitlisted: int = 0  # RSVP imports: guests the file put on a full event's waitlist
    imported: bool = False
    run_id: int | None = None

    def rejected_csv(self) -> str:
        """The refused rows as they were, with an ``error`` column saying why; formula-like
        cells neutralized, since staff open this in a spreadsheet."""
        if not self.rejected:
            return ""
        headers = [h for h in self.headers if h] + ["error"]
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        for row in self.rejected:
            values, errors = row.values, row.errors
            reason = printable("; ".join(f"line {e.line}, {e.message}" for e in errors))
            # A refused row may hold the very NUL byte it was refused for: the database and a
            # spreadsheet take neither, so it is kept as a space.
            writer.writerow(
                [csv_cell(printable(values.get(h, ""))) for h in headers[:-1]] + [reason]
            )
        return buffer.getvalue()

    def run_create(self, *, user, source: str, started, finished=None):
        """The ImportRun of an import that writes (call it inside the import's transaction):
        who ran it, which file, the counts and the rejected rows with their error column."""
        return ImportRun.objects.create(
            kind=self.kind,
            file_name=self.file_name[:255],
            user=user,
            source=source,
            rows=self.rows,
            new=self.count(NEW),
            updated=self.count(UPDATED),
            unchanged=self.count(UNCHANGED),
            skipped=self.count(SKIPPED),
            donors_created=self.donors_created,
            rejected_rows=self.rejected_csv(),
            started_at=started,
            finished_at=finished or started,
        )

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    def summary(self) -> dict:
        summary = {
            "kind": self.kind,
            "file": self.file_name,
            "dry_run": self.dry_run,
            "imported": self.imported,
            "rows": self.rows,
            "new": self.count(NEW),
            "updated": self.count(UPDATED),
            "unchanged": self.count(UNCHANGED),
            "skipped": self.count(SKIPPED),
            "donors_created": self.donors_created,
            "errors": [
                {"line": e.line, "column": e.column, "message": e.message} for e in self.errors
            ],
            "import_run": self.run_id,
        }

        if self.kind == ImportRun.Kind.GIFTS:
            summary["soft_credit_donors_created"] = list(self.soft_credit_donors)
        if self.kind == ImportRun.Kind.RSVPS:
            summary["waitlisted"] = self.waitlisted
        return summary
