"""``{% load money %}``: amounts on pages as donors.money.usd writes them everywhere else."""

from django import template

from donors.money import usd as _usd

register = template.Library()


@register.filter
def usd(value, spent: str = ""):
    """``{{ amount|usd }}`` -> "$1,234.50", "−$12,100.00"; ``{{ costs|usd:"spent" }}`` shows
    money going out (costs) as the negative it is."""
    if value in (None, ""):
        return ""
    return _usd(-value if spent else value)
