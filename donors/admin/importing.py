"""The admin's import page for donors and gifts (django-import-export's preview, row errors and
confirm), Staff only, through the same engine as the import commands."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django import forms
from import_export.admin import ImportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ConfirmImportForm, ImportForm

SKIP_LABEL = "Import the good rows and skip the bad ones"


class SkipErrorsImportForm(ImportForm):
    skip_errors = forms.BooleanField(
        required=False,
        label=SKIP_LABEL,
        help_text="Left unticked, a file with any bad row imports nothing. Ticked, the bad "
        "rows are listed in the preview and kept, with their errors, on the import run's page.",
    )


class SkipErrorsConfirmForm(ConfirmImportForm):
    skip_errors = forms.BooleanField(required=False, widget=forms.HiddenInput())


class EngineImportMixin(ImportMixin):
    import_formats = [CSV, XLSX]
    # The engine records an ImportRun (who, which file, what it did) and links each record it
    # creates to it; Django's admin log would add one entry per row.
    skip_admin_log = True
    import_permission = None  # "app_label.codename" that may import
    import_form_class = SkipErrorsImportForm
    confirm_form_class = SkipErrorsConfirmForm

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["skip_errors"] = import_form.cleaned_data.get("skip_errors", False)
        return initial

    def get_import_data_kwargs(self, **kwargs):
        form = kwargs.get("form")
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["skip_errors"] = bool(form and form.cleaned_data.get("skip_errors"))
        return kwargs

    def has_import_permission(self, request):
        return request.user.has_perm(self.import_permission)

    import_noun = "rows"

    def import_message_extra(self, result) -> str:
        """More to say after the counts (the RSVP import: who joined a waitlist)."""
        return ""

    def add_success_message(self, result, request):
        counts = getattr(result, "engine_summary", None)
        if counts is None:
            return super().add_success_message(result, request)
        text = (
            f"Import finished: {counts['new']} new, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged and {counts['skipped']} skipped "
            f"{self.import_noun}.{self.import_message_extra(result)}"
        )
        run_id = counts.get("import_run")
        if run_id:
            url = reverse("admin:donors_importrun_change", args=[run_id])
            if counts["skipped"]:
                link = format_html(
                    ' <a href="{}">The import run</a> has the {} rows not imported, with their '
                    "errors, as a CSV file.", url, counts["skipped"],
                )  # fmt: skip
            else:
                link = format_html(' <a href="{}">The import run</a>.', url)
            text = format_html("{}{}", text, link)
        messages.success(request, text)

    def process_result(self, result, request):
        # The file was checked at the preview; if the data changed since and a row no longer
        # passes, nothing was written: say why instead of "Import finished".
        if result.invalid_rows:
            for row in result.invalid_rows[:20]:
                for column, errors in row.error_dict.items():
                    for error in errors:
                        messages.error(request, f"Line {row.number}: {error}")
            messages.error(request, "Nothing was imported.")
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            )
        return super().process_result(result, request)
