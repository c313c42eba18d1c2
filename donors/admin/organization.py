from django.contrib import admin
from django.db import models

from donors.admin.base import AuditedAdmin
from donors.models import Organization
from donors.services import organization_save


@admin.register(Organization)
class OrganizationAdmin(AuditedAdmin):
    """One profile, kept by Administrators: it is printed on every receipt."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["legal_name", "ein", "city", "state", "time_zone", "fiscal_year_start_month"]
    fieldsets = [
        (None, {"fields": ["legal_name", "ein", "exemption_statement"]}),
        (
            "Address",
            {"fields": ["address_line1", "address_line2", ("city", "state", "postal_code"), "country"]},
        ),
        ("Contact", {"fields": [("email", "phone", "website")]}),
        ("Receipts", {"fields": [("signatory_name", "signatory_title")]}),
        ("Calendar", {"fields": [("time_zone", "fiscal_year_start_month")]}),
        ("Dashboard", {"fields": ["major_gift_threshold"]}),
        ("State disclosures", {"fields": ["ny_disclosure", "ca_disclosure"]}),
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not Organization.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        organization_save(organization=obj)
