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
from decimal import Decimal

from common.door import service
from django.db import transaction
from django.utils import timezone

from donors.imports import cells
from donors.imports.cells import CellError
from donors.imports.resolve import DonorResolver, DonorSpec, NewDonor, new_donors_create
from donors.imports.result import NEW, SKIPPED, UNCHANGED, UPDATED, ImportResult, RowError, RowOutcome
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


@service
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
    columns = {field: _key(header) for field, header in {**DEFAULT_MAPPING, **(mapping or {})}.items()}
    result = ImportResult(kind="globalgiving", file_name=sheet.name, dry_run=dry_run,
                          headers=sheet.headers)  # fmt: skip
    result.rows = len(sheet.rows)
    for field in REQUIRED:
        if columns[field] not in sheet.headers:
            result.errors.append(RowError(1, columns[field], f"the report has no "
                                          f"'{columns[field]}' column (the {field}); map it with "
                                          f"--map {field}=HEADER"))
    if result.errors:
        return result

    donations = []  # (line, values, payout, date, amount, spec or None, project)
    problems = sheet.problems
    for line, values in sheet.rows:
        errors = list(problems[line]) if line in problems else []  # text that cannot be stored

        def read(field, parse, *args):
            raw = values.get(columns[field], "")
            if not raw:
                return None
            try:
                return parse(columns[field], raw, *args)
            except CellError as error:
                errors.append((columns[field], str(error)))

        if date_format:
            raw = values.get(columns["date"], "")
            try:
                date = datetime.datetime.strptime(raw, date_format).date()
            except ValueError:
                errors.append((columns["date"], f"{columns['date']} '{raw}' is not a date in "
                               f"the format {date_format}"))
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
            spec = DonorSpec(line=line, first_name=first.strip(), last_name=last.strip(), email=email)
        if errors:
            row_errors = [RowError(line, c, m) for c, m in errors]
            result.errors.extend(row_errors)
            result.rejected.append((line, values, row_errors))
            continue
        donations.append((line, values, payout, date, amount, spec, values.get(columns["project"], "")))
    if result.errors and not skip_errors:
        return result

    resolver = DonorResolver()
    resolver.load([d[5] for d in donations if d[5]])
    payouts = defaultdict(list)
    for donation in donations:
        payouts[donation[2]].append(donation)
    existing = {
        g.external_id: g
        for g in Gift.objects.filter(external_id__in=[f"globalgiving:{p}" for p in payouts])
    }
    plans = []
    for payout, items in payouts.items():
        amount = sum((d[4] for d in items), Decimal("0"))
        credits: dict[object, Decimal] = {}
        for line, values, _, _, share, spec, _ in items:
            if spec is None:
                continue  # an anonymous donation: in the payout, credited to nobody
            donor, _ = resolver.resolve(spec)
            credits[donor] = credits.get(donor, Decimal("0")) + share
        date = max(d[3] for d in items)
        projects = sorted({d[6] for d in items if d[6]})
        gift = existing.get(f"globalgiving:{payout}")
        status = NEW
        if gift is not None:
            current = {
                (c.donor_id, c.amount) for c in gift.soft_credits.all()
            }
            wanted = {(d if isinstance(d, int) else None, a) for d, a in credits.items()}
            status = UNCHANGED if gift.amount == amount and current == wanted else UPDATED
        plans.append((payout, items, amount, date, projects, credits, gift, status))
        for donor in credits:
            if isinstance(donor, NewDonor) and status != UNCHANGED:
                donor.used = True
        for line, values, *_ in items:
            result.outcomes.append(
                RowOutcome(line, status, f"payout {payout}: ${amount:,.2f} on {date}", values)
            )
    for line, values, _ in result.rejected:
        result.outcomes.append(RowOutcome(line, SKIPPED, "", values))
    result.donors_created = sum(1 for d in resolver.new if d.used)
    if dry_run:
        return result
    with transaction.atomic():
        run = result.run_create(user=user, source="command", started=started)
        new_donors_create(resolver.new, import_run=run)
        platform = platform_donor()
        touched = {d.id if isinstance(d, NewDonor) else d for p in plans for d in p[5]}
        for payout, items, amount, date, projects, credits, gift, status in plans:
            if status == UNCHANGED:
                continue
            if gift is None:
                gift = Gift(donor=platform, method=GiftMethod.GLOBALGIVING,
                            external_id=f"globalgiving:{payout}", import_run=run)  # fmt: skip
            gift.amount, gift.gift_date, gift.processor = amount, date, "globalgiving"
            gift.designation = "; ".join(projects)[:200]
            gift.notes = f"GlobalGiving payout {payout}: {len(items)} donations."
            gift_save(gift=gift)  # validated, audited; a report holds a handful of payouts
            gift.soft_credits.all().delete()
            SoftCredit.objects.bulk_create(
                [
                    SoftCredit(gift=gift, donor_id=d.id if isinstance(d, NewDonor) else d,
                               kind=SoftCreditKind.PLATFORM_DONOR, amount=a)
                    for d, a in credits.items()
                ]
            )  # fmt: skip

        donor_figures_refresh(donor_ids=touched)
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at"])
    result.imported = True
    result.run_id = run.pk
    return result

