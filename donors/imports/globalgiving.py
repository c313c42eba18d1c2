"""GlobalGiving's partner donation report: one gift per payout from the GlobalGiving platform
donor (method globalgiving, never receipted by the organization: GlobalGiving receipts its
donors), and each individual donor behind it a soft credit of kind platform_donor.

The report's exact columns are not public, so the columns are a mapping, field -> header
(headers compared case-insensitively, spaces and underscores alike). DEFAULT_MAPPING is used
for any field the caller does not map:

    date        "Donation Date"       the donation's date (YYYY-MM-DD, or --date-format)
    first_name  "Donor First Name"
    last_name   "Donor Last Name"
    name        "Donor Name"          a whole name, used when first/last are not in the file
    email       "Donor Email"
    amount      "Donation Amount"     dollars, e.g. 25.00 or 1,250.00
    project     "Project Title"       kept in the gift's designation
    payout      "Disbursement ID"     the payout reference that groups donations

Re-importing a report changes nothing: a payout's gift has external id globalgiving:<payout>.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from auditlog.context import set_extra_data
from django.db import transaction
from django.utils import timezone

from common.door import service
from donors.imports import cells
from donors.imports.audit import BulkAudit
from donors.imports.cells import CellError
from donors.imports.resolve import (
    DonorMatch,
    DonorResolver,
    DonorSpec,
    new_donors_create,
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
from donors.models import Donor, DonorKind, Gift, GiftMethod, SoftCredit, SoftCreditKind
from donors.services import donor_create
from donors.services.figures import donor_figures_refresh
from donors.services.gifts import gift_save

DEFAULT_MAPPING = {
    "date": "Donation Date",
    "first_name": "Donor First Name",
    "last_name": "Donor Last Name",
    "name": "Donor Name",
    "email": "Donor Email",
    "amount": "Donation Amount",
    "project": "Project Title",
    "payout": "Disbursement ID",
}
REQUIRED = ("date", "amount", "payout")
PLATFORM_NAME = "GlobalGiving"


def _key(header: str) -> str:
    return header.strip().lower().replace(" ", "_")


def platform_donor() -> Donor:
    """The GlobalGiving platform donor, made the first time a report is imported."""
    found = Donor.objects.filter(
        kind=DonorKind.PLATFORM, organization_name__iexact=PLATFORM_NAME
    ).first()
    return found or donor_create(kind=DonorKind.PLATFORM, organization_name=PLATFORM_NAME)


@dataclass
class _Donation:
    """A report row that reads well: one donation within a payout."""

    line: int
    values: dict[str, str]
    payout: str
    date: datetime.date
    amount: Decimal
    donor: DonorSpec | None  # None: an anonymous donation
    project: str


@dataclass
class _Payout:
    """One payout of the report: the gift it becomes and its soft credits."""

    reference: str
    donations: list[_Donation]
    amount: Decimal
    date: datetime.date
    projects: list[str]
    credits: dict[DonorMatch, Decimal]  # each donor behind it and how much they gave
    gift: Gift | None  # the payout's gift when it was imported before
    status: str = NEW


@service  # an import engine is the import's service: every row it writes is its own
@gc_paused
def globalgiving_import(
    *,
    sheet,
    mapping: dict[str, str] | None = None,
    date_format: str | None = None,
    user=None,
    dry_run: bool = False,
    skip_errors: bool = False,
) -> ImportResult:
    started = timezone.now()
    columns = {
        field: _key(header) for field, header in {**DEFAULT_MAPPING, **(mapping or {})}.items()
    }
    result = ImportResult(kind="globalgiving", file_name=sheet.name, dry_run=dry_run,
                          headers=sheet.headers)  # fmt: skip
    result.rows = len(sheet.rows)
    for field in REQUIRED:
        if columns[field] not in sheet.headers:
            result.errors.append(RowError(1, columns[field], f"the report has no "
                                          f"'{columns[field]}' column (the {field}); map it with "
                                          f"--map {field}=HEADER"))  # fmt: skip
    if result.errors:
        return result
    donations = _donations_read(sheet, columns, date_format, result)
    if result.errors and not skip_errors:
        return result

    resolver = DonorResolver()
    resolver.load([d.donor for d in donations if d.donor])
    payouts = _payouts_plan(donations, resolver)
    for payout in payouts:
        label = f"payout {payout.reference}: ${payout.amount:,.2f} on {payout.date}"
        for donation in payout.donations:
            result.outcomes.append(RowOutcome(donation.line, payout.status, label, donation.values))
    for rejected in result.rejected:
        result.outcomes.append(RowOutcome(rejected.line, SKIPPED, "", rejected.values))
    result.donors_created = sum(1 for d in resolver.new if d.used)
    if dry_run:
        return result
    with transaction.atomic():
        run = result.run_create(user=user, source="command", started=started)
        new_donors_create(resolver.new, import_run=run, audited=True)
        # The gifts and soft credits saved one by one are audited by django-auditlog: by the
        # importing user, naming the import run, like the entries written in bulk.
        with set_extra_data({"actor": user, "additional_data": {"import_run": run.pk}}):
            _payouts_write(payouts, run)
        donor_figures_refresh(donor_ids={d.id for p in payouts for d in p.credits})
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at"])
    result.imported = True
    result.run_id = run.pk
    return result


def _donations_read(sheet, columns: dict[str, str], date_format, result) -> list[_Donation]:
    """The report's rows as donations; a row with a problem goes to ``result``'s errors."""
    donations = []
    problems = sheet.problems
    for line, values in sheet.rows:
        errors = list(problems[line]) if line in problems else []  # text that cannot be stored
        read = partial(_cell, values, columns, errors)
        if date_format:
            raw = values.get(columns["date"], "")
            try:
                date = datetime.datetime.strptime(raw, date_format).date()
            except ValueError:
                errors.append((columns["date"], f"{columns['date']} '{raw}' is not a date in "
                               f"the format {date_format}"))  # fmt: skip
                date = None
        else:
            date = read("date", cells.iso_date)
        amount = read("amount", cells.money_amount)
        payout = values.get(columns["payout"], "")
        for field, value in (("date", date), ("amount", amount), ("payout", payout)):
            if value in (None, "") and not any(c == columns[field] for c, _ in errors):
                errors.append((columns[field], f"{columns[field]} is missing"))
        email = read("email", cells.email) or ""
        first = values.get(columns["first_name"], "")
        last = values.get(columns["last_name"], "")
        if not (first or last) and values.get(columns["name"], ""):
            first, _, last = values[columns["name"]].rpartition(" ")
        spec = None
        if email or first or last:
            spec = DonorSpec(
                line=line, first_name=first.strip(), last_name=last.strip(), email=email
            )
        if errors:
            row_errors = [RowError(line, c, m) for c, m in errors]
            result.errors.extend(row_errors)
            result.rejected.append(RejectedRow(line, values, row_errors))
            continue
        donations.append(_Donation(line, values, payout, date, amount, spec,
                                   values.get(columns["project"], "")))  # fmt: skip
    return donations


def _cell(values: dict[str, str], columns: dict[str, str], errors: list, field: str, parse):
    raw = values.get(columns[field], "")
    if not raw:
        return None
    try:
        return parse(columns[field], raw)
    except CellError as error:
        errors.append((columns[field], str(error)))
        return None


def _payouts_plan(donations: list[_Donation], resolver: DonorResolver) -> list[_Payout]:
    """The donations grouped by payout, each payout's donors matched, and whether its gift is
    new, changed or as recorded."""
    by_payout = defaultdict(list)
    for donation in donations:
        by_payout[donation.payout].append(donation)
    existing = {
        g.external_id: g
        for g in Gift.objects.filter(external_id__in=[f"globalgiving:{p}" for p in by_payout])
    }
    payouts = []
    for reference, items in by_payout.items():
        credits: dict[DonorMatch, Decimal] = {}
        for donation in items:
            if donation.donor is None:
                continue  # an anonymous donation: in the payout, credited to nobody
            donor = resolver.resolve(donation.donor).donor
            credits[donor] = credits.get(donor, Decimal("0")) + donation.amount
        payout = _Payout(
            reference=reference,
            donations=items,
            amount=sum((d.amount for d in items), Decimal("0")),
            date=max(d.date for d in items),
            projects=sorted({d.project for d in items if d.project}),
            credits=credits,
            gift=existing.get(f"globalgiving:{reference}"),
        )
        if payout.gift is not None:
            current = {(c.donor_id, c.amount) for c in payout.gift.soft_credits.all()}
            wanted = {(None if d.is_new else d.id, a) for d, a in credits.items()}
            same = payout.gift.amount == payout.amount and current == wanted
            payout.status = UNCHANGED if same else UPDATED
        if payout.status != UNCHANGED:
            for donor in credits:
                if donor.is_new:
                    donor.used = True
        payouts.append(payout)
    return payouts


def _payouts_write(payouts: list[_Payout], run) -> None:
    """Save each new or changed payout's gift (validated and audited: a report holds a handful
    of payouts) and replace its soft credits, audited in bulk."""
    platform = platform_donor()
    audit = BulkAudit(SoftCredit, run)
    for payout in payouts:
        if payout.status == UNCHANGED:
            continue
        gift = payout.gift
        if gift is None:
            gift = Gift(donor=platform, method=GiftMethod.GLOBALGIVING,
                        external_id=f"globalgiving:{payout.reference}", import_run=run)  # fmt: skip
        gift.amount, gift.gift_date, gift.processor = payout.amount, payout.date, "globalgiving"
        gift.designation = "; ".join(payout.projects)[:200]
        gift.notes = f"GlobalGiving payout {payout.reference}: {len(payout.donations)} donations."
        gift_save(gift=gift)
        gift.soft_credits.all().delete()  # one by one, each deletion audited
        credits = SoftCredit.objects.bulk_create(
            [
                SoftCredit(gift=gift, donor_id=d.id, kind=SoftCreditKind.PLATFORM_DONOR,
                           amount=a)
                for d, a in payout.credits.items()
            ]
        )  # fmt: skip
        names = dict(
            Donor.objects.filter(id__in=[c.donor_id for c in credits]).values_list(
                "id", "display_name"
            )
        )
        for credit in credits:
            # As SoftCredit.__str__ writes it: "Platform donor: Ada Lovelace ($25.00)".
            label = (f"{SoftCreditKind.PLATFORM_DONOR.label}: {names.get(credit.donor_id, '')} "
                     f"(${credit.amount:,.2f})")  # fmt: skip
            audit.created(credit.pk, label, _CREDIT_FIELDS,
                          (gift.pk, credit.donor_id, credit.kind, credit.amount))  # fmt: skip
    audit.write()


_CREDIT_FIELDS = ("gift_id", "donor_id", "kind", "amount")
