"""Appeal emails and newsletters in the back office: compose (from an appeal, prefilled with its
words and segment, or a newsletter to a chosen segment), preview for a real donor, send a test
to oneself, then send, after a confirmation that counts who gets it and who is left out and
why; the mailing's page shows its progress. Who each message reached is its own list, and the
suppressed addresses another. Staff and Administrators send; board members see mailings and
their results only."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from donors import mailing as mail
from donors.admin.base import AuditedAdmin, ServiceModelForm, ViewOnly
from donors.merge import MERGE_FIELDS, merge_check
from donors.models import Appeal, EmailSuppression, Mailing, MailingRecipient
from donors.services.mailings import (
    email_suppression_add,
    email_suppressions_delete,
    mailing_queue,
    mailing_save,
    mailing_test_send,
)

EDITABLE = ["kind", "appeal", "segment", "subject", "body"]


class MailingForm(ServiceModelForm):
    class Meta:
        model = Mailing
        fields = EDITABLE
        widgets = {"body": forms.Textarea(attrs={"rows": 18, "cols": 90})}

    def clean(self):
        data = super().clean()
        if data.get("kind") == Mailing.Kind.APPEAL and not data.get("appeal"):
            self.add_error("appeal", "An appeal email needs its appeal.")
        for field in ("subject", "body"):
            if data.get(field):
                try:
                    merge_check(data[field])
                except ValidationError as error:
                    self.add_error(field, error)
        return data


@admin.register(Mailing)
class MailingAdmin(AuditedAdmin):
    form = MailingForm
    list_display = ["subject", "kind", "segment", "status", "sent_count", "failed_count",
                    "skipped_count", "created_at"]  # fmt: skip
    list_filter = ["status", "kind"]
    search_fields = ["subject"]
    list_select_related = ["segment"]
    list_per_page = 50
    readonly_fields = ["merge_fields", "status", "progress", "next_steps", "created_by",
                       "created_at", "queued_at", "finished_at"]  # fmt: skip

    def get_fieldsets(self, request, obj=None):
        words = (None, {"fields": EDITABLE + ["merge_fields"]})
        if obj is None:
            return [words]
        return [
            (None, {"fields": ["status", "progress", "next_steps"]}),
            words,
            ("Record", {"fields": ["created_by", "created_at", "queued_at", "finished_at"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and (obj.status != Mailing.Status.DRAFT or not self._may_send(request)):
            return EDITABLE + self.readonly_fields
        return self.readonly_fields

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        appeal_id = request.GET.get("appeal", "")
        appeal = Appeal.objects.filter(pk=appeal_id).first() if appeal_id.isdigit() else None
        if appeal is not None:
            initial.update(
                kind=Mailing.Kind.APPEAL,
                appeal=appeal.pk,
                segment=appeal.segment_id,
                subject=appeal.email_subject,
                body=appeal.email_body,
            )
        return initial

    def has_delete_permission(self, request, obj=None):
        return False  # a mailing's record stays; a draft is simply never sent

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status != Mailing.Status.DRAFT:
            return False  # queued or sent: its page is its record, read-only
        return super().has_change_permission(request, obj)

    def _may_send(self, request) -> bool:
        return request.user.has_perm("donors.change_mailing")

    def save_model(self, request, obj, form, change):
        mailing_save(mailing=obj, by=request.user)

    def delete_model(self, request, obj):
        raise PermissionDenied

    def delete_queryset(self, request, queryset):
        raise PermissionDenied

    @admin.display(description="merge fields")
    def merge_fields(self, obj):
        return format_html(
            "<p>Write these in the subject or the words; each donor's own is filled in. The NY "
            "disclosure and the unsubscribe link are added to every message.</p><ul>{}</ul>",
            format_html_join("", "<li><code>{{{{ {} }}}}</code>: {}</li>", MERGE_FIELDS.items()),
        )

    @admin.display(description="progress")
    def progress(self, obj):
        if obj is None or not obj.pk:
            return "-"
        if obj.status == Mailing.Status.DRAFT:
            return "Not sent yet."
        counts = dict(
            MailingRecipient.objects.filter(mailing=obj)
            .values_list("status")
            .annotate(n=Count("id"))
        )
        base = reverse("admin:donors_mailingrecipient_changelist")
        items = []
        for status, label in MailingRecipient.Status.choices:
            if counts.get(status):
                query = urlencode({"mailing__id__exact": obj.pk, "status__exact": status})
                items.append((f"{base}?{query}", label, counts[status]))
        total = sum(counts.values())
        return format_html(
            '<p id="mailing-progress">{} of {} sent{}.</p><ul>{}</ul>',
            counts.get(MailingRecipient.Status.SENT, 0),
            total - counts.get(MailingRecipient.Status.SKIPPED, 0),
            " (still sending: reload to follow)"
            if obj.status in (Mailing.Status.QUEUED, Mailing.Status.SENDING)
            else "",
            format_html_join("", '<li><a href="{}">{}</a>: {}</li>', items),
        )

    @admin.display(description="")
    def next_steps(self, obj):
        if obj is None or not obj.pk:
            return "-"
        links = [(reverse("admin:donors_mailing_preview", args=[obj.pk]), "Preview")]
        if obj.status == Mailing.Status.DRAFT:
            links.append((reverse("admin:donors_mailing_send", args=[obj.pk]), "Send…"))
        return format_html_join(" ", '<a class="button" href="{}">{}</a>', links)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", view(self.preview_view), name="donors_mailing_preview"),
            path("<int:pk>/test/", view(require_POST(self.test_view)), name="donors_mailing_test"),
            path("<int:pk>/send/", view(self.send_view), name="donors_mailing_send"),
        ] + super().get_urls()

    def _mailing(self, request, pk: int, *, send: bool) -> Mailing:
        if not self.has_view_permission(request) or (send and not self._may_send(request)):
            raise PermissionDenied
        return get_object_or_404(Mailing.objects.select_related("segment", "appeal"), pk=pk)

    def preview_view(self, request, pk: int):
        mailing = self._mailing(request, pk, send=False)
        donor_id = request.GET.get("donor", "")
        donor = mail.sample_donor(mailing, int(donor_id) if donor_id.isdigit() else None)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Preview: {mailing.subject}",
            "mailing": mailing,
            "donor": donor,
            "may_send": self._may_send(request),
            "opts": self.model._meta,
        }
        if donor is not None:
            try:
                fields = mail.fields_for(mailing, [donor])[donor.pk]
                message = mail.message_for(
                    mailing,
                    to=getattr(donor, "address", "") or "(no email address)",
                    fields=fields,
                    token="preview",
                )
            except ValidationError as error:
                context["error"] = " ".join(error.messages)
            except Exception as error:  # noqa: BLE001 - a template error in the words
                context["error"] = f"The words cannot be filled in: {error}"
            else:
                context["message"] = message
                context["headers"] = [
                    (k, v) for k, v in message.extra_headers.items() if k.startswith("List-")
                ]
        return TemplateResponse(request, "admin/donors/mailing/preview.html", context)

    def test_view(self, request, pk: int):
        mailing = self._mailing(request, pk, send=True)
        donor_id = request.POST.get("donor", "")
        donor = mail.sample_donor(mailing, int(donor_id) if donor_id.isdigit() else None)
        try:
            note = mailing_test_send(mailing=mailing, user=request.user, donor=donor)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except OSError as error:
            messages.error(request, f"The test could not be sent: {error}")
        else:
            messages.info(request, note)
        back = reverse("admin:donors_mailing_preview", args=[mailing.pk])
        return redirect(f"{back}?donor={donor.pk}" if donor is not None else back)

    def send_view(self, request, pk: int):
        mailing = self._mailing(request, pk, send=True)
        page = reverse("admin:donors_mailing_change", args=[mailing.pk])
        if mailing.status != Mailing.Status.DRAFT:
            context = {**self.admin_site.each_context(request), "mailing": mailing,
                       "title": f"Send: {mailing.subject}", "opts": self.model._meta}  # fmt: skip
            return TemplateResponse(request, "admin/donors/mailing/send.html", context)
        if request.method == "POST":
            try:
                mailing_queue(mailing=mailing, by=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, "Sending: the task queue sends it in batches.")
            return redirect(page)
        audience = mail.audience(mailing)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Send: {mailing.subject}",
            "mailing": mailing,
            "sending": audience.sending,
            "left_out": audience.left_out.items(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/donors/mailing/send.html", context)


@admin.register(MailingRecipient)
class MailingRecipientAdmin(ViewOnly, AuditedAdmin):
    list_display = ["donor", "address", "mailing", "status", "reason", "sent_at"]
    list_filter = ["status"]
    url_lookups = ("mailing__id__exact",)
    search_fields = ["address", "donor__display_name"]
    list_select_related = ["donor", "mailing"]
    list_per_page = 100
    fields = ["mailing", "donor", "address", "status", "reason", "sent_at", "provider_message_id"]
    readonly_fields = fields


class SuppressionForm(ServiceModelForm):
    class Meta:
        model = EmailSuppression
        fields = ["address", "detail"]

    def clean_address(self):
        address = mail.address_of(self.cleaned_data.get("address", ""))
        forms.EmailField().clean(address)
        if EmailSuppression.objects.filter(address=address).exists():
            raise ValidationError("This address is already suppressed.")
        return address


@admin.register(EmailSuppression)
class EmailSuppressionAdmin(AuditedAdmin):
    form = SuppressionForm
    list_display = ["address", "reason", "source", "created_at", "blocked_count",
                    "last_blocked_at"]  # fmt: skip
    list_filter = ["reason"]
    search_fields = ["address"]
    list_per_page = 100
    readonly_fields = ["reason", "source", "created_at", "blocked_count", "last_blocked_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["address", "detail"]
        return ["address", "reason", "source", "created_at", "detail", "blocked_count",
                "last_blocked_at"]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ["address", "detail", *self.readonly_fields]
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False  # lifted (deleted) or left; never edited

    def save_model(self, request, obj, form, change):
        email_suppression_add(suppression=obj, by=request.user)

    def delete_model(self, request, obj):
        email_suppressions_delete(queryset=EmailSuppression.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        email_suppressions_delete(queryset=queryset)
