from django import forms
from django.contrib import admin

from donors.admin.base import AuditedAdmin, ReadOnlyInline, money_column
from donors.models import Gift, Pledge, PledgeInstallment, RecurringPlan
from donors.money_rules import installments_problem
from donors.selectors import installments_with_status, pledges_with_balance
from donors.services import (
    pledge_installments_save,
    pledge_save,
    pledges_delete,
    recurring_plan_save,
    recurring_plans_delete,
)


class InstallmentFormSet(forms.BaseInlineFormSet):
    """The schedule adds up to the pledge, as pledge_create insists (none at all is fine)."""

    def clean(self):
        super().clean()
        if any(self.errors) or self.instance.amount is None:
            return
        amounts = [
            form.cleaned_data["amount"]
            for form in self.forms
            if form.cleaned_data.get("amount") is not None and not form.cleaned_data.get("DELETE")
        ]
        problem = installments_problem(self.instance.amount, amounts)
        if problem:
            raise forms.ValidationError(problem)


class InstallmentInline(admin.TabularInline):
    model = PledgeInstallment
    formset = InstallmentFormSet
    extra = 0
    fields = ["due_date", "amount", "paid_status"]
    readonly_fields = ["paid_status"]

    @admin.display(description="paid")
    def paid_status(self, obj):
        if obj.pk is None:
            return ""
        return "yes" if obj.is_paid else "not yet"

    def get_queryset(self, request):
        return installments_with_status(super().get_queryset(request))


class PaymentInline(ReadOnlyInline, admin.TabularInline):
    model = Gift
    fk_name = "pledge"
    fields = ["tax_date", "donor", "amount", "method", "status"]
    readonly_fields = fields
    verbose_name_plural = "payments"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("donor")


@admin.register(Pledge)
class PledgeAdmin(AuditedAdmin):
    list_display = [
        "donor", "pledge_date", money_column("amount"), "paid", "balance", "status", "campaign"
    ]  # fmt: skip
    list_select_related = ["donor", "campaign"]
    list_filter = ["status", "campaign"]
    search_fields = ["donor__display_name", "external_id"]
    autocomplete_fields = ["donor"]
    readonly_fields = ["paid", "balance"]
    fields = [
        "donor",
        ("amount", "paid", "balance"),
        ("pledge_date", "status"),
        ("campaign", "fund"),
        "external_id",
        "notes",
    ]
    inlines = [InstallmentInline, PaymentInline]
    list_per_page = 50

    def get_queryset(self, request):
        return pledges_with_balance(super().get_queryset(request))

    @admin.display(description="paid", ordering="paid")
    def paid(self, obj):
        return f"${obj.paid:,.2f}"

    @admin.display(description="unpaid balance", ordering="balance")
    def balance(self, obj):
        return f"${obj.balance:,.2f}"

    def save_model(self, request, obj, form, change):
        pledge_save(pledge=obj)

    def save_formset(self, request, form, formset, change):
        installments = formset.save(commit=False)  # builds the records; writes nothing
        pledge_installments_save(
            pledge=form.instance, installments=installments, deleted=formset.deleted_objects
        )

    def delete_model(self, request, obj):
        pledges_delete(pledges=[obj])

    def delete_queryset(self, request, queryset):
        pledges_delete(pledges=queryset)


class PlanGiftInline(ReadOnlyInline, admin.TabularInline):
    model = Gift
    fk_name = "recurring_plan"
    fields = ["tax_date", "amount", "status", "stripe_payment_id"]
    readonly_fields = fields
    verbose_name_plural = "payments"


@admin.register(RecurringPlan)
class RecurringPlanAdmin(AuditedAdmin):
    list_display = [
        "donor", money_column("amount"), "interval", "status", "started_on", "next_charge_on"
    ]  # fmt: skip
    list_select_related = ["donor"]
    list_filter = ["status", "interval", "campaign"]
    search_fields = ["donor__display_name", "stripe_subscription_id"]
    autocomplete_fields = ["donor"]
    inlines = [PlanGiftInline]
    list_per_page = 50

    def save_model(self, request, obj, form, change):
        recurring_plan_save(plan=obj)

    def delete_model(self, request, obj):
        recurring_plans_delete(plans=[obj])

    def delete_queryset(self, request, queryset):
        recurring_plans_delete(plans=queryset)
