"""The gift import: every row read and validated in Python, donors and recorded gifts matched
in bulk, the new donor contact details and gifts written in bulk (COPY on PostgreSQL) in one
transaction, the donors' figures refreshed once."""

from __future__ import annotations

import operator
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from common.door import service
from donors.db import where_in
from donors.hooks import money_changed
from donors.imports import cells
from donors.imports.audit import BulkAudit
from donors.imports.cells import CellError
from donors.imports.contacts import contact_additions, contacts_logged
from donors.imports.insert import column_defaults, rows_insert
from donors.imports.matching import existing_gifts_find, fingerprint
from donors.imports.resolve import (
    ADDRESS_COLUMNS,
    DONOR_COLUMNS,
    DonorMatch,
    DonorResolver,
    chunks,
    donor_spec,
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
from donors.models import (
    Appeal,
    Campaign,
    DonorAddress,
    DonorEmail,
    Fund,
    Gift,
    GiftMethod,
    GiftStatus,
    ImportRun,
    Organization,
    Pledge,
    SoftCredit,
    SoftCreditKind,
)
from donors.money_rules import PledgeProblem, pledge_payment_problem
from donors.rules import gift_problems, tax_date_for
from donors.selectors import pledges_with_balance
from donors.services import pledges_settle
from donors.services.asks import asks_close_by_gifts
from donors.services.figures import donor_figures_refresh
from donors.services.gifts import MONEY_FIELDS

GIFT_COLUMNS = [
    "external_id",
    *DONOR_COLUMNS,
    *ADDRESS_COLUMNS,
    "gift_date",
    "amount",
    "method",
    "check_number",
    "postmark_date",
    "campaign",
    "fund",
    # The code of the appeal the gift answers (Appeal.code, such as SPRING26-MAIL).
    "appeal",
    "benefit_value",
    "benefit_description",
    "benefit_declined",
    "non_cash_description",
    "soft_credit_email",
    "soft_credit_kind",
    "pledge_id",
    "notes",
    # Beyond SPEC's list, optional: a stock gift's description ("100 shares of Example Corp")
    # is enough; these structure it further.
    "stock_shares",
    "stock_issuer",
]
REQUIRED_COLUMNS = ["gift_date", "amount", "method"]
# The gift fields a re-imported row may change on a gift it finds again.
COMPARED = [
    "donor_id",
    "amount",
    "method",
    "gift_date",
    "check_number",
    "postmark_date",
    "campaign_id",
    "fund_id",
    "appeal_id",
    "benefit_value",
    "benefit_description",
    "benefit_declined",
    "non_cash_description",
    "stock_shares",
    "stock_issuer",
    "pledge_id",
    "notes",
]
_STOCK_UNDESCRIBED = (
    "A stock gift needs the number of shares and the issuer: state them in "
    "non_cash_description (such as '100 shares of Example Corp'), or give stock_shares and "
    "stock_issuer."
)
# Where gift_problems() names a field that is not a column, the column staff should look at.
PROBLEM_COLUMNS = {"donor": "method", "stock_shares": "stock_shares", "tribute_name": "notes"}


def header_problems(headers: list[str], allowed: list[str], required: list[str]) -> list[RowError]:
    problems = []
    unknown = [h for h in headers if h and h not in allowed]
    for header in unknown:
        problems.append(
            RowError(
                1, header, f"unknown column '{header}' (the columns are: {', '.join(allowed)})"
            )
        )
    seen = set()
    for header in headers:
        if header and header in seen:
            problems.append(RowError(1, header, f"column '{header}' appears twice"))
        seen.add(header)
    for column in required:
        if column not in headers:
            problems.append(RowError(1, column, f"the file has no '{column}' column"))
    return problems


_WRITTEN = [
    "donor_id", "amount", "method", "gift_date", "tax_date", "check_number", "postmark_date",
    "campaign_id", "fund_id", "benefit_value", "benefit_description", "benefit_declined",
    "non_cash_description", "stock_shares", "stock_issuer", "notes", "external_id",
    "import_fingerprint", "pledge_id", "appeal_id",
]  # fmt: skip


class GiftDraft:
    """A gift as read from a row: what gift_problems() reads, without a model instance (a
    hundred thousand of those cost seconds). Unset fields read as the class defaults."""

    pk = donor_id = amount = gift_date = tax_date = postmark_date = None
    campaign_id = fund_id = stock_shares = external_id = import_fingerprint = pledge_id = None
    appeal_id = None
    fee = date_received = date_deposited = original_amount = None
    original_currency = ""
    method = check_number = benefit_description = non_cash_description = stock_issuer = ""
    notes = tribute_kind = tribute_name = tribute_notify_email = ""
    benefit_value = amount_refunded = Decimal("0")
    benefit_declined = False
    status = GiftStatus.SUCCEEDED.value

    def __init__(self, **values):
        self.__dict__.update(values)

    def __getattr__(self, name):
        # Any other field of a gift (one added to the rules later) reads as its default, as on
        # a new Gift: the hot attributes above never come here.
        field = _GIFT_FIELDS.get(name)
        if field is None:
            raise AttributeError(name)
        return field.get_default()

    def values(self) -> dict:
        return dict(zip(_WRITTEN, _written_of(self), strict=True))


_written_of = operator.attrgetter(*_WRITTEN)
_GIFT_FIELDS = {f.attname: f for f in Gift._meta.concrete_fields}


class _Row:
    # Defaults on the class: a row sets only what it has (100,000 rows, 13 attributes each).
    spec = donor = gift = existing = status = soft_email = soft_kind = soft_donor = None
    pledge_ref = ""
    made_donor = False

    def __init__(self, line, values):
        self.line, self.values, self.errors = line, values, []


def _read(row: _Row, column: str, parse, *args, **kwargs):
    value = row.values.get(column, "")
    if not value:
        return None
    try:
        return parse(column, value, *args, **kwargs)
    except CellError as error:
        row.errors.append((column, str(error)))
        return None


def _lookup_table(model, *fields) -> dict[str, int]:
    table = {}
    for values in model.objects.values_list("id", *fields):
        for value in values[1:]:
            table[value.lower()] = values[0]
    return table


def _text(longest: int):
    return lambda column, value: cells.text(column, value, max_length=longest)


class _Cell(NamedTuple):
    """A gift cell: its column, the GiftDraft attribute it sets, and its parser (None: the
    text as it is). An empty cell leaves the attribute at GiftDraft's default."""

    column: str
    attribute: str
    parse: Callable[[str, str], object] | None


_GIFT_CELLS = (
    _Cell("external_id", "external_id", _text(255)),
    _Cell("gift_date", "gift_date", cells.iso_date),
    _Cell("amount", "amount", cells.money_amount),
    _Cell("method", "method", lambda column, value: cells.choice(column, value, GiftMethod)),
    _Cell("check_number", "check_number", cells.whole_number),
    _Cell("postmark_date", "postmark_date", cells.iso_date),
    _Cell("benefit_value", "benefit_value",
          lambda column, value: cells.money_amount(column, value, allow_zero=True)),
    _Cell("benefit_description", "benefit_description", _text(300)),
    _Cell("benefit_declined", "benefit_declined", cells.boolean),
    _Cell("non_cash_description", "non_cash_description", None),
    _Cell("stock_issuer", "stock_issuer", _text(200)),
    _Cell("notes", "notes", None),
)  # fmt: skip


def _appeal_table() -> dict[str, tuple[int, int]]:
    """Each appeal's code (lower-cased, as the other tables) -> (its id, its campaign's id)."""
    return {
        code.lower(): (pk, campaign_id)
        for pk, code, campaign_id in Appeal.objects.values_list("id", "code", "campaign_id")
    }


def _parse(row: _Row, campaigns, funds, gift_cells=_GIFT_CELLS, appeals=None) -> None:
    """Read a row's cells (``gift_cells``: the ones of _GIFT_CELLS the file has)."""
    values = row.values
    get = values.get
    errors = row.errors
    if "__extra__" in values:
        errors.append(("", f"values beyond the last column: {values['__extra__']}"))
    row.spec = donor_spec(row.line, values, errors)
    for column in REQUIRED_COLUMNS:
        if not get(column):
            errors.append((column, f"{column} is missing"))
    gift = GiftDraft()
    fields = gift.__dict__
    for column, attr, parse in gift_cells:
        value = get(column)
        if not value:
            continue
        if parse is None:
            fields[attr] = value
            continue
        try:
            fields[attr] = parse(column, value)
        except CellError as error:
            errors.append((column, str(error)))
    shares = get("stock_shares")
    if shares:
        try:
            gift.stock_shares = cells.money_amount("stock_shares", shares)
        except CellError:
            errors.append(("stock_shares", f"stock_shares '{shares}' is not a number"))
    for column, table, attr in (("campaign", campaigns, "campaign_id"), ("fund", funds, "fund_id")):
        name = values.get(column, "")
        if name:
            found = table.get(name.lower())
            if found is None:
                row.errors.append(
                    (column, f"{column} '{name}' does not exist: add it in the back office first")
                )
            setattr(gift, attr, found)
    code = values.get("appeal", "")
    if code:
        found = (appeals or {}).get(code.strip().lower())
        if found is None:
            row.errors.append(
                ("appeal", f"appeal '{code}' is no appeal's code: add the appeal in the back "
                           "office first, or correct the code")
            )  # fmt: skip
        else:
            # As gift_save does: a gift given no campaign counts toward its appeal's.
            gift.appeal_id = found[0]
            if gift.campaign_id is None and not values.get("campaign"):
                gift.campaign_id = found[1]
    row.soft_email = _read(row, "soft_credit_email", cells.email)
    row.soft_kind = _read(row, "soft_credit_kind", cells.choice, SoftCreditKind)
    if row.soft_email and not row.soft_kind and "soft_credit_kind" not in dict(row.errors):
        row.errors.append(("soft_credit_kind", "a soft credit needs its soft_credit_kind"))
    if row.soft_kind and not row.soft_email:
        row.errors.append(("soft_credit_email", "soft_credit_kind is given without an email"))
    row.pledge_ref = values.get("pledge_id", "")
    row.gift = gift


@service  # an import engine is the import's service: every row it writes is its own
@gc_paused
def gifts_import(
    *,
    sheet,
    user=None,
    dry_run: bool = False,
    skip_errors: bool = False,
    source: str = "command",
    kind: str = ImportRun.Kind.GIFTS,
    prepare_row=None,
) -> ImportResult:
    """Import a sheet of gifts (see GIFT_COLUMNS). Nothing is written when a row has an error,
    unless ``skip_errors``: then the good rows go in and the bad ones come back in
    ``result.rejected``."""
    started = timezone.now()
    result = ImportResult(kind=kind, file_name=sheet.name, dry_run=dry_run, headers=sheet.headers)
    result.rows = len(sheet.rows)
    file_errors = header_problems(sheet.headers, GIFT_COLUMNS, REQUIRED_COLUMNS)
    if not any(c in sheet.headers for c in DONOR_COLUMNS[:4]):
        file_errors.append(
            RowError(
                1,
                "donor_email",
                "the file names no donor: add donor_email "
                "or donor_first_name and donor_last_name columns",
            )
        )
    if file_errors:
        result.errors = file_errors
        return result

    campaigns = _lookup_table(Campaign, "name", "slug")
    funds = _lookup_table(Fund, "name")
    appeals = _appeal_table() if "appeal" in sheet.headers else {}
    rows = [_Row(line, values) for line, values in sheet.rows]
    gift_cells = tuple(c for c in _GIFT_CELLS if c.column in sheet.headers)
    problems = sheet.problems
    for row in rows:
        if row.line in problems:  # text that cannot be stored
            row.errors.extend(problems[row.line])
        _parse(row, campaigns, funds, gift_cells, appeals)
        if prepare_row:
            prepare_row(row)

    resolver = DonorResolver()
    resolver.load([r.spec for r in rows if not r.errors])
    resolver.learn([r.spec for r in rows if not r.errors])
    _soft_credit_donors(rows, resolver)
    for row in rows:
        if not row.errors:
            resolved = resolver.resolve(row.spec)
            row.donor, row.made_donor = resolved.donor, resolved.made
    resolver.load_existing(r.donor.id for r in rows if r.donor is not None and not r.donor.is_new)
    existing_gifts_find(rows, ["id", *COMPARED, "tax_date", "external_id", "import_fingerprint"])
    if "appeal" not in sheet.headers:
        # A file without the column says nothing of appeals: a gift found again keeps its own.
        for row in rows:
            if row.existing is not None:
                row.gift.appeal_id = row.existing["appeal_id"]
    _check(rows, resolver)
    contacts = contact_additions(rows, resolver)

    bad = [r for r in rows if r.errors]
    for row in bad:
        errors = [RowError(row.line, column, message) for column, message in row.errors]
        result.errors.extend(errors)
        result.rejected.append(RejectedRow(row.line, row.values, errors))
    if bad and not skip_errors:
        return result
    good = [r for r in rows if not r.errors]
    for row in good:
        if row.donor.is_new:
            row.donor.used = True
        if row.soft_donor is not None and row.soft_donor.is_new:
            row.soft_donor.used = True
    result.donors_created = sum(1 for d in resolver.new if d.used)
    result.soft_credit_donors = [d.label for d in resolver.new if d.used and d.from_soft_credit]
    outcomes = result.outcomes
    for row in rows:
        outcomes.append(RowOutcome(row.line, SKIPPED if row.errors else row.status,
                                   partial(_outcome_label, row, resolver), row.values))  # fmt: skip
    if dry_run:
        return result
    with transaction.atomic():
        run = result.run_create(user=user, source=source, started=started)
        _write(good, resolver, run, contacts)
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at"])
    result.imported = True
    result.run_id = run.pk
    return result


def _donor_label(donor: DonorMatch | None, resolver: DonorResolver) -> str:
    if donor is None:
        return ""
    if donor.is_new:
        return donor.label
    return resolver.existing[donor.id].label if donor.id in resolver.existing else ""


def _describe(row, resolver: DonorResolver) -> str:
    """The row's gift as Gift.__str__ writes it: "$50.00 from Ada Lovelace on 2025-03-01"."""
    label = _donor_label(row.donor, resolver)
    amount = f"${row.gift.amount:,.2f}" if row.gift.amount is not None else "?"
    return f"{amount} from {label} on {row.gift.gift_date}"


def _outcome_label(row, resolver: DonorResolver) -> str:
    """The preview's words for a row: its gift, and the donor its soft credit creates."""
    soft = row.soft_donor
    if soft is not None and soft.is_new and soft.from_soft_credit and not row.errors:
        return f"{_describe(row, resolver)}; soft credit to a new donor, {soft.label}"
    return _describe(row, resolver)


def _soft_credit_donors(rows, resolver: DonorResolver) -> None:
    emails = {r.soft_email for r in rows if r.soft_email and not r.errors}
    for part in chunks(emails - set(resolver.by_email)):
        for email, donor_id in where_in(DonorEmail.objects, "email", part).values_list(
            "email", "donor_id"
        ):
            resolver.by_email[email] = min(donor_id, resolver.by_email.get(email, donor_id))


def _check(rows, resolver: DonorResolver) -> None:
    """The gift rules, pledges, soft credits and duplicates within the file."""
    org = Organization.current()
    org_zone = org.time_zone if org else settings.TIME_ZONE
    today = timezone.localdate()
    pledge_refs = {r.pledge_ref for r in rows if r.pledge_ref and not r.errors}
    pledges = {}
    if pledge_refs:
        for part in chunks(pledge_refs):
            for pledge in pledges_with_balance(Pledge.objects.filter(external_id__in=part)):
                pledges[pledge.external_id] = pledge
    seen_external, seen_print = {}, {}
    for row in rows:
        if row.errors:
            continue
        gift, donor = row.gift, row.donor
        is_new = donor.is_new
        info = donor if is_new else resolver.existing[donor.id]
        gift.donor_id = None if is_new else donor.id
        gift.tax_date = tax_date_for(
            method=gift.method,
            gift_date=gift.gift_date,
            postmark_date=gift.postmark_date,
            time_zone=info.time_zone or org_zone,
        )
        problems = gift_problems(gift, donor_kind=info.kind, today=today)
        if "stock_shares" in problems and "stock_issuer" in problems:
            # Neither column given: the description alone would do, when it says what it is.
            del problems["stock_issuer"]
            problems["stock_shares"] = _STOCK_UNDESCRIBED
        for field, message in problems.items():
            column = PROBLEM_COLUMNS.get(field, field)
            row.errors.append((column, message[0].lower() + message[1:]))
        key = gift.external_id
        if key:
            if key in seen_external:
                row.errors.append(
                    ("external_id", f"external_id '{key}' is also on line {seen_external[key]}")
                )
            seen_external.setdefault(key, row.line)
        elif not (row.existing and row.existing["external_id"]):
            # (A row found to be a recorded gift with an id is told apart by that id.)
            print_key = (donor, gift.gift_date, gift.amount, gift.method)
            if print_key in seen_print:
                row.errors.append(
                    (
                        "external_id",
                        "same donor, date, amount and method as line "
                        f"{seen_print[print_key]}: give each gift an external_id to "
                        "import both",
                    )
                )
            seen_print.setdefault(print_key, row.line)
        if row.pledge_ref:
            _check_pledge(row, pledges.get(row.pledge_ref))
        if row.soft_email:
            known = resolver.by_email.get(row.soft_email)
            soft = (
                resolver.known(known)
                if known is not None
                else resolver.new_by_email.get(row.soft_email)
            )
            if soft is None:  # nobody has it yet: a donor made from the email
                soft = resolver.soft_credit_donor(row.soft_email, row.line)
            if soft == donor:
                row.errors.append(
                    ("soft_credit_email", "the gift's own donor already has the hard credit")
                )
            else:
                row.soft_donor = soft  # created (NewDonor.used) only if the row goes in
        row.status = NEW if row.existing is None else _compare(row)


def _check_pledge(row, pledge) -> None:
    gift = row.gift
    if pledge is None:
        row.errors.append(("pledge_id", f"pledge_id '{row.pledge_ref}' matches no pledge"))
        return
    already = (
        row.existing["amount"] if row.existing and row.existing["pledge_id"] == pledge.pk else 0
    )
    balance = pledge.balance + already
    problem = pledge_payment_problem(
        pledge_donor_id=pledge.donor_id, pledge_status=pledge.status, balance=balance,
        donor_id=gift.donor_id, method=gift.method, amount=gift.amount,
    )  # fmt: skip
    if problem is PledgeProblem.OTHER_DONOR:
        row.errors.append(("pledge_id", f"pledge '{row.pledge_ref}' belongs to another donor"))
        return
    if problem is PledgeProblem.CANCELLED:
        row.errors.append(("pledge_id", f"pledge '{row.pledge_ref}' was cancelled"))
        return
    if problem is PledgeProblem.OVER_BALANCE:
        row.errors.append(
            (
                "amount",
                f"amount ${gift.amount:,.2f} is more than pledge "
                f"'{row.pledge_ref}' has left to pay (${balance:,.2f})",
            )
        )
        return
    pledge.balance = balance - gift.amount
    gift.pledge_id = pledge.pk


_compared_of_gift = operator.attrgetter(*COMPARED)
_compared_of_row = operator.itemgetter(*COMPARED)


def _compare(row) -> str:
    existing, gift = row.existing, row.gift
    if gift.external_id and gift.external_id != existing["external_id"]:
        return UPDATED  # imported before without its id: the id is filled in
    if _compared_of_gift(gift) == _compared_of_row(existing):
        return UNCHANGED  # the common case, in one comparison
    for field in COMPARED:
        new = getattr(gift, field)
        if field == "donor_id" and new is None:
            return UPDATED  # moved to a donor this file creates
        if new != existing[field] and not (new in ("", None) and existing[field] in ("", None)):
            return UPDATED
    return UNCHANGED


def _write(good, resolver: DonorResolver, run, contacts) -> None:
    new_donors_create(resolver.new, import_run=run, audited=True)
    touched = set()
    to_create, to_update = [], []
    for row in good:
        gift, existing = row.gift, row.existing
        if row.donor.is_new:
            gift.donor_id = row.donor.id
        if existing:
            gift.pk = existing["id"]
        if row.status == UNCHANGED:
            continue
        computed = (
            gift.import_fingerprint  # worked out for a matched donor when matching
            if not row.donor.is_new and gift.import_fingerprint
            else fingerprint(gift.donor_id, gift.gift_date, gift.amount, gift.method)
        )
        if existing and not gift.external_id:
            gift.external_id = existing["external_id"]  # a row without an id never clears one
        if not gift.external_id:
            gift.import_fingerprint = computed
        elif existing and existing["import_fingerprint"] == computed:
            gift.import_fingerprint = computed  # still the same gift of the file without ids
        else:
            gift.import_fingerprint = None  # ids tell gifts apart: two may share a fingerprint
        touched.add(gift.donor_id)
        if row.status == NEW:
            to_create.append(row)
        elif row.status == UPDATED:
            touched.add(existing["donor_id"])
            to_update.append(row)
    emails, addresses = contacts
    contacts_logged(run, DonorEmail, emails, rows_insert(DonorEmail, emails))
    contacts_logged(run, DonorAddress, addresses, rows_insert(DonorAddress, addresses))
    gifts_audit = BulkAudit(Gift, run)
    # Updates first: they only keep or clear fingerprints, so none collides with a new gift's.
    _update(to_update, resolver, gifts_audit)
    _create(to_create, resolver, run, gifts_audit)
    gifts_audit.write()
    _soft_credits_create(good, resolver, run)
    donor_figures_refresh(donor_ids=touched)
    # The new gifts close their donors' open asks (one query for the whole file).
    asks_close_by_gifts(gifts=[row.gift for row in to_create])
    pledge_ids = {r.gift.pledge_id for r in good if r.gift.pledge_id}
    pledge_ids |= {r.existing["pledge_id"] for r in to_update if r.existing["pledge_id"]}
    if pledge_ids:
        pledges_settle(pledge_ids=pledge_ids)


_UPDATED_FIELDS = [f.removesuffix("_id") if f.endswith("_id") else f for f in COMPARED] + [
    "tax_date",
    "import_fingerprint",
    "external_id",
]
# What a changed gift's audit entry compares: the fields an update writes, by attname.
_UPDATED_ATTNAMES = [*COMPARED, "tax_date", "import_fingerprint", "external_id"]


def _update(to_update: list[_Row], resolver: DonorResolver, audit: BulkAudit) -> None:
    """Write the changed gifts, their audit entries (the fields that changed, old and new) and,
    for each whose money changed, the tasks that follow money (receipts: donors.hooks)."""
    if not to_update:
        return
    Gift.objects.bulk_update(
        [Gift(pk=r.gift.pk, **r.gift.values()) for r in to_update], _UPDATED_FIELDS,
        batch_size=1000,
    )  # fmt: skip
    for row in to_update:
        new = row.gift.values()
        old = row.existing
        audit.changed(row.gift.pk, _describe(row, resolver),
                      old, {f: new[f] for f in _UPDATED_ATTNAMES})  # fmt: skip
        if any(old[f] != new[f] for f in _MONEY_IMPORTED):  # Decimal: 100 == 100.00
            money_changed(gift_id=row.gift.pk)


# The money fields (donors.services.gifts.MONEY_FIELDS) an imported row can change.
_MONEY_IMPORTED = [f for f in MONEY_FIELDS if f in COMPARED]


def _create(to_create: list[_Row], resolver: DonorResolver, run, audit: BulkAudit) -> None:
    """Insert the new gifts (COPY on PostgreSQL) and gather their audit entries."""
    if not to_create:
        return
    run_id = run.pk
    values = [_written_of(r.gift) for r in to_create]
    ids = rows_insert(Gift, [(*v, run_id) for v in values], columns=[*_WRITTEN, "import_run_id"])
    for row, new_id in zip(to_create, ids, strict=True):
        row.gift.pk = new_id
    # What the import leaves to the defaults is the same for every gift it creates: its text
    # is made once.
    defaults = {k: v for k, v in column_defaults(Gift, None).items() if k not in _WRITTEN}
    audit.creations_share({**defaults, "import_run_id": run_id})
    if connection.vendor == "postgresql":
        # The gifts this run created are the ones that name it (a changed gift keeps the run
        # that created it): their entries made by the database from the stored rows.
        audit.created_in_database(
            where="t.import_run_id = %s", params=[run_id], label_sql=_GIFT_LABEL_SQL,
            joins="JOIN donors_donor d ON d.id = t.donor_id", columns=_WRITTEN,
        )  # fmt: skip
        return
    for row, written in zip(to_create, values, strict=True):
        audit.created(row.gift.pk, _describe(row, resolver), _WRITTEN_NAMES, written)


# Gift.__str__ in SQL: "$1,250.00 from Ada Lovelace on 2025-03-01".
_GIFT_LABEL_SQL = (
    "'$' || to_char(t.amount, 'FM999,999,999,990.00') || ' from ' "
    "|| COALESCE(NULLIF(d.display_name, ''), 'Donor ' || d.id) || ' on ' || t.gift_date::text"
)


_WRITTEN_NAMES = tuple(_WRITTEN)


def _soft_credits_create(good: list[_Row], resolver: DonorResolver, run) -> None:
    """The rows' soft credits (a few per file at most), with their audit entries."""
    credits, labels = [], []
    for row in good:
        if row.soft_donor is None:
            continue
        soft = row.soft_donor
        donor_id = soft.id
        credits.append(
            SoftCredit(gift_id=row.gift.pk, donor_id=donor_id, kind=row.soft_kind,
                       amount=row.gift.amount)
        )  # fmt: skip
        labels.append(f"{SoftCreditKind(row.soft_kind).label}: {_donor_label(soft, resolver)}"
                      f" (${row.gift.amount:,.2f})")  # fmt: skip
    if not credits:
        return
    # One soft credit a gift at most here; a gift recorded again keeps the one it has.
    taken = set()
    for part in chunks({c.gift_id for c in credits}):
        taken.update(
            where_in(SoftCredit.objects, "gift_id", part).values_list("gift_id", "donor_id", "kind")
        )
    fresh = [(c, label) for c, label in zip(credits, labels, strict=True)
             if (c.gift_id, c.donor_id, c.kind) not in taken]  # fmt: skip
    SoftCredit.objects.bulk_create([c for c, _ in fresh], batch_size=2000)
    audit = BulkAudit(SoftCredit, run)
    names = ("gift_id", "donor_id", "kind", "amount")
    for credit, label in fresh:
        audit.created(credit.pk, label, names, (credit.gift_id, credit.donor_id, credit.kind,
                                                 credit.amount))  # fmt: skip
    audit.write()
