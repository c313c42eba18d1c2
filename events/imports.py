"""RSVPs in and out of spreadsheets: the import (through the RSVP services, so capacity and the
waitlist rules hold) and the rows of the export (formula cells neutralized).

An import reads every row first; a file with any bad row writes nothing (unless the user asks
to skip bad rows). The rows are then applied in file order through ``rsvp_submit``, inside one
transaction that a preview (or a row the services refuse) rolls back: the preview says exactly
which answers would join a waitlist. A row equal to what is recorded is "unchanged" and not
touched, so importing the same file again changes nothing and emails nobody.

An import that writes records an ``ImportRun`` (kind "rsvps"), as the donor and gift imports
do: who ran it, which file, the counts, and the rows skipped for errors as a CSV with an error
column (the admin offers it for download); the donors it creates point back at it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Lower
from django.utils import timezone

from common.door import service
from donors.exports import safe_cell
from donors.imports import cells
from donors.imports.cells import CellError
from donors.imports.gifts import header_problems
from donors.imports.resolve import DONOR_COLUMNS, DonorMatch, DonorResolver, donor_spec
from donors.imports.result import (
    NEW,
    SKIPPED,
    UNCHANGED,
    UPDATED,
    ImportResult,
    RejectedRow,
    RowError,
    RowOutcome,
)
from donors.imports.speed import gc_paused
from donors.models import Donor, DonorEmail, ImportRun
from donors.services import donor_create
from events.models import RSVP, Answer, Event, Guest, Table
from events.selectors import events_for
from events.services.rsvps import rsvp_closed_message, rsvp_details_save, rsvp_submit

RSVP_COLUMNS = [
    "event",
    *DONOR_COLUMNS,
    "answer",
    "party_size",
    "guest_names",
    "dietary_needs",
    "table",
]
# Written by the export for the reader; accepted and ignored by the import (the waitlist and
# the door are the services' to decide).
EXPORT_ONLY_COLUMNS = ["waitlist_position", "checked_in", "walk_in"]
EXPORT_COLUMNS = RSVP_COLUMNS + EXPORT_ONLY_COLUMNS


class _Rollback(Exception):
    pass


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _unquoted(values: dict[str, str]) -> dict[str, str]:
    """Cells as they were before an export neutralized them: the export writes '=x for =x, so
    a file exported and imported again reads the same values (and changes nothing)."""
    return {
        column: value[1:] if value[:1] == "'" and value[1:].startswith(_FORMULA_STARTS) else value
        for column, value in values.items()
    }


def _text(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


class _Row:
    def __init__(self, line, values):
        self.line = line
        self.values = values
        self.errors: list[tuple[str, str]] = []
        self.event: Event | None = None
        self.answer = ""
        self.party_size = 1
        self.table: Table | None = None
        self.spec = None
        self.target: DonorMatch | None = None  # a recorded donor, or the NewDonor
        self.label = ""

    def error(self, column, message):
        self.errors.append((column, message))


def _read(row: _Row, events, tables) -> None:
    values = row.values
    if values.get("__extra__"):
        row.error("", f"values beyond the last column: {values['__extra__']}")
    slug = values.get("event", "")
    if not slug:
        row.error("event", "event is empty: give the event's slug (its page is /events/<slug>/)")
    else:
        row.event = events.get(slug.lower())
        if row.event is None:
            row.error("event", f"event '{slug}' is not the slug of any event")
    raw_answer = values.get("answer", "")
    if not raw_answer:
        row.error("answer", "answer is empty: yes, no or maybe")
    else:
        try:
            row.answer = cells.choice("answer", raw_answer, Answer)
        except CellError as error:
            row.error("answer", str(error))
    size = values.get("party_size", "")
    if size:
        if not size.isdecimal():  # (isdigit would let "²" through to int())
            row.error("party_size", f"party_size '{size}' is not a whole number")
        else:
            row.party_size = int(size)
    if row.answer == Answer.NO:
        row.party_size = 1  # nobody comes: the services keep 1
    elif row.event is not None and size.isdecimal():
        limit = row.event.party_size_limit
        if not 1 <= row.party_size <= limit:
            row.error(
                "party_size",
                f"party_size {size}: a party at {row.event.name} is 1 to {limit} people",
            )
    table = values.get("table", "")
    if table and row.event is not None:
        row.table = tables.get((row.event.pk, table.casefold()))
        if row.table is None:
            names = sorted(
                t.name for (event_id, _), t in tables.items() if event_id == row.event.pk
            )
            known = f"its tables: {', '.join(names)}" if names else "it has no tables yet"
            row.error("table", f"table '{table}' is not a table of {row.event.name} ({known})")
    for column in ("guest_names", "dietary_needs"):
        if len(values.get(column, "")) > 2000:
            row.error(column, f"{column} is longer than 2,000 characters")
    row.spec = donor_spec(row.line, values, row.errors)


@dataclass(frozen=True)
class _Answer:
    """An RSVP's answer as a row asks for it, or as it is recorded."""

    answer: str
    party_size: int
    guest_names: str
    dietary_needs: str
    table_id: int | None

    @classmethod
    def recorded(cls, rsvp: RSVP) -> _Answer:
        return cls(rsvp.answer, rsvp.party_size, rsvp.guest_names, rsvp.dietary_needs,
                   rsvp.table_id)  # fmt: skip

    def same_reply(self, rsvp: RSVP) -> bool:
        """The same answer, party and details as recorded (the table aside)."""
        return (self.answer, self.party_size, self.guest_names, self.dietary_needs) == (
            rsvp.answer, rsvp.party_size, rsvp.guest_names, rsvp.dietary_needs
        )  # fmt: skip


@dataclass
class _Planned:
    """A row without errors, and what it would do to the RSVP recorded for it (if any)."""

    row: _Row
    status: str
    current: RSVP | None


@dataclass
class _Applied:
    refused: bool  # a service refused a row (its error is on the row)
    donor_ids: list[int]  # the donors the import created
    waitlisted: int  # guests who joined a waitlist


def _changed(row: _Row, current: RSVP, headers) -> bool:
    return _wanted(row, current, headers) != _Answer.recorded(current)


def _wanted(row: _Row, current: RSVP | None, headers) -> _Answer:
    """What the row asks for; a column the file does not have keeps what is recorded."""

    def keep(column, value, recorded):
        return value if column in headers else recorded

    return _Answer(
        row.answer,
        row.party_size,
        keep("guest_names", _text(row.values.get("guest_names", "")),
             current.guest_names if current else ""),
        keep("dietary_needs", _text(row.values.get("dietary_needs", "")),
             current.dietary_needs if current else ""),
        keep("table", row.table.pk if row.table else None, current.table_id if current else None),
    )  # fmt: skip


@service
@gc_paused
def rsvps_import(
    *, sheet, user=None, dry_run: bool = False, skip_errors: bool = False, source: str = "command"
) -> ImportResult:
    """Import RSVPs (event slug, donor, answer, party size, guests, dietary needs, table).

    A service (common.door): each answer goes through ``rsvp_submit`` and
    ``rsvp_details_save`` (their audit entries name the importing user); the import run and
    one summary entry per event are written here."""
    started = timezone.now()
    result = ImportResult(
        kind="rsvps", file_name=sheet.name, dry_run=dry_run, headers=sheet.headers
    )
    result.rows = len(sheet.rows)
    headers = set(sheet.headers)
    result.errors = header_problems(sheet.headers, EXPORT_COLUMNS, ["event", "answer"])
    if not any(c in headers for c in DONOR_COLUMNS[:4]):
        result.errors.append(
            RowError(
                1,
                "donor_email",
                "the file names no donor: add donor_email "
                "or donor_first_name and donor_last_name columns",
            )
        )
    if result.errors:
        return result

    slugs = {values.get("event", "").lower() for _, values in sheet.rows} - {""}
    # An organizer imports into the events they organize only; another event's slug reads as
    # unknown, the same as one that does not exist. (The command, without a user, sees all.)
    visible = Event.objects.all() if user is None else events_for(user)
    events = {
        e.slug.lower(): e
        for e in visible.annotate(lower_slug=Lower("slug")).filter(lower_slug__in=slugs)
    }
    tables = {
        (t.event_id, t.name.casefold()): t for t in Table.objects.filter(event__in=events.values())
    }
    rows = [_Row(line, _unquoted(values)) for line, values in sheet.rows]
    for row in rows:
        row.errors.extend(sheet.problems.get(row.line, ()))  # text that cannot be stored
        _read(row, events, tables)
    resolver = DonorResolver()
    _donors_match(rows, resolver)
    plan = _plan(rows, resolver, events, headers)

    def reject(row):
        errors = [RowError(row.line, column, message) for column, message in row.errors]
        result.errors.extend(errors)
        result.rejected.append(RejectedRow(row.line, row.values, errors))

    for row in rows:
        if row.errors:
            reject(row)
    if result.errors and not skip_errors:
        return result

    outcomes: dict[int, RowOutcome] = {
        row.line: RowOutcome(row.line, SKIPPED, row.label or row.spec.label(), row.values)
        for row in rows
        if row.errors
    }
    try:
        with transaction.atomic(), set_actor(user):
            applied = _apply(plan, headers, outcomes, reject)
            result.waitlisted = applied.waitlisted
            result.donors_created = len(applied.donor_ids)
            if applied.refused and not skip_errors:
                raise _Rollback
            if not dry_run:
                _audit(plan, outcomes, sheet.name)
                result.outcomes = [outcomes[line] for line in sorted(outcomes)]
                result.run_id = _run_record(result, applied.donor_ids, user, source, started).pk
            result.imported = not dry_run
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    result.outcomes = [outcomes[line] for line in sorted(outcomes)]
    if result.errors and not skip_errors:
        result.outcomes = []
    return result


def _recorded(row) -> bool:
    """Whether the row's donor is one the database already has."""
    return row.target is not None and not row.target.is_new


def _donors_match(rows: list[_Row], resolver: DonorResolver) -> None:
    """Each row's donor (``row.target``): one recorded, or one the file creates; a donor who
    answers the same event twice in the file is an error on the later line."""
    resolver.load([row.spec for row in rows if not row.errors])
    seen: dict[tuple, int] = {}
    for row in rows:
        if row.errors:
            continue
        row.target = resolver.resolve(row.spec).donor
        key = (row.event.pk, row.target)
        if key in seen:
            row.error("donor_email", f"{row.spec.label() or row.spec.email} already answered "
                      f"{row.event.name} on line {seen[key]}")  # fmt: skip
        else:
            seen[key] = row.line
    resolver.load_existing([row.target.id for row in rows if _recorded(row)])


def _plan(rows: list[_Row], resolver: DonorResolver, events, headers) -> list[_Planned]:
    """What each good row does: a new RSVP, a change, or nothing; a change to an event whose
    RSVPs are closed is an error on the row."""
    existing = {
        (r.event_id, r.donor_id): r
        for r in RSVP.objects.filter(
            event__in=events.values(),
            donor_id__in=[row.target.id for row in rows if _recorded(row)],
        )
    }
    plan = []
    for row in rows:
        if row.errors:
            continue
        if _recorded(row):
            row.label = resolver.existing[row.target.id].label
            current = existing.get((row.event.pk, row.target.id))
        else:
            row.label, current = row.target.label or row.spec.email, None
        status = (
            NEW if current is None else (UPDATED if _changed(row, current, headers) else UNCHANGED)
        )
        if status != UNCHANGED and not row.event.rsvps_open():
            row.error("event", f"{row.event.name}: {rsvp_closed_message(row.event)}")
            continue
        plan.append(_Planned(row, status, current))
    return plan


def _run_record(result: ImportResult, donor_ids, user, source: str, started) -> ImportRun:
    """The ImportRun of an import that writes (inside its transaction): who, which file, the
    counts, and the rejected rows with their error column; the donors it made point at it."""
    run = result.run_create(user=user, source=source, started=started, finished=timezone.now())
    if donor_ids:
        Donor.objects.filter(pk__in=donor_ids).update(import_run=run)
    return run


def _apply(plan: list[_Planned], headers, outcomes, reject) -> _Applied:
    """Write the planned rows through the services, in file order."""
    created: dict[int, Donor] = {}
    refused, waitlisted = False, 0
    for planned in plan:
        row, status, current = planned.row, planned.status, planned.current
        summary = f"{row.label} → {row.event.name}: {row.answer}"
        if row.answer != Answer.NO:
            summary += f", party of {row.party_size}"
        if status == UNCHANGED:
            outcomes[row.line] = RowOutcome(row.line, UNCHANGED, summary, row.values)
            continue
        wanted = _wanted(row, current, headers)
        made_here = False
        try:
            with transaction.atomic():
                if row.target.is_new:
                    donor = created.get(id(row.target))
                    if donor is None:
                        made_here = True
                        spec = row.target.spec
                        donor = created[id(row.target)] = donor_create(
                            kind=spec.kind, first_name=spec.first_name, last_name=spec.last_name,
                            organization_name=spec.organization_name, email=spec.email or None,
                            address=spec.address, phone=spec.phone,
                        )  # fmt: skip
                else:
                    donor = Donor(pk=row.target.id)
                rsvp = current
                if current is None or not wanted.same_reply(current):
                    rsvp = rsvp_submit(
                        event=row.event, donor=donor, answer=wanted.answer,
                        party_size=wanted.party_size, guest_names=wanted.guest_names,
                        dietary_needs=wanted.dietary_needs,
                    )  # fmt: skip
                if rsvp.table_id != wanted.table_id:
                    rsvp_details_save(
                        rsvp=rsvp, table=row.table, dietary_needs=rsvp.dietary_needs,
                    )  # fmt: skip
        except ValidationError as error:
            refused = True
            if made_here:  # rolled back with the row: a later row of theirs creates them again
                created.pop(id(row.target), None)
            row.error("party_size" if "party_size" in getattr(error, "error_dict", {}) else "",
                      "; ".join(error.messages))  # fmt: skip
            reject(row)
            outcomes[row.line] = RowOutcome(row.line, SKIPPED, summary, row.values)
            continue
        if rsvp.waitlist_position is not None:
            summary += f" (the event is full: waitlist #{rsvp.waitlist_position})"
            if current is None or current.waitlist_position is None:
                waitlisted += 1
        outcomes[row.line] = RowOutcome(row.line, status, summary, row.values)
    return _Applied(refused, [donor.pk for donor in created.values()], waitlisted)


def _audit(plan, outcomes, file_name: str) -> None:
    """One audit record per event the file changed: who imported which file, and what."""
    by_event: dict[int, tuple[Event, dict[str, int]]] = {}
    for planned in plan:
        row = planned.row
        status = outcomes[row.line].status
        event, counts = by_event.setdefault(row.event.pk, (row.event, {}))
        counts[status] = counts.get(status, 0) + 1
    for event, counts in by_event.values():
        if not (counts.get(NEW) or counts.get(UPDATED)):
            continue
        text = ", ".join(f"{counts.get(s, 0)} {s}" for s in (NEW, UPDATED, UNCHANGED, SKIPPED))
        LogEntry.objects.log_create(
            event,
            force_log=True,
            action=LogEntry.Action.UPDATE,
            changes={"rsvps imported": [file_name, text]},
        )


def rsvp_export_rows(queryset: QuerySet[RSVP]) -> Iterator[list]:
    """The header, then one row per RSVP, in the import's columns (a file exported and imported
    again changes nothing). Two queries whatever the number of rows; no money."""
    email = DonorEmail.objects.filter(donor=OuterRef("donor_id"), is_primary=True).values("email")[
        :1
    ]
    values = (
        queryset.annotate(x_email=Subquery(email))
        .order_by("event__starts_at", "event_id", "donor__sort_name", "id")
        .values_list(
            "event__slug", "x_email", "donor__first_name", "donor__last_name",
            "donor__organization_name", "donor__kind", "answer", "party_size", "id",
            "dietary_needs", "table__name", "waitlist_position", "checked_in_count", "walk_in",
        )
    )  # fmt: skip
    # The guests each answer brings (guest 2 on), one a line, as the import reads them.
    names: dict[int, list[str]] = {}
    for rsvp_id, name in (
        Guest.objects.filter(rsvp__in=queryset.order_by().values("pk"), position__gt=1)
        .exclude(name="")
        .order_by("rsvp_id", "position")
        .values_list("rsvp_id", "name")
    ):
        names.setdefault(rsvp_id, []).append(name)
    yield EXPORT_COLUMNS
    for row in values.iterator(chunk_size=2000):
        row = (*row[:8], "\n".join(names.get(row[8], ())), *row[9:])
        yield [safe_cell(v) for v in row]
