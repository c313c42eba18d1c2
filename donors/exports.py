"""Donor and gift lists out, as CSV (streamed row by row) or XLSX (written row by row to a
temporary file): constant memory whatever the number of rows.

The rows hold the values as stored (numbers and dates typed); each writer protects them from
being run as formulas in its own way. In a CSV every cell is text that a spreadsheet reads as it
would read typing, so a cell starting with =, +, -, @, a tab or a carriage return gets a leading
single quote. In a workbook a cell has a type, and only a formula cell is ever run: text is
written as a text cell (marked quote-prefixed, so editing it in Excel keeps it text), exactly
as stored, `+1 317...` and `=SUM(A1)` included. A workbook cannot hold control characters:
those already stored are written as spaces (donors.text.printable), never a failed export.
"""

from __future__ import annotations

import csv
import datetime
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from donors.models import Donor, DonorAddress, DonorEmail, Gift
from donors.text import printable

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CHUNK = 2000


def csv_cell(value) -> str:
    """A CSV cell as text no spreadsheet runs as a formula: every cell starting with = + - @,
    a tab or a carriage return gets a leading quote, numbers included (in a CSV all is text)."""
    text = "" if value is None else str(safe_cell(value))
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def safe_cell(value):
    """A cell as stored, for either writer: numbers and dates stay numbers and dates, booleans
    and everything else become text; nothing is added to the text (the writers protect it)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | int | datetime.date):
        return value
    return str(value)


def xlsx_cells(sheet, row: Iterable) -> list:
    """The row as openpyxl cells of ``sheet`` (a write-only sheet or a normal one): text as a
    text cell, never a formula or an error code, control characters written as spaces."""
    cells = []
    for value in row:
        value = safe_cell(value)
        if not isinstance(value, str):
            cells.append(WriteOnlyCell(sheet, value))
            continue
        # openpyxl refuses control characters (IllegalCharacterError) and makes any text
        # starting with "=" a formula: the text is set first, then typed back as text.
        cell = WriteOnlyCell(sheet, printable(value))
        cell.data_type = "s"
        if value.startswith(_FORMULA_STARTS):
            cell.quotePrefix = True
        cells.append(cell)
    return cells


DONOR_HEADERS = [
    "donor_id", "donor_kind", "display_name", "donor_first_name", "donor_last_name",
    "donor_organization", "donor_email", "phone", "address_line1", "address_line2", "city",
    "state", "postal_code", "country", "tags", "email_opt_in", "mail_opt_in", "do_not_solicit",
    "anonymous",
]  # fmt: skip
GIVING_HEADERS = ["lifetime_total", "gift_count", "first_gift_date", "last_gift_date",
                  "largest_gift", "years_given"]  # fmt: skip


def donor_rows(queryset: QuerySet, *, with_giving: bool) -> Iterator[list]:
    """The header, then one row per donor: plain values (no model instances), the primary
    contacts annotated, and each 2,000 donors' tags in one more query."""
    email = DonorEmail.objects.filter(donor=OuterRef("pk"), is_primary=True).values("email")[:1]
    address = DonorAddress.objects.filter(donor=OuterRef("pk"), is_primary=True)
    annotated = queryset.prefetch_related(None).annotate(
        x_email=Subquery(email),
        **{
            f"x_{field}": Subquery(address.values(field)[:1])
            for field in ("line1", "line2", "city", "region", "postal_code", "country")
        },
    )
    columns = [
        "pk", "kind", "display_name", "first_name", "last_name", "organization_name", "x_email",
        "phone", "x_line1", "x_line2", "x_city", "x_region", "x_postal_code", "x_country",
        "email_opt_in", "mail_opt_in", "do_not_solicit", "anonymous",
    ]  # fmt: skip
    if with_giving:
        columns += ["lifetime_total", "gift_count", "first_gift_date", "last_gift_date",
                    "largest_gift", "years_given"]  # fmt: skip
    yield DONOR_HEADERS + (GIVING_HEADERS if with_giving else [])
    chunk: list[tuple] = []
    for values in annotated.values_list(*columns).iterator(chunk_size=_CHUNK):
        chunk.append(values)
        if len(chunk) == _CHUNK:
            yield from _donor_chunk(chunk)
            chunk = []
    if chunk:
        yield from _donor_chunk(chunk)


def _donor_chunk(chunk: list[tuple]) -> Iterator[list]:
    tags: dict[int, list[str]] = {}
    for donor_id, name in Donor.tags.through.objects.filter(
        donor_id__in=[values[0] for values in chunk]
    ).values_list("donor_id", "tag__name"):
        tags.setdefault(donor_id, []).append(name)
    for values in chunk:
        row = list(values)
        row[7] = str(row[7] or "")  # the phone number, as written (E.164)
        row[14:14] = ["; ".join(sorted(tags.get(values[0], [])))]  # after the address
        yield [safe_cell(v) for v in row]


GIFT_HEADERS = [
    "gift_id", "external_id", "donor_id", "donor", "donor_email", "gift_date", "tax_date",
    "amount", "amount_refunded", "status", "method", "check_number", "postmark_date",
    "campaign", "fund", "benefit_value", "benefit_description", "benefit_declined",
    "non_cash_description", "notes",
]  # fmt: skip


def gift_rows(queryset: QuerySet[Gift]) -> Iterator[list]:
    email = DonorEmail.objects.filter(donor=OuterRef("donor_id"), is_primary=True).values("email")[
        :1
    ]
    values = queryset.annotate(x_email=Subquery(email)).values_list(
        "pk", "external_id", "donor_id", "donor__display_name", "x_email", "gift_date",
        "tax_date", "amount", "amount_refunded", "status", "method", "check_number",
        "postmark_date", "campaign__name", "fund__name", "benefit_value", "benefit_description",
        "benefit_declined", "non_cash_description", "notes",
    )  # fmt: skip
    yield GIFT_HEADERS
    for row in values.iterator(chunk_size=_CHUNK):
        yield [safe_cell(v) for v in row]


class _Echo:
    def write(self, value):
        return value


def csv_stream(rows: Iterable[list]) -> Iterator[bytes]:
    writer = csv.writer(_Echo())
    yield "\ufeff".encode()  # Excel opens UTF-8 CSV right only with the byte-order mark
    for row in rows:
        yield writer.writerow([csv_cell(cell) for cell in row]).encode()


def xlsx_file(rows: Iterable[list], *, title: str):
    """A temporary file holding the workbook (write-only mode: one row in memory at a time)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for row in rows:
        sheet.append(xlsx_cells(sheet, row))
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    return handle
