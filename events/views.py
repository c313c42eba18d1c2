"""Event pages: the public page and invitation link (RSVP), and the organizers' pages (door
check-in, invitations, summary, exports). Each organizer page checks its permission."""

from __future__ import annotations

import functools
import logging
import re

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from donors.admin.base import can_see_giving
from donors.models import Organization
from donors.ratelimit import client_ip, limit_reached, rate_limited
from donors.stripe.client import StripeUnavailable
from donors.text import text_problem
from events import cards, exports, selectors, services
from events.forms import InviteForm, PublicRSVPForm, RSVPForm, TicketBuyForm, WalkInForm
from events.models import RSVP, Event, EventStatus, Invitation, TicketHold

log = logging.getLogger(__name__)

INVITATION_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def permission(perm: str):
    """Logged in (else the login page) with ``perm`` (else 403)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("admin:login"))
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _public_event(slug: str) -> Event:
    event = get_object_or_404(Event, slug=slug)
    if event.status == EventStatus.DRAFT:
        raise Http404("No such event.")
    return event


def _organized_event(request, slug: str) -> Event:
    """The event of an organizers' page: 404 for an event the user does not run (an organizer
    never learns another event's name from these pages)."""
    return get_object_or_404(selectors.events_for(request.user), slug=slug)


def _ticket_lines(event: Event) -> list[dict]:
    org = Organization.current()
    statement = org.ca_disclosure if org else ""
    lines = []
    sold = dict(
        event.ticket_purchases.values("ticket_type")
        .annotate(n=Sum("quantity"))
        .values_list("ticket_type", "n")
    )
    now = timezone.now()
    held = dict(
        TicketHold.objects.filter(ticket_type__event=event, expires_at__gt=now)
        .values("ticket_type")
        .annotate(n=Sum("quantity"))
        .values_list("ticket_type", "n")
    )
    for ticket in event.ticket_types.all():
        # As the receipt will state them (donors.deductible): a benefit too small to count
        # that year is disregarded, and the whole price is deductible.
        figures = ticket.figures
        deductible = figures.deductible_amount
        taken = sold.get(ticket.pk, 0) + held.get(ticket.pk, 0)
        left = None if ticket.quantity is None else max(ticket.quantity - taken, 0)
        lines.append(
            {
                "ticket": ticket,
                "benefit": figures.benefit_value,
                "deductible": deductible,
                "ca_statement": statement.replace("{deductible}", f"${deductible:,.2f}")
                if statement
                else "",
                # IRC 6115: a payment over $75 partly for goods or services needs the statement;
                # it is printed for any ticket with a benefit.
                "quid_pro_quo": figures.benefit_value > 0,
                "left": left,
                "on_sale": event.status == EventStatus.OPEN
                and now < event.ends_at
                and ticket.on_sale(now)
                and left != 0,
                "sales_end": timezone.localtime(ticket.sales_end, event.tz)
                if ticket.sales_end
                else None,
            }
        )
    return lines


def _rsvp_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _too_many(request):
    return render(request, "events/too_many.html", status=429)


# Public RSVPs: per address over all forms (``rsvp``, 20 in 10 minutes), per address for one
# event (answers asked and confirmed), and confirmation emails per email address for one
# event. Past the last one the page says the same and sends nothing more, so it tells nobody
# that the address was used.
RSVP_EVENT_LIMIT = 10
RSVP_EVENT_WINDOW = 3600
RSVP_EMAIL_LIMIT = 3
RSVP_EMAIL_WINDOW = 3600


def _rsvp_event_limited(request, event: Event) -> bool:
    return limit_reached(
        scope=f"rsvp-event:{event.pk}",
        key=client_ip(request),
        limit=RSVP_EVENT_LIMIT,
        window=RSVP_EVENT_WINDOW,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def event_public(request, slug):
    """The event's public page: details, tickets with their deductible share, and an RSVP
    form. An answer given there is emailed back for confirmation (``rsvp_request_public``):
    the page says "check your email" whoever the address belongs to."""
    event = _public_event(slug)
    open_now = event.rsvps_open()
    form = PublicRSVPForm(request.POST or None, event=event)
    if request.method == "POST":
        if rate_limited(request, scope="rsvp") or _rsvp_event_limited(request, event):
            return _too_many(request)
        if not open_now:
            form.add_error(None, services.rsvp_closed_message(event))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                if not limit_reached(
                    scope=f"rsvp-email:{event.pk}",
                    key=data["email"].strip().lower(),
                    limit=RSVP_EMAIL_LIMIT,
                    window=RSVP_EMAIL_WINDOW,
                ):
                    services.rsvp_request_public(
                        event=event,
                        first_name=data["first_name"],
                        last_name=data["last_name"],
                        email=data["email"],
                        answer=data["answer"],
                        party_size=data["party_size"],
                        guests=form.guest_details(),
                    )
            except ValidationError as error:
                _rsvp_errors(form, error)
            else:
                return render(
                    request,
                    "events/rsvp_check_email.html",
                    {"event": event, "email": data["email"], "days": services.PUBLIC_LINK_DAYS},
                )
    return _event_page(request, event, form=form if open_now else None)


@require_http_methods(["GET", "HEAD", "POST"])
def event_rsvp_confirm(request, slug, link_id):
    """The link emailed from the public page: shows the answer waiting behind it and records
    it on POST (a GET never writes: mail scanners open links before people do)."""
    event = _public_event(slug)
    if request.method == "POST" and (
        rate_limited(request, scope="rsvp") or _rsvp_event_limited(request, event)
    ):
        return _too_many(request)
    context = {"event": event}
    try:
        context["answer"] = services.rsvp_public_answer(link_id, event=event)
    except services.PublicLinkExpired:
        return render(request, "events/rsvp_confirm.html", {**context, "expired": True}, status=410)
    except services.PublicLinkInvalid:
        return render(request, "events/bad_link.html", status=404)
    if context["answer"].used:
        context["used"] = True
    elif request.method == "POST":
        try:
            rsvp = services.rsvp_confirm_public(event=event, link_id=link_id)
        except services.PublicLinkUsed:
            context["used"] = True
        except ValidationError as error:
            context["errors"] = error.messages
        else:
            return render(request, "events/rsvp_done.html", {"event": event, "rsvp": rsvp})
    return render(request, "events/rsvp_confirm.html", context)


def _event_page(request, event: Event, *, form=None, buy_form=None, status: int = 200):
    """The public page: details, tickets (with the buy form while any is on sale) and RSVP."""
    tickets = _ticket_lines(event)
    if buy_form is None and any(line["on_sale"] for line in tickets):
        buy_form = TicketBuyForm(event=event)
    open_now = event.rsvps_open()
    return render(
        request,
        "events/event_public.html",
        {
            "event": event,
            "tickets": tickets,
            "buy_form": buy_form,
            "form": form,
            "closed_message": None if open_now else services.rsvp_closed_message(event),
            "seats_left": max(event.capacity - services.seats_taken(event), 0),
        },
        status=status,
    )


# At most this many ticket checkouts from one address in the window: each one holds tickets
# and creates a Stripe object, so a script must not be able to hold a sold-out dinner.
TICKETS_RATE_LIMIT = 10
TICKETS_RATE_WINDOW = 600


@require_POST
def event_tickets_buy(request, slug):
    """The buy form: hold the tickets, then hand the buyer to Stripe Checkout (303)."""
    event = _public_event(slug)
    form = TicketBuyForm(request.POST, event=event)
    rsvp_form = PublicRSVPForm(event=event) if event.rsvps_open() else None
    if rate_limited(request, scope="tickets", limit=TICKETS_RATE_LIMIT, window=TICKETS_RATE_WINDOW):
        form.is_valid()
        form.add_error(None, "Too many attempts from your connection. Please wait a few "
                             "minutes and try again.")  # fmt: skip
        return _event_page(request, event, form=rsvp_form, buy_form=form, status=429)
    if not form.is_valid():
        return _event_page(request, event, form=rsvp_form, buy_form=form, status=400)
    data = form.cleaned_data
    page = request.build_absolute_uri(event.get_absolute_url())
    try:
        url = services.ticket_checkout_start(
            ticket_type=data["ticket_type"],
            quantity=data["quantity"],
            benefit_declined=data["benefit_declined"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            success_url=request.build_absolute_uri(
                reverse("event_tickets_thanks", args=[event.slug])
            ),
            cancel_url=page + "#tickets",
            client_address=client_ip(request),
        )
    except ValidationError as error:
        form.add_error(None, error.messages)
        return _event_page(request, event, form=rsvp_form, buy_form=form, status=409)
    except StripeUnavailable:
        log.exception("tickets: Stripe Checkout could not be started")
        form.add_error(None, "Buying tickets online is unavailable right now. Please try "
                             "again in a few minutes; nothing was charged.")  # fmt: skip
        return _event_page(request, event, form=rsvp_form, buy_form=form, status=503)
    return HttpResponseRedirect(url, status=303)


@require_safe
def event_tickets_thanks(request, slug):
    """Where Stripe sends the buyer back after paying (the webhook records the purchase)."""
    event = _public_event(slug)
    return render(request, "events/tickets_thanks.html", {"event": event})


@require_http_methods(["GET", "HEAD", "POST"])
def rsvp_invitation(request, token):
    """The invitation link: the guest's own answer, changeable until the deadline."""
    if request.method == "POST" and rate_limited(request, scope="rsvp"):
        return _too_many(request)
    # Tokens are URL-safe base64; anything else (a NUL byte, which PostgreSQL refuses in a
    # query) is no invitation, answered without asking the database.
    valid = INVITATION_TOKEN.fullmatch(token) is not None
    invitation = (
        Invitation.objects.select_related("event", "donor").filter(token=token).first()
        if valid
        else None
    )
    if invitation is None or invitation.event.status == EventStatus.DRAFT:
        return render(request, "events/bad_link.html", status=404)
    event = invitation.event
    rsvp = RSVP.objects.filter(event=event, donor=invitation.donor).first()
    initial = RSVPForm.initial_for(rsvp) if rsvp else {}
    open_now = event.rsvps_open()
    tickets = _ticket_lines(event)
    form = RSVPForm(request.POST or None, event=event, initial=initial)
    if request.method == "POST":
        if not open_now:
            form.add_error(None, services.rsvp_closed_message(event))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                rsvp = services.rsvp_submit(
                    event=event,
                    donor=invitation.donor,
                    answer=data["answer"],
                    party_size=data["party_size"],
                    guests=form.guest_details(),
                    invitation=invitation,
                )
            except ValidationError as error:
                _rsvp_errors(form, error)
            else:
                return render(request, "events/rsvp_done.html", {"event": event, "rsvp": rsvp})
    return render(
        request,
        "events/rsvp_invitation.html",
        {
            "event": event,
            "invitation": invitation,
            "donor": invitation.donor,
            "rsvp": rsvp,
            "tickets": tickets,
            "buy_link": any(line["on_sale"] for line in tickets),
            "form": form if open_now else None,
            "closed_message": None if open_now else services.rsvp_closed_message(event),
        },
    )


# --- The door -----------------------------------------------------------------------------


def _rsvp_json(rsvp: RSVP) -> dict:
    return {
        "id": rsvp.pk,
        "name": rsvp.donor.display_name,
        "email": getattr(rsvp, "email", "") or "",
        "party_size": rsvp.party_size,
        "guests": rsvp.guest_names,
        "dietary": rsvp.dietary_summary(),
        "table": rsvp.table.name if rsvp.table else "",
        "walk_in": rsvp.walk_in,
        "checked_in": rsvp.checked_in_count,
    }


@permission("events.change_rsvp")
@require_safe
def event_check_in(request, slug):
    event = _organized_event(request, slug)
    return render(
        request,
        "events/check_in.html",
        {"event": event, "counts": selectors.door_counts(event), "walk_in_form": WalkInForm()},
    )


@permission("events.change_rsvp")
@require_safe
def event_check_in_search(request, slug):
    event = _organized_event(request, slug)
    query = request.GET.get("q", "")[:100]
    # A control character (a NUL byte) is in no name and PostgreSQL refuses it in a query.
    problem = text_problem(query, one_line=True)
    if problem:
        return JsonResponse(
            {"error": problem, "results": [], "counts": selectors.door_counts(event)}, status=400
        )
    return JsonResponse(
        {
            "results": [_rsvp_json(r) for r in selectors.door_search(event, query)],
            "counts": selectors.door_counts(event),
        }
    )


@permission("events.change_rsvp")
@require_POST
def event_check_in_party(request, slug, rsvp_id):
    """Check a party in (``count`` people) or, with ``undo``, take it back."""
    event = _organized_event(request, slug)
    rsvp = get_object_or_404(RSVP, pk=rsvp_id, event=event)
    if request.POST.get("undo"):
        changed = services.rsvp_check_in_undo(rsvp=rsvp)
        message = "Check-in undone." if changed else "They were not checked in."
    else:
        try:
            count = int(request.POST.get("count", rsvp.party_size))
            changed = services.rsvp_check_in(rsvp=rsvp, count=count)
        except (ValueError, ValidationError):
            return JsonResponse({"error": "Give how many people came (1 to 50)."}, status=400)
        message = "Checked in." if changed else "Already checked in by someone else."
    rsvp = selectors.attendees(event).filter(pk=rsvp.pk).first() or rsvp
    return JsonResponse(
        {
            "changed": changed,
            "message": message,
            "rsvp": _rsvp_json(rsvp),
            "counts": selectors.door_counts(event),
        },
        status=200 if changed else 409,
    )


@permission("events.change_rsvp")
@require_POST
def event_walk_in(request, slug):
    event = _organized_event(request, slug)
    form = WalkInForm(request.POST)
    if not form.is_valid():
        errors = [e for errs in form.errors.values() for e in errs]
        return JsonResponse({"error": " ".join(errors)}, status=400)
    try:
        rsvp = services.walk_in_add(event=event, **form.cleaned_data)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    rsvp = selectors.attendees(event).filter(pk=rsvp.pk).first() or rsvp
    return JsonResponse(
        {"rsvp": _rsvp_json(rsvp), "counts": selectors.door_counts(event)}, status=201
    )


# --- Invitations, summary, exports ---------------------------------------------------------


@permission("events.add_invitation")
@require_http_methods(["GET", "HEAD", "POST"])
def event_invite(request, slug):
    """Choose donors by tag, state, past attendance or a saved list; preview, then send."""
    event = _organized_event(request, slug)
    form = InviteForm(request.POST or None, event=event, user=request.user)
    recipients = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        recipients = selectors.invitation_recipients(
            event=event,
            tags=data["tags"],
            states=data["states"],
            past_events=data["past_events"],
            guest_lists=data["guest_lists"],
        )
        if request.POST.get("send"):
            result = services.invitations_send(event=event, donors=list(recipients))
            messages.success(
                request,
                f"Queued {result['queued']} invitation(s); "
                f"{result['already_sent']} had already been sent.",
            )
            return redirect("event_invite", slug=event.slug)
    page = list(recipients[:200]) if recipients is not None else None
    return render(
        request,
        "events/invite.html",
        {
            "event": event,
            "form": form,
            "recipients": page,
            "recipient_count": recipients.count() if recipients is not None else 0,
            "sent_count": event.invitations.filter(sent_at__isnull=False).count(),
        },
    )


@permission("events.view_event")
@require_safe
def event_summary(request, slug):
    event = _organized_event(request, slug)
    return render(
        request,
        "events/summary.html",
        {
            "event": event,
            "summary": selectors.event_summary(event),
            "show_money": can_see_giving(request),
        },
    )


def _download(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@permission("events.view_rsvp")
@require_safe
def event_attendees_csv(request, slug):
    event = _organized_event(request, slug)
    return _download(
        exports.attendees_csv(event),
        content_type="text/csv; charset=utf-8",
        filename=f"{event.slug}-attendees.csv",
    )


@permission("events.view_rsvp")
@require_safe
def event_attendees_xlsx(request, slug):
    event = _organized_event(request, slug)
    return _download(
        exports.attendees_xlsx(event),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=f"{event.slug}-attendees.xlsx",
    )


@permission("events.view_rsvp")
@require_safe
def event_door_list_pdf(request, slug):
    event = _organized_event(request, slug)
    return _download(
        exports.door_list_pdf(event),
        content_type="application/pdf",
        filename=f"{event.slug}-door-list.pdf",
    )


# --- Seating, place cards and badges --------------------------------------------------------


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@permission("events.change_rsvp")
@require_http_methods(["GET", "HEAD", "POST"])
def event_seating(request, slug):
    """The seating chart: confirmed parties dragged (or tapped, or chosen in a list) onto
    tables; a table never takes more people than its seats (``rsvp_table_set``)."""
    event = _organized_event(request, slug)
    if request.method == "POST":
        return _seat(request, event)
    return render(
        request, "events/seating.html", {"event": event, "chart": selectors.seating(event)}
    )


def _seat(request, event: Event):
    rsvp = RSVP.objects.filter(event=event, pk=_int(request.POST.get("rsvp"))).first()
    table_id = request.POST.get("table", "")
    table = event.tables.filter(pk=_int(table_id)).first() if table_id else None
    if rsvp is None or (table_id and table is None):
        message, status = "That party or table is no longer there: reload the page.", 404
    else:
        try:
            services.rsvp_table_set(rsvp=rsvp, table=table)
        except ValidationError as refused:
            message, status = " ".join(refused.messages), 409
        else:
            party = rsvp.party_name
            message = f"Seated {party} at {table.name}." if table else f"{party} has no table now."
            message, status = message[0].upper() + message[1:], 200
    if _wants_json(request):
        return JsonResponse({"ok": status == 200, "message": message}, status=status)
    (messages.success if status == 200 else messages.error)(request, message)
    return redirect("event_seating", slug=event.slug)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@permission("events.view_rsvp")
@require_safe
def event_place_cards_pdf(request, slug):
    event = _organized_event(request, slug)
    return _download(
        cards.place_cards_pdf(event),
        content_type="application/pdf",
        filename=f"{event.slug}-place-cards.pdf",
    )


@permission("events.view_rsvp")
@require_safe
def event_badges_pdf(request, slug):
    event = _organized_event(request, slug)
    return _download(
        cards.badges_pdf(event),
        content_type="application/pdf",
        filename=f"{event.slug}-badges.pdf",
    )
