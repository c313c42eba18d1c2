"""Money is Decimal end to end and rounded in one place."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db.models import DecimalField, Sum
from django.db.models.functions import Round

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value) -> Decimal:
    """Round to cents, half up, refusing floats (they cannot hold cents exactly)."""
    if isinstance(value, float):
        raise TypeError("money() refuses float; pass a Decimal, int or string")
    if value is None:
        return ZERO
    try:
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount of money") from None


def kept(amount, amount_refunded) -> Decimal:
    """What the organization keeps of a payment: the amount less what was refunded (the one
    copy of the rule; donors.money_rules gives it for the database too)."""
    return money(amount) - money(amount_refunded)


# The minus sign (U+2212), as typeset, before the dollar sign: "−$12,100.00", never
# "$-12,100.00". The PDFs' fonts (common.pdf_text) carry it.
MINUS = "\u2212"


def usd(value) -> str:
    """$1,234.50 and −$1,234.50: the one formatting used on pages, PDFs and emails."""
    amount = money(value)
    sign = MINUS if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


class MoneyField(DecimalField):
    """The output field of money computed in the database (sums, balances): whatever the
    database hands back is read as whole cents through ``money()``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        if isinstance(value, float):
            value = repr(value)
        return money(value)


def money_sum(expression, **extra) -> Round:
    """``Sum()`` of money rounded to cents in the database. SQLite adds DECIMAL columns as
    floats (0.1 + 0.2 != 0.3): rounding in SQL keeps comparisons and filters on the sum
    (``balance__gt=0``) right there too; on PostgreSQL it changes nothing."""
    return Round(Sum(expression, **extra), 2, output_field=MoneyField())


# Currencies Stripe counts in whole units (no cents) and in thousandths; all others in
# hundredths (https://docs.stripe.com/currencies#zero-decimal).
ZERO_DECIMAL_CURRENCIES = frozenset(
    "bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split()
)
THREE_DECIMAL_CURRENCIES = frozenset("bhd jod kwd omr tnd".split())
CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "CAD": "CA$", "AUD": "A$", "NZD": "NZ$"}


def minor_units(currency: str) -> int:
    """How many decimal places a processor's integer amounts in ``currency`` carry."""
    code = (currency or "usd").lower()
    if code in ZERO_DECIMAL_CURRENCIES:
        return 0
    return 3 if code in THREE_DECIMAL_CURRENCIES else 2


def from_minor(value, currency: str) -> Decimal:
    """A processor's integer amount (pence, cents, yen) as a Decimal of the currency's unit."""
    return Decimal(int(value)).scaleb(-minor_units(currency))


def in_currency(value, currency: str) -> str:
    """£100.00, CA$150.00, JPY 5,000: an amount in another currency, for people to read."""
    code = (currency or "").upper()
    places = minor_units(code)
    amount = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{abs(amount):,.{places}f}"
    sign = "-" if amount < 0 else ""
    symbol = CURRENCY_SYMBOLS.get(code)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{code} {text}"
