"""The donor's own page, /my/: sign in by an emailed link, then their gifts with the receipts
and statements the office issued, their soft credits, their details, their monthly gifts and
their upcoming events. Who the donor is comes from the donor session only
(crm.donor_access), never from ``request.user``: every record shown is filtered by that donor,
so another donor's receipt is a 404 whatever its number."""

from __future__ import annotations

import functools
import logging

from auditlog.context import set_actor
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_countries.fields import CountryField

from common.audit import audit_origin
from compliance.models import Receipt, YearEndStatement
from compliance.pdf import receipt_pdf, statement_pdf
from crm import donor_access
from crm.donor_access import DONOR_COOKIE, SELF_SERVICE
from donors.models import Organization, RecurringPlan, SoftCredit
from donors.ratelimit import limit_reached, rate_limited
from donors.services import plan_changes
from donors.stripe import checkout
from donors.stripe.client import StripeUnavailable
from events.models import RSVP, TicketPurchase

log = logging.getLogger(__name__)

# Links asked for: per address (connection) over all emails, and per email whatever the
# connection. Past the email's limit the page answers the same and sends nothing more.
LINK_IP_LIMIT, LINK_IP_WINDOW = 10, 600
LINK_EMAIL_LIMIT, LINK_EMAIL_WINDOW = 3, 3600
# Opening links (a guessed token is one try) and the signed-in pages, per address.
OPEN_LIMIT, OPEN_WINDOW = 20, 600
PAGE_LIMIT, PAGE_WINDOW = 300, 600

STRIPE_DOWN = "Stripe could not be reached. Nothing was changed; please try again in a few minutes."


def _too_many(request):
    return render(request, "my/too_many.html", status=429)


def _signed_out(response: HttpResponse) -> HttpResponse:
    response.delete_cookie(DONOR_COOKIE, path=donor_access.COOKIE_PATH, samesite="Lax")
    return response


def donor_required(view):
    """The page of a signed-in donor (their session's cookie), else the sign-in page."""

    @functools.wraps(view)
    @never_cache
    def wrapper(request, *args, **kwargs):
        if rate_limited(request, scope="my", limit=PAGE_LIMIT, window=PAGE_WINDOW):
            return _too_many(request)
        session = donor_access.donor_session_find(request.COOKIES.get(DONOR_COOKIE, ""))
        if session is None:
            response = redirect("my_sign_in")
            return _signed_out(response) if DONOR_COOKIE in request.COOKIES else response
        donor_access.donor_session_touch(session=session)
        request.donor_session = session
        request.donor = session.donor
        return view(request, *args, **kwargs)

    return wrapper


# --- Signing in ------------------------------------------------------------------------------


class SignInForm(forms.Form):
    email = forms.EmailField(max_length=254, label="Your email address")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request):
    """Ask for a sign-in link. The answer is the same whether or not the address is a
    donor's, and whether or not this address already had its share of links."""
    form = SignInForm(request.POST or None)
    if request.method == "POST":
        if rate_limited(request, scope="my-link", limit=LINK_IP_LIMIT, window=LINK_IP_WINDOW):
            return _too_many(request)
        if form.is_valid():
            email = form.cleaned_data["email"].strip().lower()
            if not limit_reached(
                scope="my-link-email", key=email, limit=LINK_EMAIL_LIMIT, window=LINK_EMAIL_WINDOW
            ):
                donor_access.sign_in_link_request(email=email)
            return render(
                request,
                "my/check_email.html",
                {"email": email, "minutes": settings.MY_LINK_MINUTES, **_org()},
            )
    status = 400 if form.errors else 200
    return render(request, "my/sign_in.html", {"form": form, **_org()}, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in_link(request, token):
    """The emailed link. A GET only shows a button (mail scanners open links before people
    do); the POST uses the link, once, and signs the donor in."""
    if rate_limited(request, scope="my-open", limit=OPEN_LIMIT, window=OPEN_WINDOW):
        return _too_many(request)
    try:
        if request.method == "POST":
            session, key = donor_access.sign_in_link_redeem(token=token)
        else:
            donor_access.sign_in_link_find(token)
    except donor_access.LinkExpired:
        return _bad_link(request, "This link has expired", status=410)
    except donor_access.LinkUsed:
        return _bad_link(request, "This link was used already", status=410)
    except donor_access.LinkInvalid:
        return _bad_link(request, "This link does not work", status=404)
    if request.method != "POST":
        return render(request, "my/open_link.html", _org())
    response = HttpResponseRedirect(reverse("my_home"), status=303)
    response.set_cookie(
        DONOR_COOKIE,
        key,
        max_age=donor_access.SESSION_MOST_HOURS * 3600,
        path=donor_access.COOKIE_PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _bad_link(request, title: str, *, status: int):
    context = {"title": title, "minutes": settings.MY_LINK_MINUTES, **_org()}
    return render(request, "my/bad_link.html", context, status=status)


@require_POST
def sign_out(request):
    session = donor_access.donor_session_find(request.COOKIES.get(DONOR_COOKIE, ""))
    if session is not None:
        donor_access.donor_session_end(session=session)
    return _signed_out(HttpResponseRedirect(reverse("my_sign_in"), status=303))


def _org() -> dict:
    return {"organization": Organization.current()}


# --- The page --------------------------------------------------------------------------------


@donor_required
@require_http_methods(["GET", "HEAD"])
def home(request):
    donor = request.donor
    gifts = list(
        donor.gifts.select_related("campaign", "recurring_plan")
        .exclude(status="failed")
        .order_by("-tax_date", "-pk")[:500]
    )
    receipts: dict[int, list[Receipt]] = {}
    for receipt in Receipt.objects.filter(donor=donor).order_by("year", "sequence"):
        receipts.setdefault(receipt.gift_id, []).append(receipt)
    for gift in gifts:
        gift.my_receipts = receipts.get(gift.pk, [])
    now = timezone.now()
    context = {
        **_org(),
        "donor": donor,
        "details": donor_access.own_details(donor),
        "gifts": gifts,
        "statements": YearEndStatement.objects.filter(donor=donor).order_by("-year", "-sequence"),
        "soft_credits": SoftCredit.objects.filter(donor=donor)
        .select_related("gift")
        .order_by("-gift__tax_date", "-pk"),
        "plans": donor.recurring_plans.order_by("status", "-started_on"),
        "amount_form": AmountForm(),
        "rsvps": RSVP.objects.filter(donor=donor, event__ends_at__gte=now)
        .select_related("event")
        .order_by("event__starts_at"),
        "tickets": TicketPurchase.objects.filter(gift__donor=donor, event__ends_at__gte=now)
        .select_related("event", "ticket_type")
        .order_by("event__starts_at"),
        "card_updated": request.GET.get("updated") == "1",
    }
    return render(request, "my/home.html", context)


@donor_required
@require_http_methods(["GET", "HEAD"])
def receipt_download(request, pk):
    """The receipt as the office issued it: drawn from what it froze at issue by the same
    function as the back office's download and the emailed copy. A void one is not offered."""
    receipt = get_object_or_404(Receipt, pk=pk, donor=request.donor, voided_at__isnull=True)
    return _pdf(receipt_pdf(receipt), f"receipt-{receipt.number}.pdf")


@donor_required
@require_http_methods(["GET", "HEAD"])
def statement_download(request, pk):
    statement = get_object_or_404(
        YearEndStatement, pk=pk, donor=request.donor, voided_at__isnull=True
    )
    return _pdf(statement_pdf(statement), f"statement-{statement.number}.pdf")


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- Details ---------------------------------------------------------------------------------


class DetailsForm(forms.Form):
    email = forms.EmailField(max_length=254)
    phone = forms.CharField(
        max_length=40, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    line1 = forms.CharField(label="Address", max_length=200, required=False)
    line2 = forms.CharField(label="Address line 2", max_length=200, required=False)
    city = forms.CharField(max_length=100, required=False)
    region = forms.CharField(label="State / province", max_length=100, required=False)
    postal_code = forms.CharField(label="ZIP / postal code", max_length=20, required=False)
    country = CountryField().formfield(initial="US")
    email_opt_in = forms.BooleanField(label="Email me news and appeals", required=False)
    do_not_solicit = forms.BooleanField(label="Do not ask me for gifts", required=False)
    anonymous = forms.BooleanField(label="Keep my name out of public lists", required=False)

    def clean(self):
        data = super().clean()
        address = [data.get(f) for f in ("line1", "city")]
        if any(data.get(f) for f in ("line1", "line2", "city", "postal_code")) and not all(address):
            raise ValidationError("An address needs at least its first line and a city.")
        return data


@donor_required
@require_http_methods(["GET", "HEAD", "POST"])
def details(request):
    donor = request.donor
    current = donor_access.own_details(donor)
    form = DetailsForm(request.POST or None, initial=vars(current))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            if not data["line1"] and current.line1:
                form.add_error("line1", "Give your new address (write to us to remove it).")
            else:
                wanted = donor_access.OwnDetails(**{k: data[k] for k in vars(current)})
                if not wanted.line1:  # no address before and none given: leave it so
                    for field in ("line1", "line2", "city", "region", "postal_code", "country"):
                        setattr(wanted, field, getattr(current, field))
                try:
                    changed = donor_access.donor_own_details_save(donor=donor, details=wanted)
                except ValidationError as error:
                    for field, errors in donor_access.validation_messages(error).items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    if changed:
                        messages.success(request, "Your details are saved. Thank you.")
                    return HttpResponseRedirect(reverse("my_home"), status=303)
        status = 400
    groups = [
        (legend, [form[name] for name in names])
        for legend, names in (
            ("Contact", ("email", "phone")),
            ("Address", ("line1", "line2", "city", "region", "postal_code", "country")),
        )
    ]
    checks = [form[name] for name in ("email_opt_in", "do_not_solicit", "anonymous")]
    context = {**_org(), "form": form, "groups": groups, "checks": checks}
    return render(request, "my/details.html", context, status=status)


# --- Monthly gifts ---------------------------------------------------------------------------


class AmountForm(forms.Form):
    amount = forms.CharField(label="New monthly amount ($)", max_length=20)

    def clean_amount(self):
        return plan_changes.plan_amount_parse(self.cleaned_data["amount"])


def _own_plan(request, pk) -> RecurringPlan:
    return get_object_or_404(RecurringPlan, pk=pk, donor=request.donor)


def _plan_change(request, pk, ask, done: str):
    """Run one change of a plan asked of Stripe, as the donor's own, and say what happens."""
    plan = _own_plan(request, pk)
    try:
        with set_actor(None), audit_origin(SELF_SERVICE):
            ask(plan)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(reverse("my_home") + "#monthly", status=303)
    except StripeUnavailable:
        log.exception("my: Stripe refused a change of plan %s", plan.pk)
        messages.error(request, STRIPE_DOWN)
        return HttpResponseRedirect(reverse("my_home") + "#monthly", status=303)
    messages.success(
        request, done + " This page shows it once Stripe confirms it (a minute or so)."
    )
    return HttpResponseRedirect(reverse("my_home") + "#monthly", status=303)


@donor_required
@require_POST
def plan_amount(request, pk):
    form = AmountForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["amount"]))
        return HttpResponseRedirect(reverse("my_home") + "#monthly", status=303)
    amount = form.cleaned_data["amount"]
    return _plan_change(
        request,
        pk,
        lambda plan: plan_changes.plan_amount_change_ask(plan=plan, amount=amount),
        f"Your monthly gift becomes ${amount:,.2f} from the next payment.",
    )


@donor_required
@require_POST
def plan_pause(request, pk):
    return _plan_change(
        request,
        pk,
        lambda plan: plan_changes.plan_pause_ask(plan=plan, paused=True),
        "Your monthly gift is paused.",
    )


@donor_required
@require_POST
def plan_resume(request, pk):
    return _plan_change(
        request,
        pk,
        lambda plan: plan_changes.plan_pause_ask(plan=plan, paused=False),
        "Your monthly gift resumes.",
    )


@donor_required
@require_POST
def plan_cancel(request, pk):
    return _plan_change(
        request,
        pk,
        lambda plan: plan_changes.plan_cancel_ask(plan=plan),
        "Your monthly gift is cancelled. Thank you for your gifts.",
    )


@donor_required
@require_POST
def plan_card(request, pk):
    """Off to Stripe's own page for the new card (Checkout in setup mode)."""
    plan = _own_plan(request, pk)
    if plan.status == RecurringPlan.Status.CANCELLED or not plan.stripe_subscription_id:
        raise Http404("No card to update for this gift.")
    try:
        url = checkout.card_update_url(
            plan, return_url=request.build_absolute_uri(reverse("my_home"))
        )
    except StripeUnavailable:
        log.exception("my: card update for plan %s could not be started", plan.pk)
        messages.error(request, STRIPE_DOWN)
        return HttpResponseRedirect(reverse("my_home") + "#monthly", status=303)
    return HttpResponseRedirect(url, status=303)
