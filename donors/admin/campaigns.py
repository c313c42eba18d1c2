from django import forms
from django.contrib import admin

from donors.admin.base import BackOfficeAdmin, ServiceModelForm, ViewOnly, money_column
from donors.models import Campaign, Channel, Fund, GlobalGivingFetch
from donors.selectors import campaigns_with_totals
from donors.services import campaign_save, campaigns_delete, fund_save, funds_delete


class CampaignForm(ServiceModelForm):
    channels = forms.MultipleChoiceField(
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The channels it raises through; the dashboard shows each, even at $0.",
    )

    class Meta:
        model = Campaign
        fields = "__all__"


@admin.register(Campaign)
class CampaignAdmin(BackOfficeAdmin):
    form = CampaignForm
    list_display = [
        "name", money_column("goal"), "raised", "progress", "start_date", "end_date", "is_active"
    ]  # fmt: skip
    list_filter = ["is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["raised", "progress"]
    fields = [
        ("name", "slug"),
        "description",
        ("goal", "raised", "progress"),
        ("start_date", "end_date", "is_active"),
        "channels",
        "globalgiving_project_id",
    ]

    def get_queryset(self, request):
        return campaigns_with_totals(super().get_queryset(request))

    @admin.display(description="raised (gifts kept)", ordering="raised")
    def raised(self, obj):
        return f"${obj.raised:,.2f}"

    @admin.display(description="of goal")
    def progress(self, obj):
        if not obj.goal:
            return "no goal"
        return f"{obj.raised / obj.goal:.0%}"

    def save_model(self, request, obj, form, change):
        campaign_save(campaign=obj)

    def delete_model(self, request, obj):
        campaigns_delete(campaigns=[obj])

    def delete_queryset(self, request, queryset):
        campaigns_delete(campaigns=queryset)


@admin.register(Fund)
class FundAdmin(BackOfficeAdmin):
    list_display = ["name", "is_restricted", "is_active"]
    list_filter = ["is_restricted", "is_active"]
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        fund_save(fund=obj)

    def delete_model(self, request, obj):
        funds_delete(funds=[obj])

    def delete_queryset(self, request, queryset):
        funds_delete(funds=queryset)


@admin.register(GlobalGivingFetch)
class GlobalGivingFetchAdmin(ViewOnly, BackOfficeAdmin):
    """Each call to GlobalGiving's API, kept as it was: read by staff, written by the sync."""

    list_display = ["fetched_at", "project_id", "ok", "funding", "goal", "donation_count", "error"]
    list_filter = ["ok", "project_id"]
    readonly_fields = [f.name for f in GlobalGivingFetch._meta.fields]
