"""The unsubscribe link of appeal emails and newsletters (public, no sign-in).

A GET shows the page and a button, and changes nothing: mail scanners open links. A POST
unsubscribes at once; it is also RFC 8058's one-click unsubscribe, which the mail provider
posts (body ``List-Unsubscribe=One-Click``) with no cookie or CSRF token, so the view is
exempt from CSRF: the unguessable per-recipient token in the address is the secret. A second
POST changes nothing; a token that is not ours is a 404 page."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from donors.models import MailingRecipient, Organization
from donors.ratelimit import rate_limited
from donors.services.mailings import email_unsubscribe

RATE_LIMIT = 30
RATE_WINDOW = 600
TOKEN_MAX = 64


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    context = {"organization": Organization.current(), "token": token}
    row = None
    if len(token) <= TOKEN_MAX:
        row = MailingRecipient.objects.select_related("donor").filter(token=token).first()
    if row is None:
        # Only wrong links count: one-click POSTs all come from a few mail providers'
        # addresses, and a real link must always work; guessing tokens is what is limited.
        if rate_limited(request, scope="unsubscribe", limit=RATE_LIMIT, window=RATE_WINDOW):
            context["problem"] = "busy"
            return render(request, "donors/unsubscribe.html", context, status=429)
        context["problem"] = "unknown"
        return render(request, "donors/unsubscribe.html", context, status=404)
    if request.method == "POST":
        email_unsubscribe(token=token)
        context["done"] = True
    context["address"] = row.address
    return render(request, "donors/unsubscribe.html", context)
