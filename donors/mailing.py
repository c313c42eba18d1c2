"""Appeal emails and newsletters: who a mailing reaches (and who it leaves out, and why), the
suppression rule, and each recipient's message with its merge fields, the NY disclosure and the
one-click unsubscribe headers (RFC 8058). Reads only: the writes are
``donors.services.mailings``.

The suppression rule, for every email the product sends (``donors.mail_backend``):
- an address that bounced, complained (marked the mail as spam) or that staff suppressed gets
  no email at all, receipts included (a receipt that could not be emailed says so to staff);
- an unsubscribed address, whose donor's email consent the unsubscribe also turned off, gets
  no bulk mail (appeals, newsletters, event invitations: the messages marked ``bulk``) but
  still gets the transactional email a donor needs for taxes (receipts, statements).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import OuterRef, Subquery
from django.urls import reverse

from donors.merge import merge_fields_for, merge_render
from donors.models import Donor, DonorEmail, EmailSuppression, Mailing, Organization
from donors.segments import segment_donors
from donors.text import one_line

# Why a donor of the segment gets no message (MailingRecipient.reason).
NO_EMAIL = "no email address"
NOT_OPTED_IN = "not opted in to email"
DO_NOT_SOLICIT = "do not solicit"
SUPPRESSED = "address suppressed"
# Two donors of the segment with one address (a couple's shared inbox) get one message.
SHARED = "address shared with another donor of the mailing"
REASONS = (NO_EMAIL, NOT_OPTED_IN, DO_NOT_SOLICIT, SUPPRESSED, SHARED)


def address_of(value: str) -> str:
    """The bare address of ``"Name <a@b.org>"`` or ``a@b.org``, lower-cased."""
    return parseaddr(value or "")[1].strip().lower()


def suppressions_for(addresses) -> dict[str, str]:
    """The suppression reason of each of ``addresses`` that has one."""
    wanted = {address_of(a) for a in addresses if a}
    wanted.discard("")
    if not wanted:
        return {}
    return dict(
        EmailSuppression.objects.filter(address__in=wanted).values_list("address", "reason")
    )


def blocks(reason: str | None, *, bulk: bool) -> bool:
    """Whether a suppression with ``reason`` stops an email (bulk or transactional)."""
    if not reason:
        return False
    return bulk or reason in EmailSuppression.HARD


def suppression_note(address: str, *, bulk: bool = False) -> str:
    """Why the product will not email ``address`` ('' when it will)."""
    reason = suppressions_for([address]).get(address_of(address))
    if not blocks(reason, bulk=bulk):
        return ""
    return f"the address is suppressed ({EmailSuppression.Reason(reason).label.lower()})"


def primary_email_subquery():
    return Subquery(
        DonorEmail.objects.filter(donor=OuterRef("pk"))
        .order_by("-is_primary", "id")
        .values("email")[:1]
    )


@dataclass(frozen=True)
class Audience:
    """Each donor of the segment: (donor id, address, reason left out or '')."""

    rows: list[tuple[int, str, str]]

    @property
    def sending(self) -> int:
        return sum(1 for _, _, reason in self.rows if not reason)

    @property
    def left_out(self) -> dict[str, int]:
        counts = {reason: 0 for reason in REASONS}
        for _, _, reason in self.rows:
            if reason:
                counts[reason] += 1
        return {reason: n for reason, n in counts.items() if n}


def audience(mailing: Mailing) -> Audience:
    """Who the mailing reaches now: each donor of its segment, and why one is left out."""
    donors = (
        segment_donors(mailing.segment.definition)
        .annotate(address=primary_email_subquery())
        .values_list("pk", "address", "email_opt_in", "do_not_solicit")
        .order_by("pk")
    )
    donors = list(donors)
    suppressed = suppressions_for(address for _, address, _, _ in donors)
    appeal = mailing.kind == Mailing.Kind.APPEAL
    rows = []
    seen: set[str] = set()
    for pk, address, opted_in, do_not_solicit in donors:
        address = (address or "").strip()
        if not address:
            reason = NO_EMAIL
        elif not opted_in:
            reason = NOT_OPTED_IN
        elif appeal and do_not_solicit:
            reason = DO_NOT_SOLICIT
        elif blocks(suppressed.get(address.lower()), bulk=True):
            reason = SUPPRESSED
        elif address.lower() in seen:
            reason = SHARED
        else:
            reason = ""
            seen.add(address.lower())
        rows.append((pk, address, reason))
    return Audience(rows=rows)


def unsubscribe_url(token: str) -> str:
    return settings.SITE_URL + reverse("email_unsubscribe", args=[token])


def fields_for(mailing: Mailing, donors) -> dict[int, dict[str, str]]:
    return merge_fields_for(donors, appeal=mailing.appeal)


def message_for(
    mailing: Mailing, *, to: str, fields: dict[str, str], token: str | None
) -> EmailMessage:
    """One recipient's message: the words with their merge fields, the NY disclosure, and
    (given the recipient's token) the unsubscribe link and RFC 8058 headers."""
    subject = one_line(merge_render(mailing.subject, fields))
    body = merge_render(mailing.body, fields).rstrip() + "\n"
    org = Organization.current()
    disclosure = (org.ny_disclosure if org else "").strip()
    footer = []
    if disclosure and disclosure not in body:
        footer.append(disclosure)
    headers = {"Message-ID": make_msgid(domain=_domain())}
    if token:
        url = unsubscribe_url(token)
        footer.append(f"To stop receiving these emails: {url}")
        headers["List-Unsubscribe"] = f"<{url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if footer:
        body += "\n--\n" + "\n\n".join(footer) + "\n"
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
    )
    message.bulk = True  # donors.mail_backend: an unsubscribed address gets none
    return message


def _domain() -> str:
    address = address_of(settings.DEFAULT_FROM_EMAIL)
    return address.rpartition("@")[2] or "localhost"


def sample_donor(mailing: Mailing, donor_id: int | None = None) -> Donor | None:
    """A real donor of the segment for the preview: the one asked for, else the first with an
    address."""
    donors = segment_donors(mailing.segment.definition).annotate(address=primary_email_subquery())
    if donor_id:
        return donors.filter(pk=donor_id).first()
    return donors.exclude(address=None).order_by("pk").first() or donors.order_by("pk").first()
