"""Printing an appeal's letters (with labels and #10 envelopes), and labels and envelopes for a
segment: a page that shows who gets one and who is left out and why, the PDFs, and "mark the
letters as mailed", which records whom the appeal asked by letter (with a confirmation step).

For those who send appeals (Administrators and Staff: change on appeals, or on segments for a
segment's labels); board members and organizers are refused (403), anonymous visitors sent to
sign in.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from common.access import needs
from donors.letters import (
    envelopes_pdf,
    labels_pdf,
    letter_recipients,
    letters_check,
    letters_pdf,
    mailing_addresses,
)
from donors.models import Appeal, AppealRecipient, Segment
from donors.services import appeal_recipients_record
from donors.text import printable

SENDS_APPEALS = "donors.change_appeal"
BUILDS_SEGMENTS = "donors.change_segment"
PAGE_SIZE = 50
SEARCH_MAX = 200


def _refused(request, source, problems: list[str], *, status: int = 409):
    """The page saying, in words, why nothing can be printed."""
    context = {
        **admin.site.each_context(request),
        "title": f"Cannot print for {source}",
        "problems": problems,
        "source": source,
    }
    return render(request, "donors/letters_refused.html", context, status=status)


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _list_context(request, donors) -> dict:
    search = request.GET.get("q", "").strip()[:SEARCH_MAX]
    shown = donors.filter(display_name__icontains=search) if search else donors
    page = Paginator(shown.only("pk", "display_name"), PAGE_SIZE).get_page(request.GET.get("page"))
    # The address each will be printed with (one query for the page).
    addresses = mailing_addresses([donor.pk for donor in page])
    for donor in page:
        donor.mailing_address = ", ".join(addresses.get(donor.pk, []))
    return {"page": page, "search": search}


def _appeal(pk: int) -> Appeal:
    return get_object_or_404(Appeal.objects.select_related("segment", "campaign"), pk=pk)


@require_safe
@needs(SENDS_APPEALS)
def appeal_letters(request, pk: int):
    appeal = _appeal(pk)
    try:
        donors, left_out = letter_recipients(appeal)
        letters_check(appeal)
    except ValidationError as problem:
        return _refused(request, appeal, problem.messages)
    total = donors.count()
    context = {
        **admin.site.each_context(request),
        "title": f"Letters for {appeal.name}",
        "appeal": appeal,
        "segment": appeal.segment,
        "total": total,
        "left_out": left_out,
        "mailed": AppealRecipient.objects.filter(
            appeal=appeal, via=AppealRecipient.Via.LETTER
        ).count(),
        **_list_context(request, donors),
    }
    return render(request, "donors/letters.html", context)


def _appeal_pdf(request, pk: int, kind: str):
    appeal = _appeal(pk)
    try:
        donors, _left_out = letter_recipients(appeal)
        if kind == "letters":
            data = letters_pdf(appeal, donors)
        elif kind == "labels":
            data = labels_pdf(donors)
        else:
            data = envelopes_pdf(donors)
    except ValidationError as problem:
        return _refused(request, appeal, problem.messages)
    return _pdf(data, f"{appeal.code}-{kind}.pdf")


@require_safe
@needs(SENDS_APPEALS)
def appeal_letters_pdf(request, pk: int):
    return _appeal_pdf(request, pk, "letters")


@require_safe
@needs(SENDS_APPEALS)
def appeal_labels_pdf(request, pk: int):
    return _appeal_pdf(request, pk, "labels")


@require_safe
@needs(SENDS_APPEALS)
def appeal_envelopes_pdf(request, pk: int):
    return _appeal_pdf(request, pk, "envelopes")


class MailedForm(forms.Form):
    count = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    confirm = forms.BooleanField(
        label="These letters are printed and in the mail.",
        error_messages={"required": "Tick the box to confirm the letters were mailed."},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@needs(SENDS_APPEALS)
def appeal_letters_mailed(request, pk: int):
    """Confirm, then record every donor who gets a letter as asked by letter (once each)."""
    appeal = _appeal(pk)
    try:
        donors, left_out = letter_recipients(appeal)
        letters_check(appeal)
    except ValidationError as problem:
        return _refused(request, appeal, problem.messages)
    total = donors.count()
    form = MailedForm(request.POST or None, initial={"count": total})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["count"] != total:
            form.add_error(
                None,
                f"Who gets a letter has changed since this page was opened ({total} now, "
                f"{form.cleaned_data['count']} then): print the letters again and check them "
                "before marking them mailed.",
            )
        else:
            new = appeal_recipients_record(
                appeal=appeal,
                donor_ids=donors.values_list("pk", flat=True),
                via=AppealRecipient.Via.LETTER,
            )
            messages.success(
                request,
                f"{new} donor{'s' if new != 1 else ''} recorded as asked by letter "
                f"({total - new} already were).",
            )
            return redirect("appeal_letters", pk=appeal.pk)
    context = {
        **admin.site.each_context(request),
        "title": f"Mark the letters for {appeal.name} as mailed",
        "appeal": appeal,
        "total": total,
        "left_out": left_out,
        "form": form,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "donors/letters_mailed.html", context, status=status)


@require_safe
@needs(BUILDS_SEGMENTS)
def segment_mailing(request, pk: int):
    segment = get_object_or_404(Segment, pk=pk)
    try:
        donors, left_out = letter_recipients(segment)
    except ValidationError as problem:
        return _refused(request, segment, problem.messages)
    context = {
        **admin.site.each_context(request),
        "title": f"Labels and envelopes for {segment.name}",
        "segment": segment,
        "total": donors.count(),
        "left_out": left_out,
        **_list_context(request, donors),
    }
    return render(request, "donors/segment_mailing.html", context)


def _segment_pdf(request, pk: int, kind: str):
    segment = get_object_or_404(Segment, pk=pk)
    try:
        donors, _left_out = letter_recipients(segment)
        data = labels_pdf(donors) if kind == "labels" else envelopes_pdf(donors)
    except ValidationError as problem:
        return _refused(request, segment, problem.messages)
    name = "".join(c if c.isascii() and c.isalnum() else "-" for c in printable(segment.name))[:60]
    return _pdf(data, f"{name or 'segment'}-{kind}.pdf")


@require_safe
@needs(BUILDS_SEGMENTS)
def segment_labels_pdf(request, pk: int):
    return _segment_pdf(request, pk, "labels")


@require_safe
@needs(BUILDS_SEGMENTS)
def segment_envelopes_pdf(request, pk: int):
    return _segment_pdf(request, pk, "envelopes")
