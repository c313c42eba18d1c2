"""Appeals in the back office: kept by Staff, their results (who was asked, who gave, what it
raised and cost) on each appeal's page, which board members see and cannot change."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from django.contrib import admin
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.http import urlencode

from donors.admin.base import AuditedAdmin, ServiceModelForm, can_see_giving
from donors.appeals import (
    appeal_donors_asked,
    appeal_donors_responding,
    appeal_results,
    appeals_with_results,
)
from donors.merge import MERGE_FIELDS, merge_check
from donors.models import Appeal
from donors.money import usd
from donors.services import appeal_save, appeals_delete
from donors.services.appeals import appeal_delete_problem

PAGE_SIZE = 50


@dataclasses.dataclass(frozen=True)
class AppealLink:
    """A button on an appeal's page, put there by another part of donors (the letters'
    PDF, the email's preview and send): ``url(appeal)`` where it goes, shown only to the
    users ``allowed(request)`` admits."""

    label: str
    url: Callable[[Appeal], str]
    allowed: Callable[[object], bool]


# The buttons of the letters and email pages: registered with ``appeal_link_add`` by the
# modules that serve them (one list, so that none patches this admin).
APPEAL_LINKS: list[AppealLink] = []


def appeal_link_add(label: str, *, url: Callable[[Appeal], str], allowed) -> None:
    APPEAL_LINKS.append(AppealLink(label=label, url=url, allowed=allowed))


class CampaignFilter(admin.RelatedFieldListFilter):
    """By campaign, offered even while there is one campaign (Django hides a filter of one
    choice, yet would take its parameters from the URL and ignore them)."""

    def has_output(self):
        return True


class AppealForm(ServiceModelForm):
    class Meta:
        model = Appeal
        fields = "__all__"

    def clean_code(self):
        # Typed "spring26-mail" is meant as SPRING26-MAIL; the model's rule then checks it.
        return (self.cleaned_data.get("code") or "").strip().upper()

    def _merge_text(self, name: str) -> str:
        text = self.cleaned_data.get(name) or ""
        merge_check(text)
        return text

    def clean_email_subject(self):
        return self._merge_text("email_subject")

    def clean_email_body(self):
        return self._merge_text("email_body")

    def clean_letter_body(self):
        return self._merge_text("letter_body")


_MERGE_HELP = "Merge fields: " + ", ".join("{{ " + name + " }}" for name in MERGE_FIELDS) + "."


@admin.register(Appeal)
class AppealAdmin(AuditedAdmin):
    form = AppealForm
    change_form_template = "admin/donors/appeal/change_form.html"
    list_display = ["name", "code", "campaign", "channel", "asked", "responded", "raised_usd"]
    list_select_related = ["campaign"]
    list_filter = [("campaign", CampaignFilter), "channel"]
    search_fields = ["name", "code"]
    search_help_text = "An appeal's name or code."
    list_per_page = 50
    autocomplete_fields = ["campaign"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": [("name", "code"), ("campaign", "segment"), ("channel", "cost")]}),
        (
            "Email",
            {"fields": ["email_subject", "email_body"], "description": _MERGE_HELP},
        ),
        ("Letter", {"fields": ["letter_body", ("signer_name", "signer_title")]}),
        (None, {"fields": [("created_at", "updated_at")]}),
    ]

    def get_queryset(self, request):
        return appeals_with_results(super().get_queryset(request))

    @admin.display(description="asked", ordering="asked_count")
    def asked(self, appeal):
        return f"{appeal.asked_count:,}"

    @admin.display(description="responded", ordering="responded_count")
    def responded(self, appeal):
        return f"{appeal.responded_count:,}"

    @admin.display(description="raised (kept)", ordering="raised")
    def raised_usd(self, appeal):
        return usd(appeal.raised)

    # -- The results, on the appeal's own page ----------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        appeal = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if appeal is not None and self.has_view_or_change_permission(request, appeal):
            context.update(self._results_context(request, appeal))
        return super().change_view(request, object_id, form_url, context)

    def _results_context(self, request, appeal: Appeal) -> dict:
        results = appeal_results(appeal)
        asked = Paginator(appeal_donors_asked(appeal), PAGE_SIZE).get_page(request.GET.get("asked"))
        gave = Paginator(appeal_donors_responding(appeal), PAGE_SIZE).get_page(
            request.GET.get("gave")
        )
        rate = results.response_rate
        per_dollar = results.cost_per_dollar
        average = results.average_gift
        gifts_url = (
            reverse("admin:donors_gift_changelist")
            + "?"
            + urlencode({"appeal__id__exact": appeal.pk})
        )
        return {
            "results": results,
            "figures": {
                "response_rate": "—" if rate is None else f"{rate * 100:.1f}%",
                "raised": usd(results.raised),
                "average_gift": "—" if average is None else usd(average),
                "cost": usd(results.cost),
                "cost_per_dollar": "—" if per_dollar is None else usd(per_dollar),
            },
            "asked_page": asked,
            "gave_page": gave,
            "gifts_url": gifts_url if can_see_giving(request) else "",
            "appeal_links": [
                {"label": link.label, "url": link.url(appeal)}
                for link in APPEAL_LINKS
                if link.allowed(request)
            ],
        }

    # -- Writes, through the services -------------------------------------------------------

    def save_model(self, request, obj, form, change):
        appeal_save(appeal=obj)

    def delete_model(self, request, obj):
        appeals_delete(appeals=[obj])

    def delete_queryset(self, request, queryset):
        appeals_delete(appeals=queryset)

    def get_deleted_objects(self, objs, request):
        # An appeal that gifts answer is refused with words, not with a list of every gift
        # (Django would list thousands): its confirm page then says why and offers no button.
        problems = [p for p in (appeal_delete_problem(appeal) for appeal in objs) if p]
        if problems:
            return [], {}, set(), problems
        return super().get_deleted_objects(objs, request)


# The letters' page (donors/letter_views.py): who gets a letter, the PDFs, marking them mailed.
appeal_link_add(
    "Letters, labels and envelopes",
    url=lambda appeal: reverse("appeal_letters", args=[appeal.pk]),
    allowed=lambda request: request.user.has_perm("donors.change_appeal"),
)

# The email's compose page (donors/admin/mailings.py), filled in from the appeal.
appeal_link_add(
    "Send by email",
    url=lambda appeal: reverse("admin:donors_mailing_add") + f"?appeal={appeal.pk}",
    allowed=lambda request: request.user.has_perm("donors.add_mailing"),
)
