from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models

from common.validators import LOGO_MAX_BYTES, validate_logo
from donors.admin.base import AuditedAdmin, ServiceModelForm
from donors.models import Organization
from donors.services import organization_save


def _formfield(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class OrganizationForm(ServiceModelForm):
    """The logo is uploaded as a file and kept in the profile's row (no media storage to share
    between the web server and the task workers)."""

    logo_upload = forms.FileField(
        label="Logo",
        required=False,
        help_text="PNG or JPEG, at most 1 MB and 4000 pixels a side; printed at the top of "
        "receipts and statements.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(required=False, label="Remove the logo")

    class Meta:
        model = Organization
        exclude = ["logo", "logo_sha256"]
        formfield_callback = _formfield

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        if not upload:
            return None
        if upload.size > LOGO_MAX_BYTES:
            raise ValidationError(
                f"The logo is {upload.size / 1024 / 1024:.1f} MB; upload one of at most 1 MB."
            )
        data = upload.read()
        validate_logo(data)
        return data

    def save(self, commit=True):
        organization = super().save(commit=False)
        if self.cleaned_data.get("logo_upload"):
            organization.logo = self.cleaned_data["logo_upload"]
        elif self.cleaned_data.get("remove_logo"):
            organization.logo = b""
        if commit:
            organization_save(organization=organization)
        return organization


@admin.register(Organization)
class OrganizationAdmin(AuditedAdmin):
    """One profile, kept by Administrators: it is printed on every receipt."""

    form = OrganizationForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["logo_on_file"]
    list_display = ["legal_name", "ein", "city", "state", "time_zone", "fiscal_year_start_month"]
    fieldsets = [
        (None, {"fields": ["legal_name", "ein", "exemption_statement"]}),
        (
            "Address",
            {
                "fields": [
                    "address_line1",
                    "address_line2",
                    ("city", "state", "postal_code"),
                    "country",
                ]
            },
        ),
        ("Contact", {"fields": [("email", "phone", "website")]}),
        (
            "Receipts",
            {
                "fields": [
                    ("signatory_name", "signatory_title"),
                    "logo_on_file",
                    "logo_upload",
                    "remove_logo",
                ]
            },
        ),
        ("Calendar", {"fields": [("time_zone", "fiscal_year_start_month")]}),
        ("Dashboard", {"fields": ["major_gift_threshold"]}),
        ("Donation page", {"fields": ["donation_currencies", "suggested_amounts"]}),
        ("State disclosures", {"fields": ["ny_disclosure", "ca_disclosure"]}),
    ]

    @admin.display(description="Logo on file")
    def logo_on_file(self, obj):
        size = len(obj.logo or b"") if obj and obj.pk else 0
        if not size:
            return "None"
        return f"{size / 1024:.0f} KB image (printed on receipts and statements)"

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not Organization.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        organization_save(organization=obj)
