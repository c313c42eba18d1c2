"""Export actions for donor and gift lists: CSV streamed; a CSV of more than
EXPORT_BACKGROUND_ROWS rows, and every XLSX, written by a background task whose page shows the
progress and then the download link (donors.services.exports).

Staff, Administrators and Board members export (board members see donor lists); event
organizers do not: an export would be giving history beyond "is a donor"."""

from __future__ import annotations

from django.contrib import admin
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from donors.admin.base import can_see_giving
from donors.exports import csv_stream
from donors.services.exports import export_in_background, export_job_start


class ExportActionsMixin:
    export_name = "export"
    export_kind = ""  # donors.models.ExportJob.Kind

    def export_options(self, request) -> dict:
        return {}

    def export_rows(self, request, queryset):  # pragma: no cover - each admin defines it
        raise NotImplementedError

    def has_export_permission(self, request):
        return can_see_giving(request)

    def _file_name(self, extension: str) -> str:
        return f"{self.export_name}-{timezone.localdate():%Y-%m-%d}.{extension}"

    def _export_in_background(self, request, queryset, file_format: str, total: int):
        job = export_job_start(
            kind=self.export_kind,
            file_format=file_format,
            queryset=queryset,
            user=request.user,
            options=self.export_options(request),
            total=total,
        )
        return redirect("export_job", job.pk)

    @admin.action(description="Export selected as CSV", permissions=["export"])
    def export_csv(self, request, queryset):
        total = queryset.count()
        if export_in_background(file_format="csv", rows=total):
            return self._export_in_background(request, queryset, "csv", total)
        response = StreamingHttpResponse(
            csv_stream(self.export_rows(request, queryset)), content_type="text/csv"
        )
        response["Content-Disposition"] = f'attachment; filename="{self._file_name("csv")}"'
        return response

    @admin.action(description="Export selected as Excel (XLSX)", permissions=["export"])
    def export_xlsx(self, request, queryset):
        return self._export_in_background(request, queryset, "xlsx", queryset.count())
