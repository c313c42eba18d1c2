"""The admin's import page for donors and gifts (django-import-export's preview, row errors and
confirm), Staff only, through the same engine as the import commands."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from import_export import formats
from import_export.admin import ImportMixin
from import_export.forms import ConfirmImportForm, ImportForm

from donors.imports.command import soft_credit_donors_text
from donors.imports.files import FileProblem, read_bytes, size_problem
from donors.services.imports import (
    UploadGone,
    import_upload_discard,
    import_upload_keep,
    import_upload_take,
)

SKIP_LABEL = "Import the good rows and skip the bad ones"


class _Upload:
    """What the library's preview step calls its temporary storage: the upload held in memory
    with its name, handed to the format below. Nothing goes to the shared temp folder; a file
    that passes its preview is kept by import_upload_keep for the confirm."""

    name = None

    def __init__(self, import_file):
        self.file_name = import_file.name
        import_file.seek(0)
        self.data = import_file.read()

    def read(self):
        return self


class _ReaderFormat:
    """The admin's formats read with donors.imports.files, as the commands do (cp1252, the
    limits, the same messages): the chosen format only names the file's kind in the form."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, upload):
        return read_bytes(upload.data, upload.file_name)


class CSV(_ReaderFormat, formats.base_formats.CSV):
    pass


class XLSX(_ReaderFormat, formats.base_formats.XLSX):
    pass


class SkipErrorsImportForm(ImportForm):
    skip_errors = forms.BooleanField(
        required=False,
        label=SKIP_LABEL,
        help_text="Left unticked, a file with any bad row imports nothing. Ticked, the bad "
        "rows are listed in the preview and kept, with their errors, on the import run's page.",
    )

    def clean_import_file(self):
        # Before the file is read into memory: the same refusal as the commands'.
        import_file = self.cleaned_data["import_file"]
        problem = size_problem(import_file.size, import_file.name)
        if problem:
            raise forms.ValidationError(problem)
        return import_file


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
    import_template_name = "admin/donors/import.html"  # the library's, with a Cancel button

    def get_resource_index(self, form):
        # One resource per admin here: a tampered index in the confirm form must not pick a
        # missing one (the library's IndexError, a 500).
        return 0

    def write_to_tmp_storage(self, import_file, input_format):
        return _Upload(import_file)

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, FileProblem):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["skip_errors"] = import_form.cleaned_data.get("skip_errors", False)
            # Called only for a preview that may be confirmed: the file is kept for the
            # confirm under an unguessable token, bound to this user.
            upload = _Upload(import_form.cleaned_data["import_file"])
            initial["import_file_name"] = import_upload_keep(
                user=request.user, file_name=upload.file_name, data=upload.data
            )
        return initial

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """Confirm (or cancel) a preview: the kept file is looked up by its token for this user
        only and deleted whatever happens next; the library's version would open any file of
        the server's temp folder named in the form."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        import_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")
        changelist_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        confirm_form = self.create_confirm_form(request)
        token = request.POST.get("import_file_name", "")
        if "cancel" in request.POST:
            import_upload_discard(user=request.user, token=token)
            messages.info(request, "Import cancelled: the uploaded file was deleted.")
            return HttpResponseRedirect(changelist_url)
        try:
            if not confirm_form.is_valid():
                raise UploadGone("This import's form is incomplete. Upload the file again.")
            upload = import_upload_take(
                user=request.user, token=confirm_form.cleaned_data["import_file_name"]
            )
            sheet = read_bytes(upload.data, upload.file_name)
        except (UploadGone, FileProblem) as problem:
            messages.error(request, str(problem))
            return HttpResponseRedirect(import_url)
        result = self.process_dataset(
            sheet, confirm_form, request, file_name=upload.file_name, **kwargs
        )
        return self.process_result(result, request)

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
        if counts["kind"] == "gifts" and counts["donors_created"]:
            created = counts["donors_created"]
            text = f"{text} {created} new donor{'' if created == 1 else 's'}."
            if counts["soft_credit_donors_created"]:
                text = f"{text} {soft_credit_donors_text(counts, dry_run=False)}"
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
                for errors in row.error_dict.values():
                    for error in errors:
                        messages.error(request, f"Line {row.number}: {error}")
            messages.error(request, "Nothing was imported.")
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            )
        return super().process_result(result, request)
