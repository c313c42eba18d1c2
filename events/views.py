"""Event pages: the public page and invitation link (RSVP), and the organizers' pages (door
check-in, invitations, summary, exports). Each organizer page checks its permission."""

from __future__ import annotations

import functools
import logging
import re

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from common.headers import permissions_policy_allowing
from common.task_worker import worker_status
from donors.admin.base import can_see_giving
from donors.models import Organization
from donors.ratelimit import client_ip, limit_reached, rate_limited
from donors.stripe.client import StripeUnavailable
from donors.text import text_problem
from events import calendar, cards, exports, selectors, services
from events.forms import (
    CHOICE_FIELDS,
    InviteForm,
    PublicRSVPForm,
    RSVPForm,
    TicketBuyForm,
    WalkInForm,
)
from events.models import RSVP, Answer, Event, EventStatus, Invitation

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


def _ticket_lines(event: Event, counts: selectors.EventCounts) -> list[dict]:
    org = Organization.current()
    statement = org.ca_disclosure if org else ""
    lines = []
    now = timezone.now()
    for ticket in event.ticket_types.all():
        # As the receipt will state them (donors.deductible): a benefit too small to count
        # that year is disregarded, and the whole price is deductible.
        figures = ticket.figures
        deductible = figures.deductible_amount
        # Tickets left and seats left agree: both come from selectors.event_counts.
        left = counts.tickets_left(ticket)
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


def _guest_context(
    event: Event,
    counts: selectors.EventCounts,
    tickets: list[dict],
    form,
    *,
    rsvp: RSVP | None = None,
) -> dict:
    """What both guest pages (public page, invitation) say about coming: RSVP or tickets, the
    seats left, and whether the event is full. When it is, no ticket is offered and a "yes"
    reads as joining the waitlist, which is what it does (``rsvp_submit``)."""
    seats_left = counts.seats_left
    full = seats_left == 0
    # A "yes" waits behind anyone already waiting, even for a free seat (``rsvp_submit``).
    waits = full or counts.waitlist_parties > 0
    if full:
        for line in tickets:
            line["on_sale"] = False
            line["full"] = True
    if form is not None and waits and not (rsvp and rsvp.confirmed):
        form.fields["answer"].choices = [
            (value, "Yes, put me on the waitlist" if value == Answer.YES else label)
            for value, label in Answer.choices
        ]
    return {
        "seats_left": seats_left,
        "full": full,
        "waits": waits,
        # Free tickets are not sold online ("answer the RSVP form instead"): only priced ones
        # are explained at the top.
        "priced_tickets": [line for line in tickets if line["ticket"].price > 0],
    }


def _event_page(request, event: Event, *, form=None, buy_form=None, status: int = 200):
    """The public page: how to come (RSVP or tickets) at the top, details, tickets (with the
    buy form while any is on sale) and RSVP."""
    counts = selectors.event_counts(event)
    tickets = _ticket_lines(event, counts)
    guest = _guest_context(event, counts, tickets, form)
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
            **guest,
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
def event_calendar(request, slug):
    """The event's calendar file, for "Add to your calendar" on the public page (a cancelled
    event's file cancels the entry in a calendar that holds it)."""
    event = _public_event(slug)
    response = HttpResponse(
        calendar.event_calendar(event),
        content_type=f"{calendar.calendar_content_type(event)}; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


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
    counts = selectors.event_counts(event)
    tickets = _ticket_lines(event, counts)
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
    guest = _guest_context(event, counts, tickets, form if open_now else None, rsvp=rsvp)
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
            **guest,
        },
    )


# --- The door -----------------------------------------------------------------------------


# A door page's key for one tap (crypto random, hex); anything else is ignored, not stored.
DOOR_ATTEMPT = re.compile(r"[A-Za-z0-9-]{8,64}")
# A guest's door code, as the QR code in their confirmation email holds it.
CHECKIN_TOKEN = re.compile(r"[A-Za-z0-9_-]{8,32}")


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


def _attempt(request) -> str:
    attempt = request.POST.get("attempt", "")
    return attempt if DOOR_ATTEMPT.fullmatch(attempt) else ""


def _arrived(rsvp: RSVP) -> str:
    """ "party of 3 (2 of 3 arrived)": what the door sees of a checked-in party."""
    return f"party of {rsvp.party_size} ({rsvp.checked_in_count} of {rsvp.party_size} arrived)"


def _checked_in_message(rsvp: RSVP) -> str:
    return f"Checked in {rsvp.donor.display_name}, {_arrived(rsvp)}."


def _already_message(event: Event, rsvp: RSVP) -> str:
    at = timezone.localtime(rsvp.checked_in_at, event.tz) if rsvp.checked_in_at else None
    when = f" at {dateformat.format(at, 'g:i A')}" if at else ""
    return f"Already checked in{when}: {rsvp.donor.display_name}, {_arrived(rsvp)}."


def _door_answer(event: Event, rsvp: RSVP, *, changed: bool, message: str) -> JsonResponse:
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


def _check_in(event: Event, rsvp: RSVP, *, count: int, attempt: str) -> JsonResponse:
    """Check the party in; a repeat of the same tap (same ``attempt``) answers as the first."""
    changed = services.rsvp_check_in(rsvp=rsvp, count=count, attempt=attempt)
    rsvp.refresh_from_db()
    if changed or services.same_attempt(rsvp, attempt):
        return _door_answer(event, rsvp, changed=True, message=_checked_in_message(rsvp))
    return _door_answer(event, rsvp, changed=False, message=_already_message(event, rsvp))


@permission("events.change_rsvp")
@require_safe
def event_check_in(request, slug):
    event = _organized_event(request, slug)
    response = render(
        request,
        "events/check_in.html",
        {"event": event, "counts": selectors.door_counts(event), "walk_in_form": WalkInForm()},
    )
    # The one page that may open the camera (to scan the guests' QR codes), for itself only.
    response.headers["Permissions-Policy"] = permissions_policy_allowing("camera")
    return response


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
    results = list(selectors.door_search(event, query))
    # The door code printed under a guest's QR code, typed in: finds that party.
    if not results and CHECKIN_TOKEN.fullmatch(query.strip()):
        results = list(selectors.attendees(event).filter(checkin_token=query.strip()))
    return JsonResponse(
        {
            "results": [_rsvp_json(r) for r in results],
            "counts": selectors.door_counts(event),
        }
    )


@permission("events.change_rsvp")
@require_POST
def event_check_in_party(request, slug, rsvp_id):
    """Check a party in (``count`` people) or, with ``undo``, take it back."""
    event = _organized_event(request, slug)
    rsvp = get_object_or_404(RSVP.objects.select_related("donor"), pk=rsvp_id, event=event)
    if request.POST.get("undo"):
        changed = services.rsvp_check_in_undo(rsvp=rsvp)
        name = rsvp.donor.display_name
        message = f"Check-in undone for {name}." if changed else f"{name} was not checked in."
        return _door_answer(event, rsvp, changed=changed, message=message)
    try:
        count = int(request.POST.get("count", rsvp.party_size))
        return _check_in(event, rsvp, count=count, attempt=_attempt(request))
    except (ValueError, ValidationError):
        return JsonResponse({"error": "Give how many people came (1 to 50)."}, status=400)


@permission("events.change_rsvp")
@require_POST
def event_check_in_scan(request, slug):
    """A guest's QR code scanned at the door: their whole party checked in, named."""
    event = _organized_event(request, slug)
    token = request.POST.get("token", "").strip()
    rsvp = None
    if CHECKIN_TOKEN.fullmatch(token):
        rsvp = RSVP.objects.select_related("donor").filter(event=event, checkin_token=token).first()
    if rsvp is None:
        return JsonResponse(
            {"error": f"This code is not a guest's code for {event.name}. Search by name."},
            status=404,
        )
    if rsvp.checked_in_count:
        # Checked in already (a second scan, or by another organizer): said, not counted.
        attempt = _attempt(request)
        if services.same_attempt(rsvp, attempt):
            return _door_answer(event, rsvp, changed=True, message=_checked_in_message(rsvp))
        return _door_answer(event, rsvp, changed=False, message=_already_message(event, rsvp))
    if not rsvp.confirmed:
        answer = "is on the waitlist" if rsvp.waitlist_position else f"answered {rsvp.answer}"
        return JsonResponse(
            {
                "error": f"{rsvp.donor.display_name} {answer}, so has no seat. "
                "Add them as a walk-in if there is room."
            },
            status=409,
        )
    return _check_in(event, rsvp, count=rsvp.party_size, attempt=_attempt(request))


@permission("events.change_rsvp")
@require_POST
def event_walk_in(request, slug):
    event = _organized_event(request, slug)
    form = WalkInForm(request.POST)
    if not form.is_valid():
        errors = [e for errs in form.errors.values() for e in errs]
        return JsonResponse({"error": " ".join(errors)}, status=400)
    try:
        rsvp = services.walk_in_add(event=event, attempt=_attempt(request), **form.cleaned_data)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    rsvp = selectors.attendees(event).filter(pk=rsvp.pk).first() or rsvp
    message = (
        f"Checked in {rsvp.donor.display_name} as a walk-in, party of {rsvp.checked_in_count}."
    )
    return JsonResponse(
        {"rsvp": _rsvp_json(rsvp), "message": message, "counts": selectors.door_counts(event)},
        status=201,
    )


# --- My events, invitations, summary, exports ---------------------------------------------


def _event_links(request, event: Event) -> list[tuple[str, str]]:
    """An event's pages this user may open, as (label, address)."""
    user, slug = request.user, [event.slug]
    links = [
        ("events.change_rsvp", "Door check-in", reverse("event_check_in", args=slug)),
        ("events.view_event", "Summary", reverse("event_summary", args=slug)),
        ("events.add_invitation", "Invitations", reverse("event_invite", args=slug)),
        ("events.view_rsvp", "Guest list (CSV)", reverse("event_attendees_csv", args=slug)),
        ("events.view_rsvp", "Guest list (XLSX)", reverse("event_attendees_xlsx", args=slug)),
        ("events.view_rsvp", "Door list (PDF)", reverse("event_door_list_pdf", args=slug)),
        ("events.change_rsvp", "Seating chart", reverse("event_seating", args=slug)),
        ("events.view_rsvp", "Place cards (PDF)", reverse("event_place_cards_pdf", args=slug)),
        ("events.view_rsvp", "Name badges (PDF)", reverse("event_badges_pdf", args=slug)),
    ]
    shown = [(label, url) for perm, label, url in links if user.has_perm(perm)]
    if event.status != EventStatus.DRAFT:
        shown.append(("Public page", reverse("event_public", args=slug)))
    shown.append(("In the admin", reverse("admin:events_event_change", args=[event.pk])))
    return shown


@permission("events.view_event")
@require_safe
def my_events(request):
    """The events this user runs, upcoming first, each with its counts and its pages."""
    upcoming, past = selectors.my_events(request.user)

    def rows(events):
        return [
            {"event": e, "counts": selectors.event_counts(e), "links": _event_links(request, e)}
            for e in events
        ]

    return render(
        request, "events/my_events.html", {"upcoming": rows(upcoming), "past": rows(past)}
    )


# --- Invitations, summary, exports ---------------------------------------------------------


def _sent_message(result: dict, *, sent: int) -> str:
    queued = result["queued"]
    text = (
        f"{queued} queued — they are sent by the task worker, usually within a minute. "
        f"{sent} sent so far."
        if queued
        else "Nothing new to send."
    )
    if result["already_sent"]:
        text += f" {result['already_sent']} had already been sent."
    return text


@permission("events.add_invitation")
@require_http_methods(["GET", "HEAD", "POST"])
def event_invite(request, slug):
    """Choose donors by tag, state, past attendance or a saved list (people and households,
    organizations when ticked); preview, then send. The page says what was sent, what waits in
    the task queue, and whether a task worker is running to send it."""
    event = _organized_event(request, slug)
    form = InviteForm(
        request.POST or None, event=event, user=request.user, initial=_invite_initial(request)
    )
    recipients = None
    left_out = 0
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        choices = {key: data[key] for key in CHOICE_FIELDS if key in data}
        include = data["include_organizations"]
        recipients = selectors.invitation_recipients(
            event=event, include_organizations=include, **choices
        )
        if request.POST.get("send"):
            result = services.invitations_send(
                event=event, donors=list(recipients), include_organizations=include
            )
            sent = selectors.invitation_status(event)["sent"]
            messages.success(request, _sent_message(result, sent=sent))
            return redirect("event_invite", slug=event.slug)
        if not include:
            left_out = selectors.organizations_left_out(event=event, **choices)
    page = list(recipients[:200]) if recipients is not None else None
    return render(
        request,
        "events/invite.html",
        {
            "event": event,
            "form": form,
            "recipients": page,
            "recipient_count": recipients.count() if recipients is not None else 0,
            "organizations_left_out": left_out,
            "status": selectors.invitation_status(event),
            "worker": worker_status(),
        },
    )


def _invite_initial(request) -> dict:
    """A segment chosen already (``?segment=<id>``, the segment page's link)."""
    segment = request.GET.get("segment", "")
    if segment.isdigit() and request.user.has_perm("donors.view_segment"):
        return {"segments": [int(segment)]}
    return {}


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
