"""Reading an imported file (CSV or XLSX, or a tablib Dataset from the admin) into plain rows:
each a line number as staff see it in their spreadsheet and a dict of stripped strings."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path


class FileProblem(ValueError):
    """The file as a whole cannot be read (format, encoding, no header)."""


@dataclass
class Sheet:
    name: str
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # A spreadsheet keeps numbers as floats: 1200.0 is the whole number 1200, 12.7 stays
        # 12.7 (and is refused where a whole number is due).
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal | int):
        return str(value)
    return str(value).strip()


def _header(value) -> str:
    return _cell(value).strip().lower().replace(" ", "_")


def read_csv(data: bytes, name: str) -> Sheet:
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            content = data.decode("cp1252")
        except UnicodeDecodeError:
            raise FileProblem(f"{name} is not a text file (save it as CSV UTF-8)") from None
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        headers = [_header(h) for h in next(reader)]
    except StopIteration:
        raise FileProblem(f"{name} is empty") from None
    sheet = Sheet(name=name, headers=headers)
    start = reader.line_num + 1
    for values in reader:
        if any(v.strip() for v in values):
            sheet.rows.append((start, _row(headers, values)))
        start = reader.line_num + 1
    return sheet


def read_xlsx(data: bytes, name: str) -> Sheet:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises zipfile and XML errors of several kinds
        raise FileProblem(f"{name} is not an Excel workbook (.xlsx)") from None
    worksheet = workbook.worksheets[0]
    rows = worksheet.iter_rows(values_only=True)
    try:
        headers = [_header(h) for h in next(rows)]
    except StopIteration:
        raise FileProblem(f"{name} is empty") from None
    while headers and not headers[-1]:
        headers.pop()
    sheet = Sheet(name=name, headers=headers)
    for number, values in enumerate(rows, start=2):
        cells = [_cell(v) for v in values]
        if any(cells):
            sheet.rows.append((number, _row(headers, cells)))
    workbook.close()
    return sheet


def read_dataset(dataset, name: str) -> Sheet:
    """A tablib Dataset, as django-import-export hands the admin's upload over."""
    headers = [_header(h) for h in (dataset.headers or [])]
    sheet = Sheet(name=name, headers=headers)
    for number, values in enumerate(dataset, start=2):
        cells = [_cell(v) for v in values]
        if any(cells):
            sheet.rows.append((number, _row(headers, cells)))
    return sheet


def _row(headers: list[str], values) -> dict[str, str]:
    row = {}
    for index, header in enumerate(headers):
        if header:
            row[header] = values[index].strip() if index < len(values) else ""
    extra = [v for v in values[len(headers) :] if v.strip()]
    if extra:
        row["__extra__"] = ", ".join(extra)
    return row


def read_file(path: str | Path) -> Sheet:
    path = Path(path)
    if not path.exists():
        raise FileProblem(f"{path} does not exist")
    return read_bytes(path.read_bytes(), path.name)


def read_bytes(data: bytes, name: str) -> Sheet:
    if name.lower().endswith(".xlsx") or data[:2] == b"PK":
        return read_xlsx(data, name)
    if name.lower().endswith((".csv", ".txt")):
        return read_csv(data, name)
    raise FileProblem(f"{name}: import a .csv or .xlsx file")
