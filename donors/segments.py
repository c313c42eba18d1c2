"""Segments: which donors a saved search holds, as one query.

A segment's ``definition`` is a flat JSON object of criteria, each key one criterion and all of
them met (AND). Each criterion is registered once, here or by an app built on donors (events
registers "attended or RSVPed to an event" in its ``AppConfig.ready``: donors may not import
events), with the function that turns its value into a filter on ``Donor`` and the kind of
form field the back office's builder shows for it.

The API the rest of the product uses:

- ``segment_donors(definition)``: the donors, a ``QuerySet[Donor]`` (unordered, distinct);
- ``segment_count(definition)``: how many;
- ``definition_clean(definition)``: the definition checked, or ``ValidationError`` saying why.

Each criterion reads the figures the rest of the product keeps, never a copy of a rule:
a donor's lifetime total, largest gift and first and last gift dates (kept by
``donor_figures_refresh``), the standings behind the dashboard's LYBUNT and SYBUNT
(``donors.selectors.lapsed_q``), the organization's fiscal years
(``Organization.fiscal_year_bounds``) and the counted-gift rule (``donors.money_rules``).
Criteria over related rows are ``EXISTS`` subqueries, so a donor is never counted twice and
no ``DISTINCT`` is needed.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from donors.models import (
    Ask,
    AskStage,
    BoardMember,
    Campaign,
    Donor,
    DonorAddress,
    Fund,
    Gift,
    GiftMethod,
    Organization,
    SoftCredit,
    SoftCreditKind,
    Tag,
)
from donors.money_rules import counted_q
from donors.selectors import lapsed_q

# The kinds of form field the builder shows (donors.admin.segments builds them):
MONEY_RANGE = "money_range"  # {"min": "1000.00", "max": "5000.00"}, either may be left out
DATE_RANGE = "date_range"  # {"from": "2025-01-01", "to": "2025-12-31"}
YEAR = "year"  # 2026
CHOICES = "choices"  # a list of ids or values, any of them
WORDS = "words"  # a list of words (states, cities, ZIP prefixes), any of them
YES = "yes"  # true (a box to tick)
YES_NO = "yes_no"  # true or false


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    # Turns the (checked) value into a Q on Donor.
    to_q: Callable[[Any], Q]
    # Checks and normalizes a value, raising ValidationError with a message for a person.
    clean: Callable[[Any], Any]
    # How the builder asks for it: one of the kinds above, a help text, the section it is
    # shown in, and for CHOICES the (value, label) pairs offered.
    kind: str = YES_NO
    help_text: str = ""
    group: str = "Giving"
    choices: Callable[[], Iterable[tuple[Any, str]]] | None = field(default=None, compare=False)


CRITERIA: dict[str, Criterion] = {}


def criterion_register(criterion: Criterion) -> None:
    """Add a criterion segments may use. Registering the same key again replaces it."""
    CRITERIA[criterion.key] = criterion


def definition_clean(definition: dict) -> dict:
    """The definition with each value checked and normalized, unknown keys refused."""
    if not isinstance(definition, dict):
        raise ValidationError("A segment's criteria are a set of named conditions.")
    unknown = sorted(set(definition) - set(CRITERIA))
    if unknown:
        raise ValidationError(f"Unknown criteria: {', '.join(unknown)}.")
    cleaned = {}
    errors = {}
    for key, value in definition.items():
        if value in (None, "", [], {}):
            continue
        try:
            cleaned[key] = CRITERIA[key].clean(value)
        except ValidationError as exc:
            errors[key] = [f"{CRITERIA[key].label}: {m}" for m in exc.messages]
    if errors:
        raise ValidationError(errors)
    return {key: cleaned[key] for key in CRITERIA if key in cleaned}


def segment_donors(definition: dict) -> QuerySet[Donor]:
    """The donors meeting every criterion of ``definition``."""
    definition = definition_clean(definition)
    q = Q()
    for key, value in definition.items():
        q &= CRITERIA[key].to_q(value)
    return Donor.objects.filter(q)


def segment_count(definition: dict) -> int:
    return segment_donors(definition).count()


def definition_describe(definition: dict) -> list[str]:
    """The criteria in words, one line each, for lists and pages."""
    lines = []
    for key, value in definition_clean(definition).items():
        criterion = CRITERIA[key]
        lines.append(f"{criterion.label}: {_describe(criterion, value)}")
    return lines


def _describe(criterion: Criterion, value) -> str:
    if criterion.kind == MONEY_RANGE:
        low, high = value.get("min"), value.get("max")
        if low and high:
            return f"${Decimal(low):,.2f} to ${Decimal(high):,.2f}"
        return f"at least ${Decimal(low):,.2f}" if low else f"at most ${Decimal(high):,.2f}"
    if criterion.kind == DATE_RANGE:
        start, end = value.get("from"), value.get("to")
        if start and end:
            return f"{start} to {end}"
        return f"from {start}" if start else f"through {end}"
    if criterion.kind in (YES, YES_NO):
        return "yes" if value else "no"
    if criterion.kind == CHOICES and criterion.choices is not None:
        labels = dict((str(k), v) for k, v in criterion.choices())
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


# --- Checking values ---------------------------------------------------------------------------


def _strings(value) -> list[str]:
    if isinstance(value, str):
        value = [part for part in value.replace(";", ",").split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValidationError("Give a list of words.")
    return sorted({v.strip() for v in value})


def _ids(value) -> list[int]:
    if not isinstance(value, list):
        value = [value]
    try:
        ids = sorted({int(v) for v in value})
    except (TypeError, ValueError):
        raise ValidationError("Give a list of record numbers.") from None
    if any(i <= 0 or i > 2**62 for i in ids):
        raise ValidationError("Give a list of record numbers.")
    return ids


def ids_of(queryset: Callable[[], QuerySet], name: str) -> Callable[[Any], list[int]]:
    def clean(value) -> list[int]:
        ids = _ids(value)
        found = set(queryset().filter(pk__in=ids).values_list("pk", flat=True))
        missing = [str(i) for i in ids if i not in found]
        if missing:
            raise ValidationError(f"No {name} numbered {', '.join(missing)}.")
        return ids

    return clean


def _flag(value) -> bool:
    if isinstance(value, bool):
        return value
    raise ValidationError("Give yes or no.")


def _yes(value) -> bool:
    if value is True:
        return True
    raise ValidationError("Tick the box, or leave this criterion out.")


def _money(value, what: str) -> str | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").replace("$", "").strip())
    except InvalidOperation:
        raise ValidationError(f"The {what} amount is not a number: {value}.") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise ValidationError(f"The {what} amount must be between $0 and $999,999,999,999.")
    return str(amount.quantize(Decimal("0.01")))


def _money_range(value) -> dict:
    if not isinstance(value, dict) or set(value) - {"min", "max"}:
        raise ValidationError('Give an amount range as {"min": ..., "max": ...}.')
    low, high = _money(value.get("min"), "lowest"), _money(value.get("max"), "highest")
    if low is None and high is None:
        raise ValidationError("Give a lowest amount, a highest amount or both.")
    if low is not None and high is not None and Decimal(low) > Decimal(high):
        raise ValidationError("The lowest amount is more than the highest.")
    return {k: v for k, v in (("min", low), ("max", high)) if v is not None}


def _date(value, what: str) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value.isoformat()
    try:
        return datetime.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise ValidationError(f"The {what} date is not a date (YYYY-MM-DD): {value}.") from None


def _date_range(value) -> dict:
    if not isinstance(value, dict) or set(value) - {"from", "to"}:
        raise ValidationError('Give a date range as {"from": ..., "to": ...}.')
    start, end = _date(value.get("from"), "first"), _date(value.get("to"), "last")
    if start is None and end is None:
        raise ValidationError("Give a first date, a last date or both.")
    if start is not None and end is not None and start > end:
        raise ValidationError("The first date is after the last.")
    return {k: v for k, v in (("from", start), ("to", end)) if v is not None}


def _year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"Not a year: {value}.") from None
    if not 1900 <= year <= 2200:
        raise ValidationError("Give a fiscal year between 1900 and 2200, such as 2026.")
    return year


def _states(value) -> list[str]:
    states = [s.upper() for s in _strings(value)]
    bad = [s for s in states if len(s) != 2 or not s.isalpha()]
    if bad:
        raise ValidationError(f"Not a two-letter state code: {', '.join(bad)}.")
    return states


def _zip_prefixes(value) -> list[str]:
    prefixes = _strings(value)
    bad = [p for p in prefixes if not p.isdigit() or len(p) > 5]
    if bad:
        raise ValidationError(f"A ZIP prefix is 1 to 5 digits, such as 462: {', '.join(bad)}.")
    return prefixes


def _methods(value) -> list[str]:
    methods = _strings(value)
    bad = [m for m in methods if m not in GiftMethod.values]
    if bad:
        raise ValidationError(f"Not a way of giving: {', '.join(bad)}.")
    return methods


# --- Turning values into filters -----------------------------------------------------------


def _range_q(field_name: str, value: dict, low: str, high: str) -> Q:
    q = Q()
    if low in value:
        q &= Q(**{f"{field_name}__gte": value[low]})
    if high in value:
        q &= Q(**{f"{field_name}__lte": value[high]})
    return q


def _counted_gifts(**filters) -> QuerySet[Gift]:
    return Gift.objects.filter(counted_q(), donor=OuterRef("pk"), **filters)


def _gave(**filters) -> Q:
    return Q(Exists(_counted_gifts(**filters)))


def _organization() -> Organization:
    return Organization.current() or Organization()  # the defaults: the calendar year


def fiscal_year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the organization's fiscal year ``year``."""
    return _organization().fiscal_year_bounds(year)


def current_fiscal_year(today: datetime.date | None = None) -> int:
    """Today's fiscal year, by the organization's first month of the fiscal year."""
    return _organization().fiscal_year_of(today or timezone.localdate())


def _lapsed(kind: str) -> Callable[[bool], Q]:
    def to_q(flag: bool) -> Q:
        q = lapsed_q(kind, current_fiscal_year(), "standing__")
        return q if flag else ~q

    return to_q


def _primary_address(**filters) -> Q:
    return Q(Exists(DonorAddress.objects.filter(donor=OuterRef("pk"), is_primary=True, **filters)))


def _cities_q(cities: list[str]) -> Q:
    match = Q()
    for city in cities:
        match |= Q(city__iexact=city)
    return Q(Exists(DonorAddress.objects.filter(match, donor=OuterRef("pk"), is_primary=True)))


def _zip_q(prefixes: list[str]) -> Q:
    match = Q()
    for prefix in prefixes:
        match |= Q(postal_code__startswith=prefix)
    return Q(Exists(DonorAddress.objects.filter(match, donor=OuterRef("pk"), is_primary=True)))


def _tags_q(ids: list[int]) -> Q:
    through = Donor.tags.through
    return Q(Exists(through.objects.filter(donor_id=OuterRef("pk"), tag_id__in=ids)))


# An ask counts as solicitation once the member asked: at the ask stage, or after (a yes or
# a no). Identifying and cultivating a prospect is not asking yet.
ASKED_STAGES = (AskStage.ASK, AskStage.STEWARD, AskStage.DECLINED)


def _solicited_q(member_ids: list[int]) -> Q:
    """Gifts credited to one of these board members as solicitor (a soft credit "Solicited
    by" on a counted gift: the dashboard's "get"), or an ask of theirs that reached the ask.
    Two small sets of donor ids (not a subquery per donor: their OR would be one)."""
    donor_ids = BoardMember.objects.filter(pk__in=member_ids).values("donor_id")
    credited = SoftCredit.objects.filter(
        counted_q("gift__"), kind=SoftCreditKind.SOLICITOR, donor_id__in=donor_ids
    ).values("gift__donor_id")
    asked = Ask.objects.filter(member_id__in=member_ids, stage__in=ASKED_STAGES).values("donor_id")
    return Q(pk__in=credited) | Q(pk__in=asked)


def _fiscal_year_q(year: int) -> Q:
    return _gave(tax_date__range=fiscal_year_bounds(year))


def _board_member_choices():
    return [(m.pk, str(m.donor)) for m in BoardMember.objects.select_related("donor")]


# --- The criteria ------------------------------------------------------------------------------

GIVING, PLACE, TAGS, CONSENT = "Giving", "Place (primary address)", "Tags", "Consent"

for _criterion in (
    Criterion(
        "lifetime_total",
        "Lifetime giving",
        lambda v: _range_q("lifetime_total", v, "min", "max"),
        _money_range,
        kind=MONEY_RANGE,
        help_text="Everything they gave (gifts kept, net of refunds; soft credits not counted).",
    ),
    Criterion(
        "largest_gift",
        "Largest gift",
        lambda v: _range_q("largest_gift", v, "min", "max"),
        _money_range,
        kind=MONEY_RANGE,
    ),
    Criterion(
        "first_gift_date",
        "First gift",
        lambda v: _range_q("first_gift_date", v, "from", "to"),
        _date_range,
        kind=DATE_RANGE,
    ),
    Criterion(
        "last_gift_date",
        "Latest gift",
        lambda v: _range_q("last_gift_date", v, "from", "to"),
        _date_range,
        kind=DATE_RANGE,
    ),
    Criterion(
        "gave_in_fiscal_year",
        "Gave in fiscal year",
        _fiscal_year_q,
        _year,
        kind=YEAR,
        help_text="The fiscal year by the year it ends in, such as 2026.",
    ),
    Criterion(
        "not_gave_in_fiscal_year",
        "Did not give in fiscal year",
        lambda year: ~_fiscal_year_q(year),
        _year,
        kind=YEAR,
        help_text="The fiscal year by the year it ends in, such as 2025.",
    ),
    Criterion(
        "lybunt",
        "LYBUNT",
        _lapsed("lybunt"),
        _yes,
        kind=YES,
        help_text="Gave last fiscal year, not yet this one (as on the dashboard).",
    ),
    Criterion(
        "sybunt",
        "SYBUNT",
        _lapsed("sybunt"),
        _yes,
        kind=YES,
        help_text="Gave some year before last, not last year nor this one (as on the dashboard).",
    ),
    Criterion(
        "campaigns",
        "Gave to campaign",
        lambda ids: _gave(campaign_id__in=ids),
        ids_of(Campaign.objects.all, "campaign"),
        kind=CHOICES,
        help_text="Gave to any of these.",
        choices=lambda: Campaign.objects.values_list("pk", "name"),
    ),
    Criterion(
        "funds",
        "Gave to fund",
        lambda ids: _gave(fund_id__in=ids),
        ids_of(Fund.objects.all, "fund"),
        kind=CHOICES,
        help_text="Gave to any of these.",
        choices=lambda: Fund.objects.values_list("pk", "name"),
    ),
    Criterion(
        "methods",
        "Gave by",
        lambda methods: _gave(method__in=methods),
        _methods,
        kind=CHOICES,
        help_text="Gave at least once in any of these ways.",
        choices=lambda: GiftMethod.choices,
    ),
    Criterion(
        "solicited_by",
        "Solicited by board member",
        _solicited_q,
        ids_of(BoardMember.objects.all, "board member"),
        kind=CHOICES,
        help_text="A gift credited to them as solicitor, or their ask (asked, yes or no).",
        choices=_board_member_choices,
    ),
    Criterion(
        "states",
        "State",
        lambda states: _primary_address(region__in=states),
        _states,
        kind=WORDS,
        group=PLACE,
        help_text="Two-letter codes separated by commas: IN, CA.",
    ),
    Criterion(
        "cities",
        "City",
        _cities_q,
        _strings,
        kind=WORDS,
        group=PLACE,
        help_text="Separated by commas: Carmel, Fishers.",
    ),
    Criterion(
        "zip_prefixes",
        "ZIP code starts with",
        _zip_q,
        _zip_prefixes,
        kind=WORDS,
        group=PLACE,
        help_text="Separated by commas: 460, 462 (Indianapolis and around).",
    ),
    Criterion(
        "tags",
        "Tagged",
        _tags_q,
        ids_of(Tag.objects.all, "tag"),
        kind=CHOICES,
        group=TAGS,
        help_text="Has any of these tags.",
        choices=lambda: Tag.objects.values_list("pk", "name"),
    ),
    Criterion(
        "email_opt_in",
        "Email OK",
        lambda flag: Q(email_opt_in=flag),
        _flag,
        group=CONSENT,
        help_text="They agreed to email.",
    ),
    Criterion(
        "mail_opt_in",
        "Mail OK",
        lambda flag: Q(mail_opt_in=flag),
        _flag,
        group=CONSENT,
        help_text="They agreed to postal mail.",
    ),
    Criterion(
        "do_not_solicit",
        "Do not solicit",
        lambda flag: Q(do_not_solicit=flag),
        _flag,
        group=CONSENT,
        help_text="Marked never to be asked for money.",
    ),
):
    criterion_register(_criterion)
