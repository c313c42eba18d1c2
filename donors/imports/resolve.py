"""Donors named in an imported file, matched to the database in bulk.

Matching, in order: an email any donor has; else the normalized name and postal code of one of
a donor's addresses; else, for a row that gives neither email nor postal code, the normalized
name when exactly one donor has it. Nothing matched: a new donor, created once however many rows
of the file name it. A handful of queries per 5,000 rows, whatever the file's size.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import ClassVar

from django.db import connection
from django.db.models.functions import Lower, Substr
from django_countries.fields import Country

from donors.db import where_in
from donors.imports import cells
from donors.imports.audit import BulkAudit
from donors.imports.cells import CellError
from donors.imports.insert import column_defaults, rows_insert
from donors.models import Donor, DonorAddress, DonorEmail, DonorKind, Tag
from donors.models.donor import US_STATES
from donors.services.donors import donor_names

CHUNK = 5000

DONOR_COLUMNS = [
    "donor_email",
    "donor_first_name",
    "donor_last_name",
    "donor_organization",
    "donor_kind",
]
ADDRESS_COLUMNS = [
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "country",
]
ORGANIZATION_KINDS = {
    DonorKind.COMPANY,
    DonorKind.FOUNDATION,
    DonorKind.DAF_SPONSOR,
    DonorKind.PLATFORM,
    DonorKind.GOVERNMENT,
}


def chunks(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def name_key(kind: str, first: str, last: str, organization: str) -> str:
    if kind in ORGANIZATION_KINDS or (kind == DonorKind.HOUSEHOLD and organization):
        return cells.normalized_name(organization)
    return cells.normalized_name(first, last)


@dataclass
class DonorSpec:
    """The donor a row names, as read from its cells."""

    line: int
    kind: str = DonorKind.PERSON
    first_name: str = ""
    last_name: str = ""
    organization_name: str = ""
    email: str = ""
    address: dict | None = None
    phone: str = ""
    tags: list[str] = field(default_factory=list)
    flags: dict[str, bool] = field(default_factory=dict)

    # Worked out once (matching asks for them several times a row); the spec is not changed
    # after it is read, except where NewDonor.absorb gives it an address.
    _name_key: str | None = field(default=None, init=False, repr=False, compare=False)
    _postal: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def name_key(self) -> str:
        key = self._name_key
        if key is None:
            key = self._name_key = name_key(
                self.kind, self.first_name, self.last_name, self.organization_name
            )
        return key

    @property
    def postal(self) -> str:
        postal = self._postal
        if postal is None:
            postal = cells.normalized_postal(self.address["postal_code"]) if self.address else ""
            self._postal = postal
        return postal

    def label(self) -> str:
        if self.kind in ORGANIZATION_KINDS or (
            self.kind == DonorKind.HOUSEHOLD and self.organization_name
        ):
            return self.organization_name
        return " ".join(p for p in (self.first_name, self.last_name) if p)


_ADDRESS_LENGTHS = (
    ("address_line1", 200), ("address_line2", 200), ("city", 100), ("state", 100),
    ("postal_code", 20),
)  # fmt: skip


def _get(row, column):
    return row.get(column, "")


def donor_spec(
    line: int, row: dict[str, str], errors: list, *, prefix: str = "donor_"
) -> DonorSpec:
    """Read the donor and address columns of a row; each problem goes to ``errors`` as
    (column, message)."""
    spec = DonorSpec(line=line)
    get = row.get

    def read(column, parse, *args, **kwargs):
        value = get(column)
        if not value:
            return None
        try:
            return parse(column, value, *args, **kwargs)
        except CellError as error:
            errors.append((column, str(error)))
            return None

    # The cells most rows leave empty are only looked at (a call each costs, a hundred
    # thousand times over).
    if get("donor_kind"):
        spec.kind = read("donor_kind", cells.choice, DonorKind) or DonorKind.PERSON
    if get("donor_first_name"):
        spec.first_name = read("donor_first_name", cells.text, max_length=100) or ""
    if get("donor_last_name"):
        spec.last_name = read("donor_last_name", cells.text, max_length=100) or ""
    if get("donor_organization"):
        spec.organization_name = read("donor_organization", cells.text, max_length=200) or ""
    if get("donor_email"):
        spec.email = read("donor_email", cells.email) or ""
    if spec.kind == DonorKind.PERSON and not (spec.first_name or spec.last_name):
        if not spec.email:
            errors.append(
                (
                    "donor_last_name",
                    "no donor: give donor_email, or donor_first_name and "
                    "donor_last_name (or donor_organization with donor_kind)",
                )
            )
        elif spec.organization_name:
            errors.append(
                (
                    "donor_kind",
                    f"donor_organization '{spec.organization_name}' needs a "
                    "donor_kind (company, foundation, daf_sponsor, platform, household)",
                )
            )
    elif spec.kind != DonorKind.PERSON and not spec.organization_name:
        if not (spec.kind == DonorKind.HOUSEHOLD and spec.last_name):
            errors.append(("donor_organization", f"a {spec.kind} donor needs donor_organization"))

    address_given = [c for c in ADDRESS_COLUMNS if get(c)]
    if address_given:
        spec.address = _address(row, address_given, read("country", cells.country), errors)
    if row.get("phone"):
        spec.phone = read("phone", cells.phone) or ""
    tags = row.get("tags")
    if tags:
        spec.tags = sorted({t.strip() for t in re.split(r"[;,]", tags) if t.strip()})
    for flag in ("email_opt_in", "do_not_solicit", "anonymous"):
        if row.get(flag):
            value = read(flag, cells.boolean)
            if value is not None:
                spec.flags[flag] = value
    return spec


def _address(
    row: dict[str, str], given: list[str], country: str | None, errors: list
) -> dict | None:
    """The address of a row that gives at least one address column (``given``); None when it
    lacks its first line or city (an error unless it gives only the country)."""
    for column, longest in _ADDRESS_LENGTHS:
        if len(_get(row, column)) > longest:
            errors.append((column, f"{column} is {len(_get(row, column))} characters "
                           f"long; at most {longest} fit"))  # fmt: skip
    country = country or "US"
    address = {
        "line1": _get(row, "address_line1"),
        "line2": _get(row, "address_line2"),
        "city": _get(row, "city"),
        "region": _get(row, "state"),
        "postal_code": _get(row, "postal_code"),
        "country": country,
    }
    missing = [c for c in ("address_line1", "city") if not _get(row, c)]
    if missing and given != ["country"]:
        errors.append((missing[0], f"an address needs address_line1 and city (this row "
                       f"gives {', '.join(given)})"))  # fmt: skip
    if country == "US":
        address["region"] = address["region"].upper()
        if address["region"] and address["region"] not in US_STATES:
            errors.append(("state", f"state '{_get(row, 'state')}' is not a US state: use "
                           "the two-letter code, such as IN or CA"))  # fmt: skip
        elif not address["region"] and not missing:
            errors.append(("state", "a US address needs its state (two letters, e.g. IN)"))
        postal = address["postal_code"]
        if postal and not re.fullmatch(r"\d{5}(-\d{4})?", postal):
            errors.append(("postal_code", f"postal_code '{postal}' is not a US ZIP code "
                           "(five digits, or ZIP+4 as 46204-1234)"))  # fmt: skip
        elif not postal and not missing:
            errors.append(("postal_code", "a US address needs its ZIP code"))
    return None if missing else address


def _squeezed(value: str) -> str:
    return " ".join((value or "").casefold().split())


def address_key(address: dict) -> tuple[str, ...]:
    """When two addresses are the same one: street lines, postal code (else city) and country,
    case and spacing aside."""
    postal = cells.normalized_postal(address.get("postal_code") or "")
    return (
        _squeezed(address["line1"]),
        _squeezed(address.get("line2", "")),
        "" if postal else _squeezed(address.get("city", "")),
        postal,
        str(address.get("country") or "US").upper(),
    )


@dataclass
class Existing:
    id: int
    kind: str
    time_zone: str
    label: str


@dataclass(frozen=True, slots=True)
class KnownDonor:
    """A donor the database already has, named by its id."""

    id: int
    is_new: ClassVar[bool] = False


class NewDonor:
    """A donor the file names that the database does not have yet: created once, with the
    values of the first row that names it (later rows add what it lacks). Its ``id`` is set
    when it is created."""

    is_new = True

    def __init__(self, spec: DonorSpec):
        self.spec = spec
        self.id: int | None = None
        self.used = False
        # Named only as a gift row's soft_credit_email: the import summary lists these.
        self.from_soft_credit = False
        self.kind = spec.kind
        self.time_zone = ""
        self.label = spec.label()
        # What later rows add beyond the first email and address: kept as extra ones.
        self.extra_emails: list[str] = []
        self.extra_addresses: list[dict] = []

    def absorb(self, other: DonorSpec) -> bool:
        changed = False
        if other.email and not self.spec.email:
            self.spec.email, changed = other.email, True
        elif (
            other.email and other.email != self.spec.email and other.email not in self.extra_emails
        ):
            self.extra_emails.append(other.email)
            changed = True
        if other.address and not self.spec.address:
            self.spec.address, changed = other.address, True
            self.spec._postal = None
        elif other.address:
            known = {address_key(a) for a in [self.spec.address, *self.extra_addresses]}
            if address_key(other.address) not in known:
                self.extra_addresses.append(other.address)
                changed = True
        if other.phone and not self.spec.phone:
            self.spec.phone, changed = other.phone, True
        tags = sorted(set(self.spec.tags) | set(other.tags))
        if tags != self.spec.tags:
            self.spec.tags, changed = tags, True
        for flag, value in other.flags.items():
            if self.spec.flags.get(flag) != value:
                self.spec.flags[flag], changed = value, True
        return changed


# Whom a row is matched to: a donor already recorded or one the file creates. Both have
# ``id`` (a new donor's once created) and ``is_new``.
DonorMatch = KnownDonor | NewDonor


@dataclass(frozen=True, slots=True)
class Resolved:
    """What ``DonorResolver.resolve`` found for a row's donor."""

    donor: DonorMatch
    made: bool  # this row's donor is a NewDonor that this row made (not an earlier row)


def _compatible(first: DonorSpec, second: DonorSpec) -> bool:
    return (not first.email or not second.email or first.email == second.email) and (
        not first.postal or not second.postal or first.postal == second.postal
    )


class DonorResolver:
    def __init__(self):
        self.by_email: dict[str, int] = {}
        self.learned_emails: set[str] = set()  # emails matched donors gain from this file
        self.by_name_postal: dict[tuple[str, str], int] = {}
        self.by_name: dict[str, set[int]] = defaultdict(set)
        self.existing: dict[int, Existing] = {}
        self._known: dict[int, KnownDonor] = {}
        self.new_by_email: dict[str, NewDonor] = {}
        self.new_by_name_postal: dict[tuple[str, str], NewDonor] = {}
        self.new_by_name: dict[str, NewDonor] = {}
        self.new: list[NewDonor] = []

    def load(self, specs: list[DonorSpec]) -> None:
        """Everything the specs could match, in a few queries per chunk."""
        emails = {s.email for s in specs if s.email}
        for part in chunks(emails):
            for email, donor_id in where_in(DonorEmail.objects, "email", part).values_list(
                "email", "donor_id"
            ):
                self.by_email[email] = min(donor_id, self.by_email.get(email, donor_id))
        zips = {s.postal[:5] for s in specs if s.postal}
        for part in chunks(zips):
            addresses = (
                DonorAddress.objects.annotate(zip5=Substr("postal_code", 1, 5))
                .filter(zip5__in=part)
                .values_list(
                    "postal_code",
                    "donor_id",
                    "donor__kind",
                    "donor__first_name",
                    "donor__last_name",
                    "donor__organization_name",
                )
            )
            for postal, donor_id, kind, first, last, org in addresses:
                key = (name_key(kind, first, last, org), cells.normalized_postal(postal))
                self.by_name_postal[key] = min(donor_id, self.by_name_postal.get(key, donor_id))
        # Rows with neither email nor postal code: candidates by lower-cased last or
        # organization name (indexed), compared normalized here.
        lasts = {s.last_name.lower() for s in specs if not s.email and not s.postal and s.last_name}
        orgs = {
            s.organization_name.lower()
            for s in specs
            if not s.email and not s.postal and s.organization_name
        }
        for field_name, values in (("last_name", lasts), ("organization_name", orgs)):
            for part in chunks(values):
                rows = (
                    Donor.objects.annotate(lowered=Lower(field_name))
                    .filter(lowered__in=part)
                    .values_list("id", "kind", "first_name", "last_name", "organization_name")
                )
                for donor_id, kind, first, last, org in rows:
                    self.by_name[name_key(kind, first, last, org)].add(donor_id)

    def learn(self, specs: list[DonorSpec]) -> None:
        """The emails and addresses that rows give donors they match become the way to those
        donors for the file's other rows too (the import adds them to the donor): a row with
        only the new email finds the donor whichever line comes first."""
        learned_emails, learned_places = {}, {}
        for spec in specs:
            found = self.match(spec)
            if found is None:
                continue
            if spec.email and spec.email not in self.by_email:
                learned_emails.setdefault(spec.email, found)
            if spec.postal and (spec.name_key, spec.postal) not in self.by_name_postal:
                learned_places.setdefault((spec.name_key, spec.postal), found)
        self.by_email.update(learned_emails)
        self.learned_emails.update(learned_emails)
        self.by_name_postal.update(learned_places)

    def has_email(self, donor_id: int, email: str) -> bool:
        """Whether the database already gives this donor this email (as far as load saw)."""
        return self.by_email.get(email) == donor_id and email not in self.learned_emails

    def match(self, spec: DonorSpec) -> int | None:
        if spec.email and spec.email in self.by_email:
            return self.by_email[spec.email]
        if spec.postal:
            return self.by_name_postal.get((spec.name_key, spec.postal))
        if not spec.email:
            candidates = self.by_name.get(spec.name_key, set())
            if len(candidates) == 1:
                return next(iter(candidates))
        return None

    def known(self, donor_id: int) -> KnownDonor:
        """The recorded donor ``donor_id``, one object per id however many rows name it."""
        donor = self._known.get(donor_id)
        if donor is None:
            donor = self._known[donor_id] = KnownDonor(donor_id)
        return donor

    def resolve(self, spec: DonorSpec) -> Resolved:
        """The recorded donor ``spec`` matches, or the new donor it stands for."""
        found = self.match(spec)
        if found is not None:
            return Resolved(self.known(found), made=False)
        pending = None
        if spec.email:
            pending = self.new_by_email.get(spec.email)
        if pending is None and spec.postal:
            pending = self.new_by_name_postal.get((spec.name_key, spec.postal))
        if pending is None:
            # Within one file, the same name with no contradicting email or postal code is
            # the same new donor (one row gives the email, another the address).
            candidate = self.new_by_name.get(spec.name_key)
            if candidate is not None and _compatible(candidate.spec, spec):
                pending = candidate
        if pending is not None:
            pending.absorb(spec)
            self._register(pending, spec)
            return Resolved(pending, made=False)
        pending = NewDonor(spec)
        self.new.append(pending)
        self._register(pending, spec)
        return Resolved(pending, made=True)

    def soft_credit_donor(self, email: str, line: int) -> NewDonor:
        """The new donor a soft_credit_email that no donor has stands for: a person known by
        that email alone (staff add the name later), created once however many rows name it."""
        pending = NewDonor(DonorSpec(line=line, email=email))
        pending.from_soft_credit = True
        pending.label = email  # no name yet: the email is what staff recognize
        self.new.append(pending)
        self.new_by_email[email] = pending  # by email only: it has no name to be found by
        return pending

    def _register(self, pending: NewDonor, spec: DonorSpec) -> None:
        if spec.email:
            self.new_by_email.setdefault(spec.email, pending)
        if spec.postal:
            self.new_by_name_postal.setdefault((spec.name_key, spec.postal), pending)
        self.new_by_name.setdefault(spec.name_key, pending)

    def load_existing(self, ids) -> None:
        """Kind, time zone and name of matched donors (for the gift rules and the preview)."""
        wanted = [i for i in set(ids) if i not in self.existing]
        for part in chunks(wanted):
            for donor_id, kind, zone, label in where_in(Donor.objects, "id", part).values_list(
                "id", "kind", "time_zone", "display_name"
            ):
                self.existing[donor_id] = Existing(donor_id, kind, zone, label)


def new_donors_create(pending: list[NewDonor], *, import_run, audited: bool = False) -> int:
    """Create the donors (with email, address and tags) in a few bulk statements; with
    ``audited``, each donor, email and address gets its creation entry in the audit log."""
    pending = [p for p in pending if p.used]
    rows = []
    for item in pending:
        spec = item.spec
        # donor_names reads only these (a Donor instance each would cost seconds).
        donor = SimpleNamespace(
            kind=spec.kind,
            first_name=spec.first_name,
            last_name=spec.last_name,
            organization_name=spec.organization_name,
            prefix="",
            suffix="",
        )
        display, sort, salutation = donor_names(donor)
        rows.append(
            {
                "kind": spec.kind,
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "organization_name": spec.organization_name,
                "display_name": display,
                "sort_name": sort,
                "salutation": salutation,
                "phone": spec.phone,
                "import_run_id": import_run.pk,
                **spec.flags,
            }
        )
    ids = rows_insert(Donor, rows)
    for item, donor_id in zip(pending, ids, strict=True):
        item.id = donor_id
    emails = [
        {"donor_id": item.id, "email": item.spec.email, "is_primary": True}
        for item in pending
        if item.spec.email
    ] + [
        {"donor_id": item.id, "email": email, "is_primary": False}
        for item in pending
        for email in item.extra_emails
    ]
    email_ids = rows_insert(DonorEmail, emails)
    addresses = [
        {"donor_id": item.id, "is_primary": True, **item.spec.address}
        for item in pending
        if item.spec.address
    ] + [
        {"donor_id": item.id, "is_primary": False, **address}
        for item in pending
        for address in item.extra_addresses
    ]
    address_ids = rows_insert(DonorAddress, addresses)
    if audited and connection.vendor == "postgresql":
        _creations_logged_in_database(import_run, rows, addresses)
    elif audited:
        _creations_logged(import_run, Donor, rows, ids)
        _creations_logged(import_run, DonorEmail, emails, email_ids)
        _creations_logged(import_run, DonorAddress, addresses, address_ids)
    tagged = {item.id: item.spec.tags for item in pending if item.spec.tags}
    if tagged:
        names = {name for names in tagged.values() for name in names}
        Tag.objects.bulk_create([Tag(name=n) for n in names], ignore_conflicts=True)
        tag_ids = dict(Tag.objects.filter(name__in=names).values_list("name", "id"))
        rows_insert(  # new donors: no link can exist yet
            Donor.tags.through,
            [
                {"donor_id": donor_id, "tag_id": tag_ids[name]}
                for donor_id, names in tagged.items()
                for name in names
            ],
        )
    return len(rows)


def _creations_logged_in_database(run, donors: list[dict], addresses: list[dict]) -> None:
    """PostgreSQL: the creation entries of the donors this run created, their emails and
    addresses, built by the database from the stored rows (the records that name the run, or
    whose donor does): no row goes through Python again."""
    if not donors:
        return
    audit = BulkAudit(Donor, run)
    # Only the columns the import wrote (and the creation time) are read from each row; every
    # other field took its default, written once as shared text.
    written = [*donors[0], "created_at"]
    audit.creations_share(
        {k: v for k, v in column_defaults(Donor, None).items() if k not in written}
    )
    audit.created_in_database(
        where="t.import_run_id = %s",
        params=[run.pk],
        label_sql="COALESCE(NULLIF(t.display_name, ''), 'Donor ' || t.id)",
        columns=written,
    )
    joins = "JOIN donors_donor d ON d.id = t.donor_id"
    BulkAudit(DonorEmail, run).created_in_database(
        where="d.import_run_id = %s", params=[run.pk], label_sql="t.email", joins=joins
    )
    if addresses:
        countries = {a.get("country") for a in addresses} - {None, "", "US"}
        BulkAudit(DonorAddress, run).created_in_database(
            where="d.import_run_id = %s",
            params=[run.pk],
            label_sql=_address_label_sql(countries),
            joins=joins,
        )


def _address_label_sql(countries: set[str]) -> str:
    """DonorAddress.__str__ in SQL over ``t``: its non-empty parts joined by commas, the
    country's name last unless it is the United States. ``countries``: the codes other than US
    the rows hold, their names written into the statement as literals (quoted, and with any %
    doubled for the driver's parameter style)."""

    def literal(text: str) -> str:
        return "'" + text.replace("'", "''").replace("%", "%%") + "'"

    whens = " ".join(
        f"WHEN {literal(code)} THEN {literal(str(Country(code=code).name))}"
        for code in sorted(countries)
    )
    country = f"CASE t.country {whens} END" if whens else "NULL"
    return (
        "concat_ws(', ', NULLIF(t.line1, ''), NULLIF(t.line2, ''), NULLIF(t.city, ''), "
        f"NULLIF(btrim(t.region || ' ' || t.postal_code), ''), {country})"
    )


def _creations_logged(run, model, rows: list[dict], ids: list[int]) -> None:
    """The creation entries of records inserted in bulk (no signal reaches the audit log):
    each with its values, the columns it left out at their defaults, by the importing user."""
    if not rows:
        return
    audit = BulkAudit(model, run)
    defaults = column_defaults(model, None)
    for row, pk in zip(rows, ids, strict=True):
        values = {**defaults, **row}
        audit.created(pk, str(model(pk=pk, **row)), tuple(values), tuple(values.values()))
    audit.write()


def tags_add(tags_by_donor: dict[int, list[str]]) -> None:
    names = {name for names in tags_by_donor.values() for name in names}
    Tag.objects.bulk_create([Tag(name=n) for n in names], ignore_conflicts=True)
    tag_ids = dict(Tag.objects.filter(name__in=names).values_list("name", "id"))
    through = Donor.tags.through
    through.objects.bulk_create(
        [
            through(donor_id=donor_id, tag_id=tag_ids[name])
            for donor_id, names in tags_by_donor.items()
            for name in names
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )
