"""Charts drawn on the server as plain SVG geometry: no JavaScript, readable when printed."""

from __future__ import annotations

from decimal import Decimal

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 72, 8, 12, 28


def _nice_max(value: Decimal) -> Decimal:
    """A round number at or above ``value`` for the top of the axis (1, 2 or 5 times 10^n)."""
    if value <= 0:
        return Decimal(100)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _short(amount: Decimal) -> str:
    if amount >= 1_000_000:
        return f"${amount / 1_000_000:g}M"
    if amount >= 1000:
        return f"${amount / 1000:g}k"
    return f"${amount:g}"


def month_bars(months) -> dict:
    """Grouped bars: last fiscal year beside this one, month by month."""
    top = _nice_max(max([m.this_year for m in months] + [m.last_year for m in months]))
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / len(months)
    bar_w = slot * 0.36

    def height(value):
        return float(value / top) * plot_h if top else 0.0

    groups = []
    for i, month in enumerate(months):
        x = LEFT + i * slot + slot * 0.12
        last_h, this_h = height(month.last_year), height(month.this_year)
        groups.append(
            {
                "label": month.label,
                "label_x": round(LEFT + i * slot + slot / 2, 1),
                "last": {
                    "x": round(x, 1),
                    "y": round(TOP + plot_h - last_h, 1),
                    "h": round(last_h, 1),
                    "value": month.last_year,
                },
                "this": {
                    "x": round(x + bar_w, 1),
                    "y": round(TOP + plot_h - this_h, 1),
                    "h": round(this_h, 1),
                    "value": month.this_year,
                },
                "future": month.future,
            }
        )
    ticks = [
        {"y": round(TOP + plot_h - plot_h * k / 4, 1), "label": _short(top * k / 4)}
        for k in range(5)
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "baseline": TOP + plot_h,
        "label_y": HEIGHT - 8,
        "bar_w": round(bar_w, 1),
        "groups": groups,
        "ticks": ticks,
    }


def percent_of(value: Decimal, top: Decimal) -> int:
    """Width of a horizontal bar, in whole percent of the longest one."""
    if not top or value <= 0:
        return 0
    return max(1, min(100, int(value * 100 / top)))
