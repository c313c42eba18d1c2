"""The currencies the donation page may offer, and the organization's choice of them.

The books are in US dollars: a gift paid in another currency is recorded at the dollars Stripe
settled it as (donors.stripe.handlers). This module only says what a donor may choose on
/donate/: which currencies (US dollars always, plus those in the organization profile), the
suggested amounts in each, and the smallest and largest gift in each.

The list is fixed: currencies Stripe accepts from a US account
(https://docs.stripe.com/currencies), each with a smallest gift well above Stripe's own minimum
charge and a largest near $25,000, within Stripe's eight-digit limit on an amount.
"""

from __future__ import annotations

import dataclasses
import re
from decimal import ROUND_CEILING, Decimal, InvalidOperation

from donors.money import in_currency, minor_units

# Stripe's US card pricing: 2.9% + 30c; a card paid in another currency adds 1.5% (an
# international card) and 1% (the conversion). The fixed part in another currency is about
# 30 US cents in it: a donor covering the fee is asked for close to what Stripe takes.
FEE_RATE = Decimal("0.029")
FOREIGN_FEE_RATE = Decimal("0.054")


@dataclasses.dataclass(frozen=True)
class Currency:
    code: str
    name: str
    minimum: Decimal
    maximum: Decimal
    suggested: tuple[Decimal, ...]
    fixed_fee: Decimal

    @property
    def places(self) -> int:
        return minor_units(self.code)

    @property
    def unit(self) -> Decimal:
        return Decimal(1).scaleb(-self.places)

    def text(self, amount: Decimal) -> str:
        """$75.00, £75.00, JPY 5,000."""
        if self.code == "USD":
            return f"${amount:,.2f}"
        return in_currency(amount, self.code)

    def short(self, amount: Decimal) -> str:
        """A suggested amount as a button shows it: $25, £25, AED 100, $12.50."""
        text = self.text(amount)
        return text[:-3] if self.places == 2 and text.endswith(".00") else text

    def to_minor(self, amount: Decimal) -> int:
        """The integer Stripe is given: pence, cents, yen."""
        return int(amount.scaleb(self.places))

    def fee_covered(self, amount: Decimal) -> Decimal:
        """What to charge so that, after Stripe's fee, about ``amount`` is left."""
        rate = FEE_RATE if self.code == "USD" else FOREIGN_FEE_RATE
        total = (amount + self.fixed_fee) / (1 - rate)
        return total.quantize(self.unit, rounding=ROUND_CEILING)


def _c(code, name, minimum, maximum, suggested, fixed_fee) -> Currency:
    return Currency(
        code=code,
        name=name,
        minimum=Decimal(minimum),
        maximum=Decimal(maximum),
        suggested=tuple(Decimal(a) for a in suggested.split()),
        fixed_fee=Decimal(fixed_fee),
    )


USD = _c("USD", "US dollars", "5", "25000", "25 50 100 250 500", "0.30")
CURRENCIES: dict[str, Currency] = {
    c.code: c
    for c in (
        USD,
        _c("GBP", "British pounds", "5", "20000", "10 25 50 100 250", "0.25"),
        _c("EUR", "Euros", "5", "23000", "10 25 50 100 250", "0.30"),
        _c("CAD", "Canadian dollars", "5", "35000", "25 50 100 250 500", "0.40"),
        _c("AUD", "Australian dollars", "5", "38000", "25 50 100 250 500", "0.45"),
        _c("NZD", "New Zealand dollars", "5", "42000", "25 50 100 250 500", "0.50"),
        _c("CHF", "Swiss francs", "5", "22000", "10 25 50 100 250", "0.30"),
        _c("AED", "UAE dirhams", "20", "90000", "100 250 500 1000 2500", "1.10"),
        _c("SAR", "Saudi riyals", "20", "90000", "100 250 500 1000 2500", "1.15"),
        _c("QAR", "Qatari riyals", "20", "90000", "100 250 500 1000 2500", "1.10"),
        _c("SGD", "Singapore dollars", "5", "33000", "25 50 100 250 500", "0.40"),
        _c("HKD", "Hong Kong dollars", "40", "195000", "200 400 800 2000 4000", "2.35"),
        _c("SEK", "Swedish kronor", "50", "260000", "250 500 1000 2500 5000", "3.20"),
        _c("NOK", "Norwegian kroner", "50", "270000", "250 500 1000 2500 5000", "3.30"),
        _c("DKK", "Danish kroner", "35", "170000", "200 350 700 1750 3500", "2.10"),
        # Counted in whole yen: Stripe takes the amount in yen, not hundredths.
        _c("JPY", "Japanese yen", "700", "3800000", "3000 5000 10000 30000 50000", "45"),
    )
}

MAX_SUGGESTED = 6
_SPLIT = re.compile(r"[\s,;]+")


class SettingError(ValueError):
    """A currencies setting that cannot be used, with the message for the administrator."""


def parse_codes(text: str) -> list[str]:
    """ "GBP, CAD eur" as ["GBP", "CAD", "EUR"], in the order written; refuses unknown codes,
    repeats and USD (always offered)."""
    codes: list[str] = []
    for raw in _SPLIT.split((text or "").strip()):
        if not raw:
            continue
        code = raw.upper()
        if code == "USD":
            raise SettingError("US dollars are always offered: list only the other currencies.")
        if code not in CURRENCIES:
            raise SettingError(
                f"{raw!r} is not one of the currencies the donation page can offer: "
                f"{', '.join(c for c in CURRENCIES if c != 'USD')}."
            )
        if code in codes:
            raise SettingError(f"{code} is listed twice.")
        codes.append(code)
    return codes


def parse_suggested(text: str) -> dict[str, tuple[Decimal, ...]]:
    """Lines of "GBP: 10, 25, 50" as {"GBP": (10, 25, 50)}; each amount must be a gift the page
    accepts in that currency."""
    found: dict[str, tuple[Decimal, ...]] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        code, colon, rest = line.partition(":")
        code = code.strip().upper()
        where = f"Line {number}"
        if not colon or code not in CURRENCIES:
            raise SettingError(
                f"{where}: write a currency code, a colon and the amounts, such as "
                "GBP: 10, 25, 50, 100."
            )
        if code in found:
            raise SettingError(f"{where}: {code} has suggested amounts on an earlier line.")
        currency = CURRENCIES[code]
        amounts: list[Decimal] = []
        for raw in _SPLIT.split(rest.strip()):
            if not raw:
                continue
            try:
                amount = Decimal(raw)
            except InvalidOperation:
                raise SettingError(f"{where}: {raw!r} is not an amount.") from None
            if not amount.is_finite() or amount != amount.quantize(currency.unit):
                raise SettingError(
                    f"{where}: {raw!r} is not an amount in {currency.name}"
                    + (" (whole yen, no decimals)." if currency.places == 0 else ".")
                )
            if not currency.minimum <= amount <= currency.maximum:
                raise SettingError(
                    f"{where}: {currency.text(amount)} is outside the gifts accepted in "
                    f"{currency.name} ({currency.text(currency.minimum)} to "
                    f"{currency.text(currency.maximum)})."
                )
            if amount in amounts:
                raise SettingError(f"{where}: {currency.text(amount)} is listed twice.")
            amounts.append(amount)
        if not amounts or len(amounts) > MAX_SUGGESTED:
            raise SettingError(f"{where}: give 1 to {MAX_SUGGESTED} suggested amounts for {code}.")
        found[code] = tuple(amounts)
    return found


@dataclasses.dataclass(frozen=True)
class Offer:
    """One currency as the donation page offers it."""

    currency: Currency
    suggested: tuple[Decimal, ...]

    @property
    def code(self) -> str:
        return self.currency.code

    def as_json(self) -> dict:
        c = self.currency
        return {
            "code": c.code,
            "name": c.name,
            "amounts": [{"value": str(a), "label": c.short(a)} for a in self.suggested],
            "other_label": f"Other amount ({c.code})",
            "minimum": c.text(c.minimum),
        }


def offers(codes_text: str, suggested_text: str) -> list[Offer]:
    """US dollars first, then the currencies listed, each with its suggested amounts (the
    setting's, else the defaults). A setting that no longer parses offers US dollars only
    (it is checked when saved; this keeps the page up whatever is in the row)."""
    try:
        codes = parse_codes(codes_text)
        suggested = parse_suggested(suggested_text)
    except SettingError:
        codes, suggested = [], {}
    return [
        Offer(CURRENCIES[code], suggested.get(code) or CURRENCIES[code].suggested)
        for code in ["USD", *codes]
    ]
