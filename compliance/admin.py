"""Receipts in the back office: read-only records with actions that call the services.

Issued receipts are never edited: a receipt's page shows it read-only, and "change" means
only what the actions do (void, replace, send). Destructive actions ask for confirmation.
"""

from __future__ import annotations

import csv
import io
import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from compliance import services
from compliance.models import (
    BenefitLimit,
    ComplianceDeadline,
    EmailTemplate,
    FilingProfile,
    IssueBatch,
    Receipt,
    ThankYouLetter,
    YearEndStatement,
)
from compliance.pdf import receipt_pdf, statement_pdf
from compliance.reports import annual_summary, schedule_a_rows, summary_csv_rows
from compliance.services import calendar, setup
from compliance.services.letters import NOTES, thank_you_letters_queue
from compliance.services.receipts import years_in_use_missing_limits, years_missing_limits
from compliance.summary_pdf import summary_pdf
from donors.admin.base import AuditedAdmin, BackOfficeAdmin, ViewOnly, money_column
from donors.admin.gifts import GiftAdmin, SoftCreditAdmin, limits_column
from donors.deductible import missing_limits_warning
from donors.mailing import suppression_note
from donors.models import Organization
from donors.text import text_problem


def _send_note(address: str) -> str:
    """What emailing a receipt to ``address`` will do: staff see an address that bounced or
    complained (no email reaches it, donors.mailing) before they send."""
    if not address:
        return "no email address"
    note = suppression_note(address)
    return (
        f"cannot be emailed: {note}; print and mail it" if note else f"will be emailed to {address}"
    )


def _confirm(
    modeladmin,
    request,
    queryset,
    *,
    action,
    title,
    question,
    items,
    reason=False,
    button="Yes, I'm sure",
):
    """The intermediate page of an action: what will happen, and a button (and a reason)."""
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "question": question,
        "items": items,
        "action": action,
        "ask_reason": reason,
        "button": button,
        "queryset": queryset,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "reason_error": getattr(request, "_reason_error", ""),
    }
    return TemplateResponse(request, "compliance/admin/confirm_action.html", context)


class SavedByServices:
    """An admin whose adds, changes and deletes each call a service (compliance.services.setup):
    ``service_save`` takes the record, ``service_delete`` a list of primary keys (None: nothing
    is deleted here). The models it serves have no many-to-many fields and the admin no inlines,
    so there is nothing related to save."""

    service_save = None
    service_delete = None

    def save_model(self, request, obj, form, change):
        type(self).service_save(obj)

    def delete_model(self, request, obj):
        self.delete_queryset(request, self.model.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        if type(self).service_delete is None:
            raise PermissionDenied
        type(self).service_delete(list(queryset.values_list("pk", flat=True)))

    def save_related(self, request, form, formsets, change):
        pass


class VoidFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "void"

    def lookups(self, request, model_admin):
        return [("no", "Valid"), ("yes", "Void")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(voided_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(voided_at__isnull=True)
        return queryset


class IssuedDocumentAdmin(AuditedAdmin):
    """Receipts and statements: issued, never edited (their page is read-only; "change" only
    allows the actions that void or send them), each with its PDF to download."""

    pdf_render = None  # the function that draws the document's PDF
    pdf_name = "document"  # the start of the downloaded file's name

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # Nothing here saves a document: whoever holds the model's "change" permission hands
    # documents out (the actions void, replace and send them, each through a service), and
    # the admin's own change permission stays off, so no form ever saves one.
    def has_change_permission(self, request, obj=None):
        return False

    def has_issue_permission(self, request):
        return super().has_change_permission(request)

    @admin.display(description="status", ordering="voided_at")
    def validity(self, obj):
        return "VOID" if obj.voided_at else "valid"

    def _pdf_url_name(self) -> str:
        return f"{self.model._meta.app_label}_{self.model._meta.model_name}_pdf"

    @admin.display(description="PDF")
    def pdf_link(self, obj):
        if not obj.pk:
            return "-"
        url = reverse(f"admin:{self._pdf_url_name()}", args=[obj.pk])
        return format_html('<a href="{}">{}.pdf</a>', url, obj.number)

    def get_urls(self):
        return [
            path(
                "<int:document_id>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name=self._pdf_url_name(),
            ),
            *super().get_urls(),
        ]

    def pdf_view(self, request, document_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        document = get_object_or_404(self.get_queryset(request), pk=document_id)
        # "Downloaded" tells Staff the donor's copy went out: only those who hand documents
        # out (who may change them) mark it; a Board member's read changes nothing.
        if self.has_issue_permission(request):
            services.document_mark_downloaded(document=document)
        response = HttpResponse(type(self).pdf_render(document), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="{self.pdf_name}-{document.number}.pdf"'
        )
        return response


@admin.register(Receipt)
class ReceiptAdmin(IssuedDocumentAdmin):
    pdf_render = receipt_pdf
    pdf_name = "receipt"
    list_display = [
        "number",
        "kind",
        "donor_name",
        "gift_date",
        money_column("amount"),
        money_column("deductible_amount", "deductible"),
        "validity",
        "issued_at",
        "sent_at",
        "pdf_link",
    ]
    list_filter = [VoidFilter, "year", "kind", "recipient"]
    change_list_template = "compliance/admin/receipt_change_list.html"
    search_fields = ["=number", "donor_name", "donor_email"]
    list_per_page = 50
    show_full_result_count = False
    actions = ["send_receipts", "void_receipts", "replace_receipts", "sync_with_gifts"]
    fieldsets = [
        (None, {"fields": ["number", "kind", "replaces", "recipient", "gift", "pdf_link"]}),
        ("Status", {"fields": [
            "issued_at", "issued_by", "sent_at", "sent_to", "downloaded_at",
            "voided_at", "void_reason", "voided_by",
        ]}),
        ("As printed", {"fields": [
            "donor_name", "donor_address", "donor_email", "gift_date", "method", "amount",
            "amount_refunded", "benefit_value", "benefit_description", "deductible_amount",
            "non_cash_description",
        ]}),
        ("Organization as printed", {"fields": [
            "org_name", "org_ein", "org_address", "org_exemption_statement",
            "org_signatory_name", "org_signatory_title", "org_ny_disclosure",
        ], "classes": ["collapse"]}),
    ]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        return [f for fieldset in self.fieldsets for f in fieldset[1]["fields"]]

    def get_list_display(self, request):
        column = limits_column(request, year_of=lambda r: r.gift_date.year)
        return [*super().get_list_display(request), column]

    def changelist_view(self, request, extra_context=None):
        # Receipts of a year with no limits state every benefit in full: said above the list.
        warnings = [missing_limits_warning(y) for y in years_in_use_missing_limits()]
        return super().changelist_view(
            request, {**(extra_context or {}), "limits_missing": warnings}
        )

    def _with_reason(self, request, queryset, *, action, title, question, do, done):
        if request.POST.get("confirmed"):
            reason = request.POST.get("reason", "").strip()
            if not reason:
                request._reason_error = "Say why: the reason is kept with the receipt."
            elif text_problem(reason):
                request._reason_error = text_problem(reason)
            else:
                count = 0
                for receipt in queryset.filter(voided_at__isnull=True):
                    try:
                        do(receipt, reason)
                        count += 1
                    except ValidationError as error:
                        self.message_user(
                            request, f"{receipt.number}: {' '.join(error.messages)}", messages.ERROR
                        )
                self.message_user(request, done(count), messages.SUCCESS)
                return None
        items = [str(r) for r in queryset]
        return _confirm(
            self,
            request,
            queryset,
            action=action,
            title=title,
            question=question,
            items=items,
            reason=True,
        )

    @admin.action(description="Void selected receipts…", permissions=["issue"])
    def void_receipts(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            action="void_receipts",
            title="Void receipts",
            question="These receipts will be marked VOID. They keep their numbers, and no "
            "new receipt is issued.",
            do=lambda r, reason: services.receipt_void(
                receipt=r, reason=reason, voided_by=request.user
            ),
            done=lambda n: f"Voided {n} receipt(s).",
        )

    @admin.action(description="Void and re-issue selected receipts…", permissions=["issue"])
    def replace_receipts(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            action="replace_receipts",
            title="Void and re-issue receipts",
            question="Each receipt will be voided and a corrected receipt, naming it, issued "
            "from the gift as it is now.",
            do=lambda r, reason: services.receipt_replace(
                receipt=r, reason=reason, issued_by=request.user
            ),
            done=lambda n: f"Replaced {n} receipt(s) with corrected ones.",
        )

    @admin.action(description="Email selected receipts to their donors…", permissions=["issue"])
    def send_receipts(self, request, queryset):
        unsent = queryset.filter(sent_at__isnull=True, voided_at__isnull=True)
        if request.POST.get("confirmed"):
            with transaction.atomic():
                count = services.receipts_send_queue(
                    receipt_ids=unsent.values_list("pk", flat=True)
                )
            self.message_user(request, f"Queued {count} receipt email(s).", messages.SUCCESS)
            return None
        items = [f"{r}: {_send_note(r.donor_email)}" for r in unsent]
        skipped = queryset.count() - len(items)
        if skipped:
            items.append(f"{skipped} already sent or void: not sent again")
        return _confirm(
            self,
            request,
            queryset,
            action="send_receipts",
            title="Email receipts",
            question="Each receipt is emailed once, with its PDF attached.",
            items=items,
            button="Send",
        )

    @admin.action(description="Void or correct receipts of refunded gifts", permissions=["issue"])
    def sync_with_gifts(self, request, queryset):
        result = services.receipts_sync_with_gifts(
            gift_ids=queryset.values_list("gift_id", flat=True)
        )
        self.message_user(
            request,
            f"{len(result.voided)} receipt(s) voided, {len(result.corrected)} corrected.",
            messages.SUCCESS,
        )


@admin.register(EmailTemplate)
class EmailTemplateAdmin(SavedByServices, AuditedAdmin):
    list_display = ["key", "subject", "updated_at"]
    service_save = staticmethod(lambda template: setup.email_template_save(template=template))
    service_delete = staticmethod(lambda ids: setup.email_templates_delete(template_ids=ids))
    readonly_fields = ["updated_at"]

    def get_readonly_fields(self, request, obj=None):
        return ["key", "updated_at"] if obj else ["updated_at"]


@admin.register(YearEndStatement)
class YearEndStatementAdmin(IssuedDocumentAdmin):
    pdf_render = statement_pdf
    pdf_name = "statement"
    list_display = [
        "number", "year", "donor_name", "total_amount", "total_deductible", "validity",
        "issued_at", "sent_at", "pdf_link",
    ]  # fmt: skip
    list_filter = [VoidFilter, "year"]
    search_fields = ["=number", "donor_name", "donor_email"]
    list_per_page = 50
    show_full_result_count = False
    actions = ["send_statements"]
    fields = [
        "number", "year", "replaces", "pdf_link", "donor_name", "donor_address", "donor_email",
        "total_amount", "total_benefit", "total_deductible", "issued_at", "sent_at", "sent_to",
        "downloaded_at", "voided_at", "void_reason",
    ]  # fmt: skip
    readonly_fields = fields

    @admin.action(description="Email selected statements to their donors…", permissions=["issue"])
    def send_statements(self, request, queryset):
        unsent = queryset.filter(sent_at__isnull=True, voided_at__isnull=True)
        if request.POST.get("confirmed"):
            with transaction.atomic():
                count = services.statements_send_queue(
                    statement_ids=unsent.values_list("pk", flat=True)
                )
            self.message_user(request, f"Queued {count} statement email(s).", messages.SUCCESS)
            return None
        items = [
            f"{s}: {'will be emailed to ' + s.donor_email if s.donor_email else 'no email address'}"
            for s in unsent
        ]
        return _confirm(
            self,
            request,
            queryset,
            action="send_statements",
            title="Email statements",
            items=items,
            button="Send",
            question="Each statement is emailed once, with its PDF attached.",
        )


class IssueBatchForm(forms.ModelForm):
    class Meta:
        model = IssueBatch
        fields = ["kind", "year", "send"]

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2000 <= year <= timezone.localdate().year:
            raise forms.ValidationError("Choose a year that has begun.")
        return year


@admin.register(IssueBatch)
class IssueBatchAdmin(BackOfficeAdmin):
    """Issue a year's receipts or statements in the background; the batch's page shows the
    progress and refreshes itself until it is done."""

    form = IssueBatchForm
    list_display = ["kind", "year", "status", "progress", "issued", "send", "created_by",
                    "created_at"]  # fmt: skip
    list_select_related = ["created_by"]
    change_form_template = "compliance/admin/issue_batch.html"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["kind", "year", "send"]
        return [
            "kind",
            "year",
            "send",
            "status",
            "progress",
            "issued",
            "error",
            "created_by",
            "created_at",
            "finished_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj else []

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="done / total")
    def progress(self, obj):
        return f"{obj.done} / {obj.total}"

    def save_model(self, request, obj, form, change):
        batch = services.issue_batch_start(
            kind=obj.kind, year=obj.year, send=obj.send, created_by=request.user
        )
        obj.pk = batch.pk

    def save_related(self, request, form, formsets, change):
        pass  # a batch has no inlines nor many-to-many fields: the service saved it all

    def response_add(self, request, obj, post_url_continue=None):
        return redirect("admin:compliance_issuebatch_change", obj.pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        batch = self.get_object(request, object_id) if request.method == "GET" else None
        if batch is not None and years_missing_limits([batch.year]):
            self.message_user(request, missing_limits_warning(batch.year), messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)


class ToFileFilter(admin.SimpleListFilter):
    """Filings not made yet: the staff home links here with its count."""

    title = "filed"
    parameter_name = "filed"

    def lookups(self, request, model_admin):
        return [("no", "Not filed yet")]

    def queryset(self, request, queryset):
        return queryset & calendar.deadlines_to_file() if self.value() == "no" else queryset


@admin.register(ComplianceDeadline)
class ComplianceDeadlineAdmin(SavedByServices, AuditedAdmin):
    """The filings calendar. Planned from the rule each day (Form 990, CHAR500, RRF-1);
    staff change a date to the organization's own, and mark each filed."""

    service_save = staticmethod(lambda deadline: setup.deadline_save(deadline=deadline))
    service_delete = staticmethod(lambda ids: setup.deadlines_delete(deadline_ids=ids))

    list_display = ["due_date", "kind", "fiscal_year", "done_on", "reminded_30_at",
                    "reminded_7_at"]  # fmt: skip
    list_filter = [ToFileFilter, "kind", "fiscal_year"]
    fields = ["kind", "fiscal_year", "due_date", "done_on", "notes", "reminded_30_at",
              "reminded_7_at", "property_gift"]  # fmt: skip
    readonly_fields = ["reminded_30_at", "reminded_7_at", "property_gift"]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # A Form 8282 stays one: its gift's disposal planned it.
        return [*fields, "kind"] if obj is not None and obj.gift_id else fields

    @admin.display(description="property gift")
    def property_gift(self, obj):
        """A Form 8282's gift (planned from its disposal, recorded on the gift's page)."""
        if obj.gift_id is None:
            return "-"
        url = reverse("admin:donors_gift_change", args=[obj.gift_id])
        return format_html('<a href="{}">Gift {}</a>', url, obj.gift_id)

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            for warning in calendar.benefit_limit_warnings():
                self.message_user(request, warning, messages.WARNING)
        return super().changelist_view(request, extra_context)


@admin.register(FilingProfile)
class FilingProfileAdmin(SavedByServices, AuditedAdmin):
    """One row: the Schedule B rule the annual summary applies."""

    service_save = staticmethod(lambda profile: setup.filing_profile_save(profile=profile))

    fields = ["schedule_b_special_rule", "annual_summary_link"]
    readonly_fields = ["annual_summary_link"]

    @admin.display(description="annual summary")
    def annual_summary_link(self, obj):
        url = reverse("admin:compliance_annual_summary", args=[obj.pk])
        return format_html('<a href="{}">Totals, Schedule B and public support by year</a>', url)

    def get_urls(self):
        return [
            path(
                "<int:profile_id>/annual-summary/",
                self.admin_site.admin_view(self.annual_summary_view),
                name="compliance_annual_summary",
            ),
            *super().get_urls(),
        ]

    def annual_summary_view(self, request, profile_id):
        """The annual summary as a page, and as JSON, CSV or PDF downloads."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        this_year = timezone.localdate().year
        raw = request.GET.get("year", str(this_year - 1))
        error = ""
        year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= this_year else None
        if year is None:
            error = f"{raw!r} is not a year between 2000 and {this_year}."
            year = this_year - 1
        summary = annual_summary(year)
        download = request.GET.get("format")
        if download == "json" and not error:
            response = HttpResponse(json.dumps(summary, indent=2), content_type="application/json")
        elif download == "csv" and not error:
            buffer = io.StringIO()
            csv.writer(buffer).writerows(summary_csv_rows(summary))
            response = HttpResponse(buffer.getvalue(), content_type="text/csv")
        elif download == "pdf" and not error:
            org = Organization.current()
            response = HttpResponse(
                summary_pdf(summary, org.legal_name if org else ""), content_type="application/pdf"
            )
        else:
            context = {
                **self.admin_site.each_context(request),
                "title": f"Annual summary {year}",
                "opts": self.model._meta,
                "summary": summary,
                "year": year,
                "error": error,
                "schedule_a": schedule_a_rows(summary["public_support"], readable=True),
                "sections": [(title, summary[key]) for title, key in [
                    ("By month", "by_month"), ("By method", "by_method"),
                    ("By campaign", "by_campaign"), ("By fund", "by_fund"),
                    ("By donor state", "by_state")]],
            }  # fmt: skip
            return TemplateResponse(request, "compliance/admin/annual_summary.html", context)
        response["Content-Disposition"] = f'attachment; filename="annual-summary-{year}.{download}"'
        return response

    def has_add_permission(self, request):
        # The one row comes with the migrations; no query here (every admin page asks this).
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BenefitLimit)
class BenefitLimitAdmin(SavedByServices, AuditedAdmin):
    service_save = staticmethod(lambda limit: setup.benefit_limit_save(limit=limit))
    service_delete = staticmethod(lambda ids: setup.benefit_limits_delete(limit_ids=ids))
    list_display = [
        "year",
        "low_cost_article_max",
        "low_cost_article_min_payment",
        "benefit_cap",
        "benefit_percent",
    ]


# Issuing from the gifts list. The action lives here, not in donors (which may not import
# compliance): it goes on the gifts list through donors' extension point below.
@admin.action(description="Issue receipts for selected gifts…")
def issue_receipts(modeladmin, request, queryset):
    gifts = list(queryset.select_related("donor"))
    if request.POST.get("confirmed"):
        result = services.receipts_issue_due(gift_ids=[g.pk for g in gifts], issued_by=request.user)
        numbers = ", ".join(r.number for r in result.issued)
        if result.issued:
            modeladmin.message_user(
                request, f"Issued {len(result.issued)} receipt(s): {numbers}.", messages.SUCCESS
            )
        for gift_id, reason in result.skipped:
            modeladmin.message_user(request, f"Gift {gift_id}: {reason}", messages.WARNING)
        for year in years_missing_limits({r.gift_date.year for r in result.issued}):
            modeladmin.message_user(request, missing_limits_warning(year), messages.WARNING)
        already = len(gifts) - len(result.issued) - len(result.skipped)
        if already:
            modeladmin.message_user(
                request, f"{already} gift(s) already had a receipt.", messages.INFO
            )
        return None
    due = set(
        services.gifts_due_for_receipt()
        .filter(pk__in=[g.pk for g in gifts])
        .values_list("pk", flat=True)
    )
    items = []
    for gift in gifts:
        verdict = services.gift_receiptability(gift)
        if gift.pk not in due:
            items.append(f"{gift}: already receipted or not kept, skipped")
        elif not verdict.receiptable:
            items.append(f"{gift}: not receipted ({verdict.reason})")
        else:
            items.append(f"{gift}: a receipt will be issued")
    return _confirm(
        modeladmin,
        request,
        queryset,
        action="issue_receipts",
        title="Issue receipts",
        question="Receipts are numbered in sequence and can never be edited, only voided.",
        items=items,
        button="Issue the receipts",
    )


def _may_issue_receipts(request) -> bool:
    return request.user.has_perm("compliance.add_receipt") and request.user.has_perm(
        "donors.change_gift"
    )


# donors' extension point for other apps' actions (donors.admin.base.ActionsFromOtherApps).
GiftAdmin.extra_action_add(issue_receipts, allowed=_may_issue_receipts)


class ReceiptDueFilter(admin.SimpleListFilter):
    """Gifts never receipted whose money the organization keeps (what "Issue receipts" would
    receipt): the staff home links here with its count."""

    title = "receipt"
    parameter_name = "receipt"

    def lookups(self, request, model_admin):
        return [("due", "Due (never receipted)")]

    def queryset(self, request, queryset):
        if self.value() == "due":
            return queryset.filter(pk__in=services.gifts_due_for_receipt().values("pk"))
        return queryset


# On the gifts list, from here: donors may not import compliance.
GiftAdmin.list_filter = [*GiftAdmin.list_filter, ReceiptDueFilter]


@admin.register(ThankYouLetter)
class ThankYouLetterAdmin(ViewOnly, BackOfficeAdmin):
    """Letters that thank without receipting; written by the soft-credits action."""

    list_display = ["donor_name", "kind", "amount", "gift_date", "email", "sent_at"]
    list_filter = ["kind"]
    search_fields = ["donor_name", "email"]
    fields = list_display + ["created_at"]
    readonly_fields = fields


@admin.action(description="Send thank-you letters (not tax receipts)…")
def send_thank_you_letters(modeladmin, request, queryset):
    if request.POST.get("confirmed"):
        with transaction.atomic():
            count = thank_you_letters_queue(soft_credit_ids=queryset.values_list("pk", flat=True))
        modeladmin.message_user(request, f"Queued {count} thank-you letter(s).", messages.SUCCESS)
        return None
    items = []
    for credit in queryset.select_related("donor", "thank_you_letter"):
        if credit.kind not in NOTES:
            items.append(
                f"{credit}: no letter (only GlobalGiving donors, DAF advisors and "
                "matched employees get one)"
            )
        elif hasattr(credit, "thank_you_letter"):
            items.append(f"{credit}: already has a letter")
        else:
            items.append(f"{credit}: a letter saying it is not a tax receipt will be sent")
    return _confirm(
        modeladmin,
        request,
        queryset,
        action="send_thank_you_letters",
        title="Send thank-you letters",
        items=items,
        button="Send",
        question="Each letter is sent once and says plainly it is not a tax receipt.",
    )


def _may_send_thank_you_letters(request) -> bool:
    return request.user.has_perm("compliance.add_thankyouletter") and request.user.has_perm(
        "donors.change_softcredit"
    )


SoftCreditAdmin.extra_action_add(send_thank_you_letters, allowed=_may_send_thank_you_letters)
