"""Public pages of the donors app: the Stripe webhook and the donation page."""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from donors.forms import PRESET_AMOUNTS, DonateForm
from donors.models import Campaign, Organization
from donors.ratelimit import rate_limited
from donors.stripe.checkout import DonationChoice, checkout_start
from donors.stripe.client import StripeUnavailable
from donors.stripe.events import webhook_receive
from donors.stripe.verify import BadEvent

log = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Signed events from Stripe. 400: not genuine (nothing recorded). 200: applied, already
    applied, or not needed. 503/500: not applied now, nothing half-written; Stripe retries."""
    try:
        outcome = webhook_receive(request.body, request.headers.get("Stripe-Signature"))
    except BadEvent as exc:
        return JsonResponse({"error": f"bad event: {exc}"}, status=400)
    except DatabaseError:
        log.exception("stripe webhook: database unavailable")
        return JsonResponse({"error": "database unavailable, retry later"}, status=503)
    except Exception:
        log.exception("stripe webhook: the event could not be applied")
        return JsonResponse({"error": "not applied, retry later"}, status=500)
    return JsonResponse({"outcome": outcome})


# At most this many donation attempts from one address in the window: the page creates a
# Stripe object per submission, so a script must not be able to hammer it.
DONATE_RATE_LIMIT = 10
DONATE_RATE_WINDOW = 600


def donate(request: HttpRequest) -> HttpResponse:
    """The public donation page: choose, then hand off to Stripe Checkout."""
    organization = Organization.current()
    status = 200
    if request.method == "POST":
        form = DonateForm(request.POST)
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
                monthly=data["frequency"] == "monthly",
                cover_fee=data["cover_fee"],
                campaign_slug=campaign.slug if campaign else "",
                campaign_name=campaign.name if campaign else "",
                tribute_kind=data.get("tribute_kind") or "",
                tribute_name=(data.get("tribute_name") or "").strip(),
                tribute_notify_name=(data.get("tribute_notify_name") or "").strip(),
                tribute_notify_email=data.get("tribute_notify_email") or "",
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
        campaign = Campaign.objects.filter(slug=slug, is_active=True).first() if slug else None
        form = DonateForm(initial={"campaign": campaign.slug if campaign else None})
    return render(
        request,
        "donors/donate.html",
        {"form": form, "organization": organization, "presets": PRESET_AMOUNTS},
        status=status,
    )


def donate_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "donors/donate_thanks.html", {"organization": Organization.current()})
