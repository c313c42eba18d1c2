"""django-import-export resources for the admin's import (preview, row errors, confirm) that
hand every row to the same engine as the commands, so both behave exactly alike."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from import_export import resources
from import_export.fields import Field
from import_export.results import Result, RowResult

from donors.imports.donors import DONOR_IMPORT_COLUMNS, donors_import
from donors.imports.files import Sheet
from donors.imports.gifts import GIFT_COLUMNS, gifts_import
from donors.imports.result import NEW, SKIPPED, UNCHANGED, UPDATED
from donors.imports.speed import gc_paused
from donors.models import Donor, Gift

_IMPORT_TYPES = {
    NEW: RowResult.IMPORT_TYPE_NEW,
    UPDATED: RowResult.IMPORT_TYPE_UPDATE,
    UNCHANGED: RowResult.IMPORT_TYPE_SKIP,
    SKIPPED: RowResult.IMPORT_TYPE_SKIP,
}


def as_admin_result(outcome, *, skip_errors: bool = False) -> Result:
    """Our ImportResult in the shape django-import-export's pages show: row errors as invalid
    rows (no confirm offered) or, when the user chose to skip bad rows, as skipped rows that
    say why."""
    result = Result()
    headers = [h for h in outcome.headers if h]
    file_errors = any(e.line == 1 for e in outcome.errors)
    if skip_errors and outcome.errors and not file_errors:
        return _with_skipped_rows(outcome, headers)
    result.diff_headers = ["record", *headers] if not outcome.errors else headers
    result.total_rows = outcome.rows
    errors_by_line: dict[int, dict[str, list[str]]] = {}
    for error in outcome.errors:
        column = error.column if error.column in headers else NON_FIELD_ERRORS
        if error.line == 1 and error.column not in headers:
            column = NON_FIELD_ERRORS  # a missing column: nothing to point at
        errors_by_line.setdefault(error.line, {}).setdefault(column, []).append(error.message)
    if errors_by_line:
        values_by_line = {row.line: row.values for row in outcome.rejected}
        values_by_line[1] = {h: h for h in headers}
        for line, messages in sorted(errors_by_line.items()):
            result.append_invalid_row(line, values_by_line.get(line, {}), ValidationError(messages))
        return result
    for item in outcome.outcomes:
        row = RowResult()
        row.import_type = _IMPORT_TYPES[item.status]
        note = "" if item.status in (NEW, UPDATED) else f" ({item.status})"
        row.diff = [
            f"line {item.line}: {item.label}{note}",
            *(item.values.get(h, "") for h in headers),
        ]
        row.object_repr = item.label
        result.append_row_result(row)
        result.increment_row_result_total(row)
    return result


def _with_skipped_rows(outcome, headers) -> Result:
    result = Result()
    result.diff_headers = ["record", *headers]
    result.total_rows = outcome.rows
    reasons: dict[int, list[str]] = {}
    for error in outcome.errors:
        reasons.setdefault(error.line, []).append(error.message)
    for item in sorted(outcome.outcomes, key=lambda o: o.line):
        row = RowResult()
        row.import_type = _IMPORT_TYPES[item.status]
        if item.line in reasons:
            text = f"line {item.line}: not imported: {'; '.join(reasons[item.line])}"
        else:
            note = "" if item.status in (NEW, UPDATED) else f" ({item.status})"
            text = f"line {item.line}: {item.label}{note}"
        row.diff = [text, *(item.values.get(h, "") for h in headers)]
        row.object_repr = item.label
        result.append_row_result(row)
        result.increment_row_result_total(row)
    return result


class _EngineResource(resources.ModelResource):
    columns: list[str] = []
    engine = None

    @classmethod
    def get_display_name(cls):
        return cls.__name__

    def get_user_visible_fields(self):
        return [Field(attribute=None, column_name=column) for column in self.columns]

    @gc_paused
    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        # The admin hands over the Sheet donors.imports.files read (see admin/importing.py),
        # never a tablib Dataset: one reader for the admin and the commands.
        if not isinstance(dataset, Sheet):
            raise TypeError("the engine imports a donors.imports.files.Sheet")
        sheet = dataset
        user = kwargs.get("user")
        skip_errors = bool(kwargs.get("skip_errors"))
        outcome = type(self).engine(
            sheet=sheet,
            user=user if getattr(user, "pk", None) else None,
            dry_run=dry_run,
            skip_errors=skip_errors,
            source="admin",
        )
        result = as_admin_result(outcome, skip_errors=skip_errors)
        # The admin's message says new / updated / unchanged / skipped, which the library's
        # totals (new / update / skip) cannot tell apart.
        result.engine_summary = outcome.summary()
        return result


class GiftImportResource(_EngineResource):
    columns = GIFT_COLUMNS
    engine = gifts_import

    class Meta:
        model = Gift
        fields = ()


class DonorImportResource(_EngineResource):
    columns = DONOR_IMPORT_COLUMNS
    engine = donors_import

    class Meta:
        model = Donor
        fields = ()
