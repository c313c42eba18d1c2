"""Reading an imported file (CSV or XLSX) into plain rows: each a line number as staff see it in
their spreadsheet and a dict of stripped strings. The admin and the commands both read through
here, so they accept and refuse the same files with the same messages.

The limits (settings IMPORT_MAX_*) are enforced before or while the file is parsed, never after
it: the size before it is read, an XLSX's unpacked size before it is unzipped, the columns on
the header and each row, the rows as they come, and a CSV cell's length by the csv module
itself (no per-cell check in the loop that reads a 100,000-row file)."""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from openpyxl import load_workbook

from donors.text import printable, text_problem

MB = 1024 * 1024


class FileProblem(ValueError):
    """The file as a whole cannot be read (format, encoding, no header, a limit passed)."""


@dataclass(frozen=True)
class Limits:
    file_mb: int
    rows: int
    columns: int
    cell_chars: int
    unzipped_mb: int
    zip_ratio: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            file_mb=settings.IMPORT_MAX_FILE_MB,
            rows=settings.IMPORT_MAX_ROWS,
            columns=settings.IMPORT_MAX_COLUMNS,
            cell_chars=settings.IMPORT_MAX_CELL_CHARS,
            unzipped_mb=settings.IMPORT_MAX_UNZIPPED_MB,
            zip_ratio=settings.IMPORT_MAX_ZIP_RATIO,
        )


@dataclass
class Sheet:
    name: str
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    # Cells whose text cannot be stored (a NUL byte, a line break in a name), by line:
    # (column, message) pairs each engine reports as that row's errors.
    problems: dict[int, list[tuple[str, str]]] = field(default_factory=dict)


# Any character text_problem may object to: a file without one (nearly all) skips the cell by
# cell check. Line breaks count only in XLSX rows; in a CSV a cell with one spans two lines.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_OR_BREAK = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _one_line(column: str) -> bool:
    return column.endswith(("name", "email", "salutation"))


def _text_problems(row: dict[str, str]) -> list[tuple[str, str]]:
    problems = []
    for column, value in row.items():
        problem = text_problem(value, one_line=_one_line(column))
        if problem:
            problems.append(("" if column == "__extra__" else column, problem))
    return problems


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


def _headers(values, name: str, limits: Limits) -> list[str]:
    if len(values) > limits.columns:
        raise FileProblem(
            f"{name} has {len(values):,} columns: an import takes at most {limits.columns:,}"
        )
    headers = [_header(h) for h in values]
    for number, header in enumerate(headers, start=1):
        if len(header) > limits.cell_chars:
            raise FileProblem(_long_cell(name, 1, limits))
        problem = text_problem(header, one_line=True)
        if problem:
            raise FileProblem(f"{name}, line 1, column {number} ({printable(header)!r}): {problem}")
    return headers


def _long_cell(name: str, line: int, limits: Limits) -> str:
    return (
        f"{name}, line {line}: a cell is longer than {limits.cell_chars:,} characters, "
        "the most an import takes"
    )


def _wide_row(name: str, line: int, count: int, limits: Limits) -> str:
    return (
        f"{name}, line {line}: {count:,} values in one row; an import takes at most "
        f"{limits.columns:,} columns"
    )


def _too_many_rows(name: str, limits: Limits) -> str:
    return (
        f"{name} has more than {limits.rows:,} rows: an import takes at most {limits.rows:,}; "
        "split it into smaller files"
    )


def read_csv(data: bytes, name: str, limits: Limits | None = None) -> Sheet:
    limits = limits or Limits.from_settings()
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            content = data.decode("cp1252")
        except UnicodeDecodeError:
            raise FileProblem(f"{name} is not a text file (save it as CSV UTF-8)") from None
    # The csv module refuses a longer field itself, in C. The limit is the process's; every
    # CSV read here sets the same value, so no restoring (which two threads could interleave).
    csv.field_size_limit(limits.cell_chars)
    reader = csv.reader(io.StringIO(content, newline=""))
    line = 1
    try:
        try:
            headers = _headers(next(reader), name, limits)
        except StopIteration:
            raise FileProblem(f"{name} is empty") from None
        sheet = Sheet(name=name, headers=headers)
        rows, problems = sheet.rows, sheet.problems
        suspect = _CONTROL.search(content) is not None
        columns = limits.columns
        start = line = reader.line_num + 1
        for values in itertools.islice(reader, limits.rows):
            if len(values) > columns:
                raise FileProblem(_wide_row(name, start, len(values), limits))
            if any(v.strip() for v in values):
                row = _row(headers, values)
                rows.append((start, row))
                # A row over several lines has a cell with a line break: fine in notes, not
                # in a name.
                if suspect or reader.line_num != start:
                    found = _text_problems(row)
                    if found:
                        problems[start] = found
            start = line = reader.line_num + 1
        if any(any(v.strip() for v in values) for values in reader):
            raise FileProblem(_too_many_rows(name, limits))
    except csv.Error as error:
        if "field limit" in str(error):
            raise FileProblem(_long_cell(name, reader.line_num or line, limits)) from None
        raise FileProblem(f"{name}, line {reader.line_num or line}: {error}") from None
    return sheet


def _unzipped_check(data: bytes, name: str, limits: Limits) -> None:
    """Refuse a workbook that would unpack to too much, from the zip's own directory, before
    openpyxl unpacks anything (zipfile stops at the declared size when it reads)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        ValueError,
        EOFError,
        # A directory entry claiming a zip version or method Python does not read.
        NotImplementedError,
    ):
        raise FileProblem(f"{name} is not an Excel workbook (.xlsx)") from None
    if unpacked > limits.unzipped_mb * MB or unpacked > limits.zip_ratio * max(len(data), 1):
        raise FileProblem(
            f"{name} unpacks to {unpacked / MB:,.1f} MB, {unpacked / max(len(data), 1):,.0f} "
            f"times its size: an import takes workbooks that unpack to at most "
            f"{limits.unzipped_mb:,} MB and {limits.zip_ratio:,} times their size "
            "(save it as CSV instead)"
        )


def read_xlsx(data: bytes, name: str, limits: Limits | None = None) -> Sheet:
    limits = limits or Limits.from_settings()
    _unzipped_check(data, name, limits)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises zipfile and XML errors of several kinds
        raise FileProblem(f"{name} is not an Excel workbook (.xlsx)") from None
    try:
        return _read_worksheet(workbook, name, limits)
    except FileProblem:
        raise
    except Exception:  # a workbook that opens but whose sheet XML is broken
        raise FileProblem(f"{name} is not an Excel workbook (.xlsx)") from None
    finally:
        workbook.close()


def _read_worksheet(workbook, name: str, limits: Limits) -> Sheet:
    if not workbook.worksheets:
        raise FileProblem(f"{name} is empty")
    worksheet = workbook.worksheets[0]
    # The dimensions a workbook declares may be anything (A1:XFD1048576): read the cells it
    # has, so the row and column limits count what is there.
    worksheet.reset_dimensions()
    rows = worksheet.iter_rows(values_only=True)
    try:
        first = list(next(rows))
    except StopIteration:
        raise FileProblem(f"{name} is empty") from None
    while first and first[-1] in (None, ""):
        first.pop()
    headers = _headers(first, name, limits)
    while headers and not headers[-1]:
        headers.pop()
    sheet = Sheet(name=name, headers=headers)
    for number, values in enumerate(itertools.islice(rows, limits.rows), start=2):
        if len(values) > limits.columns:
            raise FileProblem(_wide_row(name, number, len(values), limits))
        cells = [_cell(v) for v in values]
        joined = "".join(cells)
        if not joined:
            continue
        if len(joined) > limits.cell_chars and max(map(len, cells)) > limits.cell_chars:
            raise FileProblem(_long_cell(name, number, limits))
        row = _row(headers, cells)
        sheet.rows.append((number, row))
        if _CONTROL_OR_BREAK.search(joined):
            found = _text_problems(row)
            if found:
                sheet.problems[number] = found
    if any(any(v not in (None, "") for v in values) for values in rows):
        raise FileProblem(_too_many_rows(name, limits))
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


def size_problem(size: int, name: str, limits: Limits | None = None) -> str | None:
    """Why a file of ``size`` bytes is refused before it is read, or None."""
    limits = limits or Limits.from_settings()
    if size > limits.file_mb * MB:
        return (
            f"{name} is {size / MB:,.1f} MB: an import takes files of at most "
            f"{limits.file_mb:,} MB; split it into smaller files"
        )
    return None


def read_file(path: str | Path, limits: Limits | None = None) -> Sheet:
    path = Path(path)
    if not path.is_file():
        raise FileProblem(f"{path} does not exist")
    problem = size_problem(path.stat().st_size, path.name, limits)
    if problem:
        raise FileProblem(problem)
    return read_bytes(path.read_bytes(), path.name, limits)


def read_bytes(data: bytes, name: str, limits: Limits | None = None) -> Sheet:
    limits = limits or Limits.from_settings()
    problem = size_problem(len(data), name, limits)
    if problem:
        raise FileProblem(problem)
    if name.lower().endswith(".xlsx") or data[:2] == b"PK":
        return read_xlsx(data, name, limits)
    if name.lower().endswith((".csv", ".txt")):
        return read_csv(data, name, limits)
    raise FileProblem(f"{name}: import a .csv or .xlsx file")
