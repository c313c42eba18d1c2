"""Export actions for donor and gift lists: CSV streamed, XLSX written row by row.

Staff, Administrators and Board members export (board members see donor lists); event
organizers do not: an export would be giving history beyond "is a donor"."""

from __future__ import annotations

from django.contrib import admin
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from donors.admin.base import can_see_giving
from donors.exports import csv_stream, xlsx_file


class ExportActionsMixin:
    export_name = "export"

    def export_rows(self, request, queryset):  # pragma: no cover - each admin defines it
        raise NotImplementedError

    def has_export_permission(self, request):
        return can_see_giving(request)

    def _file_name(self, extension: str) -> str:
        return f"{self.export_name}-{timezone.localdate():%Y-%m-%d}.{extension}"

    @admin.action(description="Export selected as CSV", permissions=["export"])
    def export_csv(self, request, queryset):
        response = StreamingHttpResponse(
            csv_stream(self.export_rows(request, queryset)), content_type="text/csv"
        )
        response["Content-Disposition"] = f'attachment; filename="{self._file_name("csv")}"'
        return response

    @admin.action(description="Export selected as Excel (XLSX)", permissions=["export"])
    def export_xlsx(self, request, queryset):
        handle = xlsx_file(self.export_rows(request, queryset), title=self.export_name)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=self._file_name("xlsx"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
