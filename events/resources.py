"""RSVPs as a django-import-export resource: the admin's import (upload, preview with row
errors, confirm) runs events.imports.rsvps_import, and the export writes the same columns."""

from __future__ import annotations

from donors.imports.files import read_dataset
from donors.imports.resources import _EngineResource, as_admin_result
from events.imports import RSVP_COLUMNS, rsvp_export_rows, rsvps_import
from events.models import RSVP


class RSVPResource(_EngineResource):
    columns = RSVP_COLUMNS
    engine = rsvps_import

    class Meta:
        model = RSVP
        fields = ()

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        sheet = read_dataset(dataset, kwargs.get("file_name") or "upload")
        user = kwargs.get("user")
        skip_errors = bool(kwargs.get("skip_errors"))
        outcome = rsvps_import(
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

    def export_rows(self, queryset):
        return rsvp_export_rows(queryset)
