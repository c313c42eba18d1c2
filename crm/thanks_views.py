"""The thank-you queue: every gift whose donor nobody has thanked yet, oldest first, those
waiting more than 48 hours marked. Staff thank by email (the thank-you with the receipt, sent by
the task queue) or record a letter or call they made; each through its service."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from common.access import needs
from compliance.services.thanks import gift_thank_queue
from donors.models import Gift, ThankedVia
from donors.selectors import THANK_WITHIN, gifts_to_thank, gifts_to_thank_count
from donors.services import gift_thanked_mark

# Who keeps the queue: whoever may change gifts (Administrators and Staff).
THANKS_GIFTS = "donors.change_gift"
PAGE_SIZE = 50
SEARCH_MAX = 200


def _back(request) -> str:
    """The queue as the user left it (search and page), from the form's hidden fields."""
    keep = {k: request.POST.get(k, "")[:SEARCH_MAX] for k in ("q", "page")}
    query = urlencode({k: v for k, v in keep.items() if v})
    return reverse("thanks_queue") + (f"?{query}" if query else "")


@require_safe
@needs(THANKS_GIFTS)
def thanks_queue(request):
    search = request.GET.get("q", "").strip()[:SEARCH_MAX]
    gifts = gifts_to_thank(search=search).select_related("donor", "campaign")
    page = Paginator(gifts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "crm/thanks.html",
        {
            "page": page,
            "search": search,
            "overdue": gifts_to_thank(search=search).filter(overdue=True).count(),
            "all": gifts_to_thank_count() if search else page.paginator.count,
            "hours": int(THANK_WITHIN.total_seconds() // 3600),
        },
    )


@require_POST
@needs(THANKS_GIFTS)
def thank_by_email(request, pk: int):
    gift = get_object_or_404(Gift.objects.select_related("donor"), pk=pk)
    try:
        gift_thank_queue(gift=gift, by=request.user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(
            request,
            f"The thank-you to {gift.donor.display_name} is on its way; the gift leaves the "
            "queue once it is sent.",
        )
    return redirect(_back(request))


class MarkThankedForm(forms.Form):
    via = forms.ChoiceField(
        label="Thanked by",
        choices=[(ThankedVia.LETTER, "Letter"), (ThankedVia.CALL, "Call")],
        widget=forms.RadioSelect,
    )
    confirm = forms.BooleanField(
        label="I have thanked this donor (or the letter is in the mail).",
        error_messages={"required": "Tick the box to confirm the donor was thanked."},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@needs(THANKS_GIFTS)
def mark_thanked(request, pk: int):
    gift = get_object_or_404(Gift.objects.select_related("donor"), pk=pk)
    form = MarkThankedForm(request.POST or None, initial={"via": ThankedVia.LETTER})
    if request.method == "POST" and form.is_valid():
        try:
            gift_thanked_mark(gift=gift, via=form.cleaned_data["via"], by=request.user)
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
        else:
            how = ThankedVia(form.cleaned_data["via"]).label.lower()
            messages.success(request, f"{gift.donor.display_name}: thanked by {how}.")
        return redirect(_back(request))
    status = 400 if request.method == "POST" else 200
    back = {k: request.GET.get(k, request.POST.get(k, ""))[:SEARCH_MAX] for k in ("q", "page")}
    return render(
        request, "crm/thanks_mark.html", {"gift": gift, "form": form, "back": back}, status=status
    )
