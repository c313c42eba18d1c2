"""The annual summary PDF for the treasurer: every section of the JSON as tables, with Schedule B
(Parts I and II) and Schedule A Part II laid out in the forms' columns."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import letter

from common import pdf_text
from compliance.pdf import MARGIN, new_canvas
from compliance.reports import contribution_types, name_and_address, schedule_a_rows
from donors.money import usd

PAGE_WIDTH, PAGE_HEIGHT = letter
RIGHT = PAGE_WIDTH - MARGIN

# Column edges (x of the left edge; money columns are drawn right-aligned at the next edge).
PART_I = (MARGIN, MARGIN + 36, MARGIN + 270, MARGIN + 390)
PART_II = (MARGIN, MARGIN + 46, MARGIN + 270, MARGIN + 390)
SIZE = 8


class _Page:
    def __init__(self, canvas):
        self.canvas = canvas
        self.y = PAGE_HEIGHT - MARGIN

    def need(self, points: float) -> None:
        if self.y - points < MARGIN:
            self.canvas.showPage()
            self.y = PAGE_HEIGHT - MARGIN

    def text(self, x, text, *, bold=False, size=SIZE, align="left", y=None) -> None:
        pdf_text.draw(self.canvas, x, self.y if y is None else y, str(text), bold=bold,
                      size=size, align=align)  # fmt: skip

    def heading(self, text: str, size: float = 10) -> None:
        self.need(40)
        self.y -= 6
        self.text(MARGIN, text, bold=True, size=size)
        self.y -= size * 1.5

    def row(self, label, value, bold=False) -> None:
        self.need(12)
        self.text(MARGIN, str(label)[:90], bold=bold, size=9)
        self.text(RIGHT, value, bold=bold, size=9, align="right")
        self.y -= 12

    def table_row(self, edges, cells, *, bold=False) -> None:
        """One row of a form's table: (b) wraps within its column; (c), an amount, is
        right-aligned against (d) (its heading left-aligned)."""
        width = edges[2] - edges[1] - 8
        lines = pdf_text.wrap(str(cells[1]), bold=bold, size=SIZE, max_width=width) or [""]
        self.need(len(lines) * 10 + 2)
        top = self.y
        self.text(edges[0], cells[0], bold=bold)
        for number, line in enumerate(lines):
            self.text(edges[1], line, bold=bold, y=top - number * 10)
        if bold:
            self.text(edges[2], cells[2], bold=True)
        else:
            self.text(edges[3] - 10, cells[2], align="right")
        self.text(edges[3], cells[3], bold=bold)
        self.y = top - len(lines) * 10 - 2


def _schedule_b(page: _Page, summary: dict) -> None:
    page.heading("Schedule B (Form 990): schedule of contributors")
    page.row("Rule", summary["schedule_b_rule"])
    page.row("Contributions, gifts, grants (Form 990 Part VIII line 1h)",
             usd(summary["contributions_line_1h"]))  # fmt: skip
    page.row("Contributors listed from", usd(summary["schedule_b_threshold"]))
    if (
        summary["schedule_b_rule"].startswith("special")
        and not summary["schedule_b_special_rule_qualifies"]
    ):
        page.row("Note: the 33 1/3% support test (Schedule A Part II 16a/16b) is not met", "")
    page.heading("Part I  Contributors", size=9)
    page.table_row(PART_I, ["(a) No.", "(b) Name, address, and ZIP + 4",
                            "(c) Total contributions", "(d) Type"], bold=True)  # fmt: skip
    for entry in summary["schedule_b"]:
        cells = [entry["number"], name_and_address(entry), usd(entry["total"]),
                 contribution_types(entry)]  # fmt: skip
        page.table_row(PART_I, cells)
    if not summary["schedule_b"]:
        page.row("No contributor reaches the threshold.", "")
    page.heading("Part II  Noncash property", size=9)
    page.table_row(PART_II, ["(a) No.", "(b) Description of noncash property given",
                             "(c) FMV (or estimate)", "(d) Date received"], bold=True)  # fmt: skip
    for entry in summary["schedule_b_noncash"]:
        cells = [entry["number"], entry["description"], usd(entry["fair_market_value"]),
                 entry["date_received"]]  # fmt: skip
        page.table_row(PART_II, cells)
    if not summary["schedule_b_noncash"]:
        page.row("No noncash property from the contributors listed.", "")


def _schedule_a(page: _Page, support: dict) -> None:
    page.heading(f"Public support {support['years'][0]}-{support['years'][1]} (Schedule A Part II)")
    columns = 6
    width = (RIGHT - MARGIN - 190) / columns
    # Amounts with thousands separators and no $: the columns are too narrow for it.
    for number, (label, cells) in enumerate(schedule_a_rows(support, readable=True)):
        page.need(11)
        bold = number == 0
        page.text(MARGIN, label, bold=bold, size=7.5)
        for index, cell in enumerate(cells):
            x = MARGIN + 190 + width * (index + 1)
            page.text(x, cell, bold=bold, size=7.5, align="right")
        page.y -= 11
    page.y -= 4
    page.row(f"Each donor counted up to (2% of line 11 (f)): {usd(support['donor_cap'])}", "")
    page.row(f"Unusual grants left out: {usd(support['unusual_grants_excluded'])}", "")
    for line in pdf_text.wrap(support["not_tracked"], size=7.5, max_width=RIGHT - MARGIN):
        page.need(10)
        page.text(MARGIN, line, size=7.5)
        page.y -= 10


def summary_pdf(summary: dict, org_name: str) -> bytes:
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, f"Annual summary {summary['year']}", org_name)
    page = _Page(canvas)
    page.text(MARGIN, org_name, bold=True, size=14)
    page.y -= 21
    page.text(MARGIN, f"Annual summary {summary['year']}", bold=True, size=12)
    page.y -= 22
    page.row("Total received (net of refunds)", usd(summary["total_received"]), bold=True)
    page.row("Total deductible by donors", usd(summary["total_deductible"]), bold=True)
    page.row("Gifts", summary["gift_count"])
    for title, key in [
        ("By month", "by_month"),
        ("By method", "by_method"),
        ("By campaign", "by_campaign"),
        ("By fund", "by_fund"),
        ("By donor state", "by_state"),
    ]:
        page.heading(title)
        for label, value in summary[key].items():
            page.row(label, usd(value))
    _schedule_b(page, summary)
    _schedule_a(page, summary["public_support"])
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
