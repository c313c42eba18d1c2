"""Money is Decimal end to end and rounded in one place."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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


def usd(value) -> str:
    """$1,234.50 — the one formatting used on pages, PDFs and emails."""
    amount = money(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"
