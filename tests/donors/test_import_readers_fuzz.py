"""Property-based tests (hypothesis) of the import readers, and of the engines behind them:
whatever bytes arrive as a .csv or .xlsx, the reader answers with a Sheet or a FileProblem
that says what is wrong, and the engines with row errors: never another exception (which the
admin shows as "'Error' encountered" or a 500, and a command as a traceback)."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from donors.imports.donors import donors_import
from donors.imports.files import FileProblem, Limits, read_bytes
from donors.imports.gifts import gifts_import
from donors.text import text_problem

SMALL = Limits(file_mb=1, rows=6, columns=5, cell_chars=30, unzipped_mb=1, zip_ratio=100)
NAMES = st.sampled_from(["file.csv", "file.xlsx", "file.txt", "file.CSV"])
# Any character but surrogates (which no file can carry): control characters included.
CELLS = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
GIFT_HEADER = ["donor_email", "donor_first_name", "donor_last_name", "gift_date", "amount",
               "method", "notes"]  # fmt: skip


def _read(data: bytes, name: str, limits: Limits | None = None):
    try:
        sheet = read_bytes(data, name, limits)
    except FileProblem as problem:
        assert str(problem).strip()
        event("refused with a FileProblem")
        return None
    event("read as a Sheet")
    return sheet


def _csv(rows, header=None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _workbook() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(GIFT_HEADER)
    workbook.active.append(["a@example.org", "Ali", "Khan", "2025-01-05", 10, "cash", "hi"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


WORKBOOK = _workbook()


def _stored_cells_are_clean(sheet) -> None:
    """Every cell is a string; one with text that cannot be stored is reported on its line."""
    for line, values in sheet.rows:
        for column, value in values.items():
            assert isinstance(value, str)
            if text_problem(value):
                assert line in sheet.problems, (line, column, value)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000), NAMES)
def test_any_bytes_read_as_a_sheet_or_a_file_problem(data, name):
    sheet = _read(data, name)
    if sheet is not None:
        _stored_cells_are_clean(sheet)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(CELLS, max_size=8), max_size=10), st.sampled_from(["utf-8", "cp1252"]))
def test_any_csv_reads_within_the_limits_or_is_refused(rows, encoding):
    text = _csv(rows).decode("utf-8")
    data = text.encode(encoding, errors="replace")
    sheet = _read(data, "file.csv", SMALL)
    if sheet is None:
        return
    _stored_cells_are_clean(sheet)
    assert len(sheet.headers) <= SMALL.columns
    assert len(sheet.rows) <= SMALL.rows
    for _, values in sheet.rows:
        assert all(len(v) <= SMALL.cell_chars for k, v in values.items() if k != "__extra__")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(WORKBOOK) - 1), st.binary(min_size=1, max_size=8)),
                min_size=1, max_size=6))  # fmt: skip
def test_a_damaged_workbook_reads_or_is_refused(damage):
    data = bytearray(WORKBOOK)
    for position, chunk in damage:
        data[position : position + len(chunk)] = chunk
    sheet = _read(bytes(data), "file.xlsx")
    if sheet is not None:
        _stored_cells_are_clean(sheet)


PARTS = st.sampled_from(["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml",
                         "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml",
                         "xl/sharedStrings.xml", "xl/styles.xml"])  # fmt: skip
XMLISH = st.one_of(
    st.binary(max_size=300),
    st.text(st.sampled_from(list("<>/=\"' ax:rowcsvt1&;")), max_size=300).map(str.encode),
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(PARTS, XMLISH, max_size=7))
def test_a_zip_of_workbook_parts_with_any_content_reads_or_is_refused(parts):
    # The real workbook's parts, some replaced by junk: openpyxl gets past the zip and fails
    # further in, where its errors are of many kinds.
    source = zipfile.ZipFile(io.BytesIO(WORKBOOK))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            archive.writestr(name, parts.get(name, source.read(name)))
    sheet = _read(out.getvalue(), "file.xlsx")
    if sheet is not None:
        _stored_cells_are_clean(sheet)


DONOR_HEADER = ["donor_email", "donor_first_name", "donor_last_name", "donor_organization",
                "address_line1", "city", "tags"]  # fmt: skip


@pytest.mark.django_db
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(st.lists(st.lists(CELLS, min_size=7, max_size=8), max_size=5))
def test_the_engines_answer_any_rows_with_row_errors(organization, rows):
    for engine, header in ((donors_import, DONOR_HEADER), (gifts_import, GIFT_HEADER)):
        sheet = _read(_csv(rows, header), "file.csv")
        if sheet is None:
            continue
        result = engine(sheet=sheet, dry_run=True)
        for line in sheet.problems:
            assert any(error.line == line for error in result.errors)


def test_a_workbook_claiming_a_zip_version_python_cannot_read_is_refused():
    # Found by the damaged-workbook search above: zipfile raises NotImplementedError for a
    # central directory entry that needs a newer zip version, which was a 500 in the admin.
    data = bytearray(WORKBOOK)
    entry = data.index(b"PK\x01\x02")
    data[entry + 6 : entry + 8] = (99).to_bytes(2, "little")  # version needed to extract: 9.9

    with pytest.raises(FileProblem, match="is not an Excel workbook"):
        read_bytes(bytes(data), "file.xlsx")
