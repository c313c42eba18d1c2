"""The emails events send, and the calendar file that goes with them. Mail goes out through
Django's configured backend (EMAIL_URL), the one gateway to SMTP."""

from __future__ import annotations

from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string

from common.qr import qr_png
from donors.deductible import gift_figures
from donors.models import Donor, Organization
from donors.money import usd
from donors.text import one_line
from events.calendar import calendar_attach
from events.models import TicketPurchase


def donor_email(donor: Donor) -> str:
    """The donor's primary address ('' when they have none)."""
    emails = sorted(donor.emails.all(), key=lambda e: (not e.is_primary, e.id))
    return emails[0].email if emails else ""


def _context(**extra) -> dict:
    return {"organization": Organization.current(), **extra}


def _message(template: str, *, to: str, subject: str, context: dict) -> EmailMessage:
    body = render_to_string(f"emails/{template}.txt", _context(**context))
    # Subjects name the event as stored: a line break in its name must not stop the email.
    return EmailMessage(
        subject=one_line(subject), body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    )


def invitation_message(invitation, *, to: str, rsvp_url: str) -> EmailMessage:
    event = invitation.event
    message = _message(
        "event_invitation",
        to=to,
        subject=f"You are invited: {event.name}",
        context={"event": event, "donor": invitation.donor, "rsvp_url": rsvp_url},
    )
    calendar_attach(message, event)
    # Bulk mail: an unsubscribed address gets none (donors.mail_backend).
    message.bulk = True
    return message


def ticket_lines(event, donor) -> list[dict]:
    """The donor's tickets to the event, each with what it cost, the value received and the
    deductible part, as the receipt states them (the whole price when the buyer declined the
    benefit; a low-cost benefit disregarded; net of refunds)."""
    lines = []
    purchases = TicketPurchase.objects.filter(event=event, gift__donor=donor).select_related(
        "gift", "ticket_type"
    )
    for purchase in purchases.order_by("created_at", "id"):
        gift = purchase.gift
        figures = gift_figures(gift)
        lines.append(
            {
                "quantity": purchase.quantity,
                "name": purchase.ticket_type.name,
                "paid": usd(gift.amount),
                "benefit": usd(figures.benefit_value),
                "declined": gift.benefit_declined,
                "deductible": usd(figures.deductible_amount),
            }
        )
    return lines


# The Content-ID of the QR code image in the confirmation's HTML part.
DOOR_QR_CID = "door-code"


def _with_door_code(message: EmailMessage, rsvp, context: dict) -> EmailMultiAlternatives:
    """The email (a confirmation or a reminder) with an HTML part showing the guest's door code
    as a QR code (an inline image, by Content-ID), the plain text unchanged for mail programs
    that read only text."""
    html = render_to_string(
        "emails/rsvp_confirmation.html",
        _context(**context, text=message.body, subject=message.subject, qr_cid=DOOR_QR_CID),
    )
    rich = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=message.from_email,
        to=message.to,
        alternatives=[(html, "text/html")],
    )
    # multipart/related: the image belongs to the HTML part that shows it.
    rich.mixed_subtype = "related"
    image = MIMEImage(qr_png(rsvp.checkin_token), "png")
    image.add_header("Content-ID", f"<{DOOR_QR_CID}>")
    image.add_header("Content-Disposition", "inline", filename="door-code.png")
    rich.attach(image)
    return rich


def rsvp_confirmation_message(rsvp, *, to: str, rsvp_url: str) -> EmailMessage:
    """The answer recorded; a confirmed guest's email carries their door code, as text and as a
    QR code the door scans (events/views.py, event_check_in_scan)."""
    event = rsvp.event
    if rsvp.answer == "yes" and rsvp.waitlist_position is not None:
        subject = f"You are on the waitlist: {event.name}"
    elif rsvp.answer == "yes":
        subject = f"See you there: {event.name}"
    else:
        subject = f"Your answer is recorded: {event.name}"
    context = {
        "event": event,
        "rsvp": rsvp,
        "donor": rsvp.donor,
        "rsvp_url": rsvp_url,
        "promoted": rsvp.promoted_at is not None,
        "tickets": ticket_lines(event, rsvp.donor),
        "door_code": rsvp.checkin_token if rsvp.confirmed else "",
    }
    message = _message("rsvp_confirmation", to=to, subject=subject, context=context)
    if rsvp.confirmed:
        message = _with_door_code(message, rsvp, context)
        calendar_attach(message, event)
    return message


def reminder_message(rsvp, *, to: str, days: int) -> EmailMessage:
    """A week and a day ahead, to confirmed guests: the reminder carries their door code again
    (the confirmation may be weeks old and lost), as text and as the QR code the door scans."""
    event = rsvp.event
    when = "tomorrow" if days == 1 else f"in {days} days"
    context = {
        "event": event,
        "rsvp": rsvp,
        "donor": rsvp.donor,
        "when": when,
        "door_code": rsvp.checkin_token if rsvp.confirmed else "",
    }
    message = _message(
        "event_reminder", to=to, subject=f"Reminder: {event.name} is {when}", context=context
    )
    return _with_door_code(message, rsvp, context) if context["door_code"] else message


def rsvp_request_message(
    event, answer, *, to: str, confirm_url: str, days: int, current=None, rsvp_url: str = ""
) -> EmailMessage:
    """The link that confirms an answer typed on the public page (``answer``, a PublicAnswer),
    valid for ``days``; ``current``: the answer this address has already given, if any. None
    of the text typed (names, guests, dietary needs) is in the email: anyone can type any
    address, and the form must not carry their words to it. The link's page shows them."""
    return _message(
        "rsvp_request",
        to=to,
        subject=f"Confirm your answer: {event.name}",
        context={
            "event": event,
            "answer": answer,
            "confirm_url": confirm_url,
            "days": days,
            "current": current,
            "rsvp_url": rsvp_url,
        },
    )


def cancellation_message(event, *, donor, to: str, bought_tickets: bool) -> EmailMessage:
    message = _message(
        "event_cancelled",
        to=to,
        subject=f"Cancelled: {event.name}",
        context={"event": event, "donor": donor, "bought_tickets": bought_tickets},
    )
    # The cancelling update: a calendar that holds the event (from the invitation or the
    # confirmation) marks it cancelled.
    calendar_attach(message, event, attendee=to)
    return message
