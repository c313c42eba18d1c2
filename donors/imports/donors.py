"""The donor import: new donors in bulk; a donor found again gains what the row adds (names,
phone, preferences, tags, a new email or address), saved through donor_save so each change of
contact data or consent leaves its audit record."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from common.door import service
from donors.imports.gifts import header_problems
from donors.imports.resolve import (
    ADDRESS_COLUMNS,
    DONOR_COLUMNS,
    DonorResolver,
    DonorSpec,
    Resolved,
    address_key,
    chunks,
    donor_spec,
    new_donors_create,
    tags_add,
)
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
from donors.models import Donor, DonorAddress, DonorEmail
from donors.services import donor_address_add, donor_email_add, donor_save

DONOR_IMPORT_COLUMNS = [
    *DONOR_COLUMNS,
    *ADDRESS_COLUMNS,
    "phone",
    "tags",
    "email_opt_in",
    "do_not_solicit",
    "anonymous",
]


class _Current:
    """What the database holds for a matched donor, loaded in bulk."""

    def __init__(self, donor):
        self.donor = donor
        self.emails: set[str] = set()
        self.addresses: set[tuple[str, ...]] = set()
        self.has_address = False
        self.tags: set[str] = set()
        self.changes: dict[str, object] = {}
        self.new_emails: list[str] = []
        self.new_addresses: list[dict] = []
        self.new_tags: set[str] = set()


def _load_current(ids) -> dict[int, _Current]:
    current = {}
    for part in chunks(ids):
        for donor in Donor.objects.filter(pk__in=part):
            current[donor.pk] = _Current(donor)
        for donor_id, email in DonorEmail.objects.filter(donor_id__in=part).values_list(
            "donor_id", "email"
        ):
            current[donor_id].emails.add(email)
        for address in DonorAddress.objects.filter(donor_id__in=part).values(
            "donor_id", "line1", "line2", "city", "postal_code", "country"
        ):
            item = current[address["donor_id"]]
            item.has_address = True
            item.addresses.add(address_key(address))
        through = Donor.tags.through
        for donor_id, name in through.objects.filter(donor_id__in=part).values_list(
            "donor_id", "tag__name"
        ):
            current[donor_id].tags.add(name)
    return current


def _changes(spec, item: _Current) -> bool:
    donor = item.donor
    before = dict(item.changes)
    for field, value in (
        ("first_name", spec.first_name),
        ("last_name", spec.last_name),
        ("organization_name", spec.organization_name),
    ):
        if value and getattr(donor, field) != value:
            item.changes[field] = value
    if spec.kind != donor.kind and (spec.first_name or spec.organization_name or spec.last_name):
        item.changes["kind"] = spec.kind
    if spec.phone and str(donor.phone or "") != spec.phone:
        item.changes["phone"] = spec.phone
    for flag, value in spec.flags.items():
        if getattr(donor, flag) != value:
            item.changes[flag] = value
    added = False
    # Several rows may name one donor: each new email or address is added once, as an extra
    # one (primary only for a donor who has none).
    if spec.email and spec.email not in item.emails:
        item.emails.add(spec.email)
        item.new_emails.append(spec.email)
        added = True
    if spec.address and address_key(spec.address) not in item.addresses:
        item.addresses.add(address_key(spec.address))
        item.new_addresses.append(spec.address)
        added = True
    new_tags = set(spec.tags) - item.tags - item.new_tags
    item.new_tags |= new_tags
    return item.changes != before or added or bool(new_tags)


@dataclass
class _DonorRow:
    """A row of the donor file: what it says, its problems, and whom it was matched to."""

    line: int
    values: dict
    spec: DonorSpec
    errors: list[tuple[str, str]]
    match: Resolved | None = None


@service  # an import engine is the import's service: every row it writes is its own
@gc_paused
def donors_import(
    *, sheet, user=None, dry_run: bool = False, skip_errors: bool = False, source: str = "command"
) -> ImportResult:
    started = timezone.now()
    result = ImportResult(
        kind="donors", file_name=sheet.name, dry_run=dry_run, headers=sheet.headers
    )
    result.rows = len(sheet.rows)
    result.errors = header_problems(sheet.headers, DONOR_IMPORT_COLUMNS, [])
    if not any(c in sheet.headers for c in DONOR_COLUMNS[:4]):
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

    rows = []
    problems = sheet.problems
    for line, values in sheet.rows:
        errors = list(problems[line]) if line in problems else []  # text that cannot be stored
        if values.get("__extra__"):
            errors.append(("", f"values beyond the last column: {values['__extra__']}"))
        rows.append(_DonorRow(line, values, donor_spec(line, values, errors), errors))
    resolver = DonorResolver()
    resolver.load([row.spec for row in rows if not row.errors])
    resolver.learn([row.spec for row in rows if not row.errors])
    resolved = []
    for row in rows:
        if row.errors:
            rows_errors = [RowError(row.line, c, m) for c, m in row.errors]
            result.errors.extend(rows_errors)
            result.rejected.append(RejectedRow(row.line, row.values, rows_errors))
            result.outcomes.append(RowOutcome(row.line, SKIPPED, row.spec.label(), row.values))
            continue
        row.match = resolver.resolve(row.spec)
        resolved.append(row)
    if result.errors and not skip_errors:
        result.outcomes = []
        return result

    current = _load_current({r.match.donor.id for r in resolved if not r.match.donor.is_new})
    seen_new: set[int] = set()
    for row in resolved:
        target = row.match.donor
        if target.is_new:
            target.used = True
            # A later row naming the same new donor adds to it: an update of this file's own.
            made = row.match.made
            status = NEW if made else (UPDATED if id(target) in seen_new else UNCHANGED)
            seen_new.add(id(target))
            label = target.label
        else:
            item = current[target.id]
            status = UPDATED if _changes(row.spec, item) else UNCHANGED
            label = item.donor.display_name
        result.outcomes.append(RowOutcome(row.line, status, label, row.values))
    result.donors_created = sum(1 for d in resolver.new if d.used)
    if dry_run:
        return result
    with transaction.atomic():
        run = result.run_create(user=user, source=source, started=started)
        new_donors_create(resolver.new, import_run=run, audited=True)
        _apply(current)
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at"])
    result.imported = True
    result.run_id = run.pk
    return result


def _apply(current: dict[int, _Current]) -> None:
    tags = {}
    for donor_id, item in current.items():
        if item.changes:
            for field, value in item.changes.items():
                setattr(item.donor, field, value)
            donor_save(donor=item.donor)
        had_email = len(item.emails) > len(item.new_emails)
        for number, email in enumerate(item.new_emails):
            donor_email_add(donor=item.donor, email=email, primary=not had_email and number == 0)
        for number, address in enumerate(item.new_addresses):
            primary = not item.has_address and number == 0
            donor_address_add(donor=item.donor, primary=primary, **address)
        if item.new_tags:
            tags[donor_id] = sorted(item.new_tags)
    if tags:
        tags_add(tags)
