"""Public pages of the donors app: the Stripe webhook, the donation page and the card-update
link of the failed-payment emails."""

from __future__ import annotations

import logging
import re

from django.core import validators
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from donors.dunning import LinkExpired, plan_for_token
from donors.forms import DonateForm, appeal_code_known
from donors.models import Campaign, Organization, RecurringPlan
from donors.ratelimit import rate_limited
from donors.stripe.checkout import (
    DonationChoice,
    card_update_url,
    checkout_start,
    checkout_summary,
)
from donors.stripe.client import StripeUnavailable
from donors.stripe.events import webhook_receive
from donors.stripe.verify import BadEvent

log = logging.getLogger(__name__)


# Stripe's events are a few kilobytes; a body over this is not one of them and is refused
# (413) before it is read. Django's own limit (DATA_UPLOAD_MAX_MEMORY_SIZE) raises inside the
# view when request.body is read, which answered 500 and asked the sender to retry forever.
WEBHOOK_MAX_BYTES = 1024 * 1024


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Signed events from Stripe. 400: not genuine (nothing recorded). 413: far too large to
    be an event. 200: stored (the task queue applies it), stored before, or not needed; no
    call to Stripe is made here. 503/500: not stored (the database is down); Stripe retries."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return JsonResponse({"error": "bad event: unreadable Content-Length"}, status=400)
    if length > WEBHOOK_MAX_BYTES:
        return JsonResponse(
            {"error": f"bad event: larger than {WEBHOOK_MAX_BYTES} bytes"}, status=413
        )
    try:
        payload = request.body
    except RequestDataTooBig:
        return JsonResponse({"error": "bad event: too large"}, status=413)
    try:
        outcome = webhook_receive(payload, request.headers.get("Stripe-Signature"))
    except BadEvent as exc:
        return JsonResponse({"error": f"bad event: {exc}"}, status=400)
    except DatabaseError:
        log.exception("stripe webhook: database unavailable")
        return JsonResponse({"error": "database unavailable, retry later"}, status=503)
    except Exception:
        log.exception("stripe webhook: the event could not be stored")
        return JsonResponse({"error": "not stored, retry later"}, status=500)
    return JsonResponse({"outcome": outcome})


# At most this many donation attempts from one address in the window: the page creates a
# Stripe object per submission, so a script must not be able to hammer it.
DONATE_RATE_LIMIT = 10
DONATE_RATE_WINDOW = 600


def donate(request: HttpRequest) -> HttpResponse:
    """The public donation page: choose, then hand off to Stripe Checkout."""
    organization = Organization.current()
    offers = organization.donation_offers() if organization else None
    status = 200
    if request.method == "POST":
        form = DonateForm(request.POST, offers=offers)
        limits = {"limit": DONATE_RATE_LIMIT, "window": DONATE_RATE_WINDOW}
        if rate_limited(request, scope="donate", **limits):
            form.is_valid()
            form.add_error(None, "Too many attempts from your connection. Please wait a few "
                                 "minutes and try again.")  # fmt: skip
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            campaign = data.get("campaign")
            choice = DonationChoice(
                amount=data["gift_amount"],
                currency=data["currency"],
                monthly=data["frequency"] == "monthly",
                cover_fee=data["cover_fee"],
                campaign_slug=campaign.slug if campaign else "",
                campaign_name=campaign.name if campaign else "",
                tribute_kind=data.get("tribute_kind") or "",
                tribute_name=(data.get("tribute_name") or "").strip(),
                tribute_notify_name=(data.get("tribute_notify_name") or "").strip(),
                tribute_notify_email=data.get("tribute_notify_email") or "",
                appeal_code=data.get("appeal") or "",
            )
            try:
                url = checkout_start(
                    choice,
                    organization_name=organization.legal_name if organization else "us",
                    success_url=request.build_absolute_uri(reverse("donate_thanks")),
                    cancel_url=request.build_absolute_uri(reverse("donate")),
                )
            except StripeUnavailable:
                log.exception("donate: Stripe Checkout could not be started")
                form.add_error(None, "Online giving is unavailable right now. Please try "
                                     "again in a few minutes; nothing was charged.")  # fmt: skip
                status = 503
            else:
                return HttpResponseRedirect(url, status=303)
        else:
            status = 400
    else:
        slug = request.GET.get("campaign", "")
        # Only a slug is looked up: a link cut or typed wrong (a NUL byte) is just no campaign.
        valid = bool(slug) and validators.slug_re.fullmatch(slug) is not None
        campaign = Campaign.objects.filter(slug=slug, is_active=True).first() if valid else None
        # A link from an appeal (?appeal=CODE) is kept through the form to Checkout; without a
        # campaign of its own, the page offers the appeal's.
        appeal_code = appeal_code_known(request.GET.get("appeal", ""))
        if appeal_code and campaign is None and not slug:
            campaign = Campaign.objects.filter(appeals__code=appeal_code, is_active=True).first()
        form = DonateForm(
            initial={
                "campaign": campaign.slug if campaign else None,
                "currency": request.GET.get("currency", ""),
                "appeal": appeal_code,
            },
            offers=offers,
        )
    return render(
        request,
        "donors/donate.html",
        {
            "form": form,
            "organization": organization,
            "offers": [o.as_json() for o in form.offers.values()],
        },
        status=status,
    )


# Each look-up of the session asks Stripe: a script must not make this page hammer it.
THANKS_RATE_LIMIT = 30
SESSION_ID = re.compile(r"cs_[A-Za-z0-9_]{1,250}")


def donate_thanks(request: HttpRequest) -> HttpResponse:
    """Back from Checkout: thanks, with what was paid (in the donor's currency) and the US
    dollars it was recorded as, when Stripe and the books already know."""
    session_id = request.GET.get("session_id", "")
    summary = None
    if SESSION_ID.fullmatch(session_id) and not rate_limited(
        request, scope="donate_thanks", limit=THANKS_RATE_LIMIT, window=DONATE_RATE_WINDOW
    ):
        summary = checkout_summary(session_id)
    return render(
        request,
        "donors/donate_thanks.html",
        {"organization": Organization.current(), "summary": summary},
    )


# Each press of "Update my card" creates a Stripe Checkout Session.
CARD_RATE_LIMIT = 10
CARD_RATE_WINDOW = 600


@require_http_methods(["GET", "POST"])
def card_update(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a failed-payment email: the plan it names and a button that hands off to
    Stripe Checkout (setup mode) for a new card. A GET changes nothing (mail scanners open
    links); the POST creates the session. 404: not one of our links; 410: expired."""
    organization = Organization.current()
    context = {"organization": organization, "token": token}
    try:
        plan = plan_for_token(token)
    except LinkExpired:
        context["problem"] = "expired"
        return render(request, "donors/card_update.html", context, status=410)
    if plan is None:
        context["problem"] = "unknown"
        return render(request, "donors/card_update.html", context, status=404)
    ended = plan.status == RecurringPlan.Status.CANCELLED or not plan.stripe_subscription_id
    context.update(plan=plan, ended=ended, updated=request.GET.get("updated") == "1")
    if request.method == "POST" and not ended:
        if rate_limited(request, scope="card_update", limit=CARD_RATE_LIMIT,
                        window=CARD_RATE_WINDOW):  # fmt: skip
            context["error"] = "Too many attempts from your connection. Please wait a few " \
                               "minutes and try again."  # fmt: skip
            return render(request, "donors/card_update.html", context, status=429)
        here = request.build_absolute_uri(reverse("my_card_update", args=[token]))
        try:
            url = card_update_url(plan, return_url=here)
        except StripeUnavailable:
            log.exception("card update: Stripe Checkout could not be started")
            context["error"] = "Card updates are unavailable right now. Please try again in " \
                               "a few minutes."  # fmt: skip
            return render(request, "donors/card_update.html", context, status=503)
        return HttpResponseRedirect(url, status=303)
    if request.method == "POST":  # the plan has ended: there is no card to update
        context["error"] = "This monthly gift has ended: there is no card to update."
        return render(request, "donors/card_update.html", context, status=400)
    return render(request, "donors/card_update.html", context)
