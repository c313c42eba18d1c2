"""Reading one cell of an imported file, strictly: a value that is not exactly what the column
takes is an error in words staff understand, never silently coerced (no rounding, no guessing
which of day and month comes first, no thousands separator in the wrong place)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django_countries import countries
from phonenumber_field.phonenumber import PhoneNumber


class CellError(ValueError):
    """A cell's value is wrong; the message names the column and the value."""


_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^\d+(\.\d+)?$|^\.\d+$")
_CENTS = re.compile(r"\d+(\.\d{1,2})?")  # the common case, checked first: '1200', '75.50'
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_SLASHED = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})$")
_MONTHS = "January February March April May June July August September October November December"


def text(column: str, value: str, *, max_length: int | None = None) -> str:
    if max_length and len(value) > max_length:
        raise CellError(f"{column} is {len(value)} characters long; at most {max_length} fit")
    return value


def money_amount(column: str, value: str, *, allow_zero: bool = False) -> Decimal:
    """A positive amount in dollars and cents: '1200', '1,200.50', '$75'."""
    if _CENTS.fullmatch(value):
        amount = Decimal(value)
        if amount == 0 and not allow_zero:
            raise CellError(f"{column} '{value}' is zero")
        return amount
    raw = value
    body = value.replace("$", "", 1).strip() if value.startswith("$") else value
    if body.startswith("-") or body.startswith("("):
        raise CellError(f"{column} '{raw}' is negative: record refunds in the gift itself")
    if "," in body:
        if not _GROUPED.match(body):
            if re.fullmatch(r"[\d,]+(\.\d+)?", body):
                raise CellError(
                    f"{column} '{raw}' has a thousands separator in the wrong place "
                    "(write 1,200.50 or 1200.50)"
                )
            raise CellError(f"{column} '{raw}' is not a number")
        body = body.replace(",", "")
    if not _PLAIN.match(body):
        raise CellError(f"{column} '{raw}' is not a number")
    try:
        amount = Decimal(body)
    except InvalidOperation:
        raise CellError(f"{column} '{raw}' is not a number") from None
    if amount.as_tuple().exponent < -2:
        raise CellError(f"{column} '{raw}' has fractions of a cent")
    if amount == 0 and not allow_zero:
        raise CellError(f"{column} '{raw}' is zero")
    return amount


def whole_number(column: str, value: str) -> str:
    """Digits only, kept as written (leading zeros matter on a check)."""
    if not value.isdigit():
        raise CellError(f"{column} '{value}' is not a whole number")
    if len(value) > 30:
        raise CellError(f"{column} '{value}' is too long for a check number")
    return value


def iso_date(column: str, value: str) -> datetime.date:
    """YYYY-MM-DD only: 05/01/2025 is May 1 in the US and January 5 elsewhere."""
    if _ISO.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise CellError(f"{column} {value} is not a real date") from None
    slashed = _SLASHED.match(value)
    if slashed:
        first, second = int(slashed[1]), int(slashed[2])
        if first <= 12 and second <= 12 and first != second:
            months = _MONTHS.split()
            raise CellError(
                f"{column} {value} could be {months[first - 1]} {second} or "
                f"{months[second - 1]} {first}: use YYYY-MM-DD"
            )
    raise CellError(f"{column} {value}: use YYYY-MM-DD")


def boolean(column: str, value: str) -> bool:
    lowered = value.lower()
    if lowered in {"true", "yes", "y", "1"}:
        return True
    if lowered in {"false", "no", "n", "0"}:
        return False
    raise CellError(f"{column} '{value}' is not true or false")


_CHOICE_TABLES: dict[type, tuple[dict[str, str], str]] = {}


def _choice_table(choices) -> tuple[dict[str, str], str]:
    table = _CHOICE_TABLES.get(choices)
    if table is None:
        lookup = {}
        for option, label in choices.choices:
            if option:
                lookup[str(label).lower()] = str(option)
        for option in choices.values:
            if option:
                lookup[str(option)] = str(option)
        allowed = ", ".join(str(v) for v in choices.values if v)
        table = _CHOICE_TABLES[choices] = (lookup, allowed)
    return table


def choice(column: str, value: str, choices) -> str:
    """One of a TextChoices' values (or labels), in any case."""
    lookup, allowed = _choice_table(choices)
    found = (
        lookup.get(value)  # as written, most often
        or lookup.get(value.lower().replace(" ", "_").replace("-", "_"))
        or lookup.get(value.lower())
    )
    if found is None:
        raise CellError(f"{column} '{value}' is not one of: {allowed}")
    return found


# Stricter than what mail servers accept, looser than RFC 5322: what people actually type.
_EMAIL = re.compile(
    r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
)


def email(column: str, value: str) -> str:
    address = value.strip().lower()
    if len(address) > 254 or not _EMAIL.match(address):
        raise CellError(f"{column} '{value}' is not an email address")
    return address


def country(column: str, value: str) -> str:
    code = countries.alpha2(value) or countries.by_name(value)
    if not code:
        raise CellError(f"{column} '{value}' is not a country (use a two-letter code such as US)")
    return code


def phone(column: str, value: str) -> str:
    try:
        number = PhoneNumber.from_string(value, region="US")
    except Exception:  # phonenumbers raises its own NumberParseException
        number = None
    if number is None or not number.is_valid():
        raise CellError(f"{column} '{value}' is not a phone number")
    return number.as_e164


def normalized_name(*parts: str) -> str:
    """How two spellings of one name compare: case, accents of punctuation and spacing aside."""
    joined = " ".join(p for p in parts if p)
    return " ".join(re.sub(r"[^\w\s]", " ", joined.casefold()).split())


def normalized_postal(value: str) -> str:
    compact = value.replace(" ", "").upper()
    if re.fullmatch(r"\d{5}(-\d{4})?", compact):
        return compact[:5]
    return compact
