"""The donors' own page (/my/): signing in by an emailed link, the donor's session, and the
changes a donor makes to their own details.

A donor session is a cookie of its own (``DONOR_COOKIE``, sent only to ``/my/``) naming a
``DonorSession`` row by the hash of its token. It is not Django's session and never a User:
the back office (``/admin/``, ``/dashboard/``, the organizers' pages) reads ``request.user``
only, so a donor session opens none of it, and a member of staff signing in or out in the same
browser neither gives nor takes a donor's access.

Asking for a link does the same work whoever the address belongs to: the request only queues
a task with the address, and the task looks it up (``sign_in_links_send``), so neither the
answer nor its timing tells a stranger whether an address is known.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import logging
import re
import secrets

from auditlog.context import set_actor
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_q.tasks import async_task

from common import roles
from common.audit import audit_origin
from common.door import entry, service
from crm.models import DonorSession, DonorSignInLink
from donors import services as donor_services
from donors.models import Donor, DonorAddress, DonorEmail, Organization
from donors.models.asks import TaskKind
from donors.services.mailings import email_resubscribe
from donors.text import one_line

log = logging.getLogger(__name__)

DONOR_COOKIE = "msp_donor"
COOKIE_PATH = "/my/"
# However active, a donor signs in again after this long.
SESSION_MOST_HOURS = 12
# A session's last-seen time is written at most this often (not on every page).
TOUCH_SECONDS = 60
# The origin of the audit entries of a donor's own changes (no staff actor).
SELF_SERVICE = "donor self-service"
# A sign-in email lists at most this many donor records sharing the address.
MOST_DONORS_PER_EMAIL = 5

_TOKEN = re.compile(r"[A-Za-z0-9_-]{30,64}")


class LinkInvalid(Exception):
    """No such link."""


class LinkUsed(Exception):
    """The link was used already (each works once)."""


class LinkExpired(Exception):
    """The link is older than MY_LINK_MINUTES."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


# --- Sign-in links ---------------------------------------------------------------------------


def sign_in_link_request(*, email: str) -> None:
    """Queue the email of a sign-in link to ``email``: the same for every address (the task
    finds out whether it is a donor's). Writes nothing."""
    # Nothing here waits on a transaction: queued at once.
    async_task("crm.donor_access.sign_in_link_task", email.strip().lower(), group="my")


@entry("task crm.donor_access.sign_in_link")
def sign_in_link_task(email: str) -> int:
    return sign_in_links_send(email=email)


def donors_with_email(email: str) -> list[Donor]:
    ids = (
        DonorEmail.objects.filter(email=email.strip().lower())
        .order_by("donor_id")
        .values_list("donor_id", flat=True)
        .distinct()[:MOST_DONORS_PER_EMAIL]
    )
    return list(Donor.objects.filter(pk__in=list(ids)).order_by("pk"))


@service
@transaction.atomic
def sign_in_links_send(*, email: str, now: datetime.datetime | None = None) -> int:
    """Email a sign-in link for each donor record with this address (usually one); nothing
    for an address no donor has. Returns the number of links. The email is sent inside the
    transaction: if sending fails, no link is kept and the task queue tries again."""
    now = _now(now)
    donors = donors_with_email(email)
    if not donors:
        return 0
    minutes = settings.MY_LINK_MINUTES
    links = []
    for donor in donors:
        token = secrets.token_urlsafe(32)
        DonorSignInLink.objects.create(
            donor=donor,
            token_hash=_hash(token),
            created_at=now,
            expires_at=now + datetime.timedelta(minutes=minutes),
        )
        url = f"{settings.SITE_URL}{reverse('my_sign_in_link', args=[token])}"
        links.append({"donor": donor, "url": url})
    organization = Organization.current()
    name = organization.legal_name if organization else "us"
    body = render_to_string(
        "emails/my_sign_in.txt",
        {"organization": organization, "links": links, "minutes": minutes},
    )
    EmailMessage(
        subject=one_line(f"Your sign-in link for {name}"),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email],
    ).send()
    return len(links)


def sign_in_link_find(token: str, *, now: datetime.datetime | None = None) -> DonorSignInLink:
    """The link behind ``token`` if it still works; LinkInvalid, LinkUsed or LinkExpired."""
    if not _TOKEN.fullmatch(token or ""):
        raise LinkInvalid
    link = DonorSignInLink.objects.filter(token_hash=_hash(token)).first()
    if link is None:
        raise LinkInvalid
    if link.used_at is not None:
        raise LinkUsed
    if link.expires_at <= _now(now):
        raise LinkExpired
    return link


@service
@transaction.atomic
def sign_in_link_redeem(
    *, token: str, now: datetime.datetime | None = None
) -> tuple[DonorSession, str]:
    """Use the link (once) and start a donor session; returns it and the cookie's token."""
    now = _now(now)
    link = sign_in_link_find(token, now=now)
    # Only one of two clicks racing on the same link wins it.
    if not DonorSignInLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=now):
        raise LinkUsed
    return donor_session_start(donor=link.donor, now=now)


# --- Donor sessions --------------------------------------------------------------------------


@service
def donor_session_start(
    *, donor: Donor, now: datetime.datetime | None = None
) -> tuple[DonorSession, str]:
    now = _now(now)
    key = secrets.token_urlsafe(32)
    session = DonorSession.objects.create(
        donor=donor, key_hash=_hash(key), created_at=now, last_seen_at=now
    )
    return session, key


def donor_session_find(key: str, *, now: datetime.datetime | None = None) -> DonorSession | None:
    """The live session behind a cookie's token: None when unknown, signed out, idle longer
    than MY_SESSION_IDLE_MINUTES or older than SESSION_MOST_HOURS."""
    if not _TOKEN.fullmatch(key or ""):
        return None
    now = _now(now)
    session = (
        DonorSession.objects.select_related("donor")
        .filter(key_hash=_hash(key), ended_at__isnull=True)
        .first()
    )
    if session is None:
        return None
    idle = datetime.timedelta(minutes=settings.MY_SESSION_IDLE_MINUTES)
    if now - session.last_seen_at > idle:
        return None
    if now - session.created_at > datetime.timedelta(hours=SESSION_MOST_HOURS):
        return None
    return session


@service
def donor_session_touch(*, session: DonorSession, now: datetime.datetime | None = None) -> None:
    now = _now(now)
    if (now - session.last_seen_at).total_seconds() >= TOUCH_SECONDS:
        session.last_seen_at = now
        session.save(update_fields=["last_seen_at"])


@service
def donor_session_end(*, session: DonorSession, now: datetime.datetime | None = None) -> None:
    if session.ended_at is None:
        session.ended_at = _now(now)
        session.save(update_fields=["ended_at"])


# --- The donor's own changes -----------------------------------------------------------------


@dataclasses.dataclass
class OwnDetails:
    """What a donor may change about themselves on /my/."""

    email: str
    phone: str
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str
    email_opt_in: bool
    do_not_solicit: bool
    anonymous: bool


def own_details(donor: Donor) -> OwnDetails:
    email = donor.emails.filter(is_primary=True).first() or donor.emails.order_by("id").first()
    address = (
        donor.addresses.filter(is_primary=True).first() or donor.addresses.order_by("id").first()
    )
    return OwnDetails(
        email=email.email if email else "",
        phone=str(donor.phone or ""),
        line1=address.line1 if address else "",
        line2=address.line2 if address else "",
        city=address.city if address else "",
        region=address.region if address else "",
        postal_code=address.postal_code if address else "",
        country=str(address.country) if address else "US",
        email_opt_in=donor.email_opt_in,
        do_not_solicit=donor.do_not_solicit,
        anonymous=donor.anonymous,
    )


_ADDRESS_FIELDS = ("line1", "line2", "city", "region", "postal_code", "country")


@service
@transaction.atomic
def donor_own_details_save(*, donor: Donor, details: OwnDetails) -> list[str]:
    """Save what the donor changed, through the back office's own services, audited as the
    donor's own change (origin SELF_SERVICE, no staff actor, whoever else is signed in in the
    same browser). Staff are told of a new address by a task. Returns what changed, in words;
    a ValidationError names the field at fault."""
    before = own_details(donor)
    changed: list[str] = []
    # Not the staff member who may be signed in in the same browser: the donor did it.
    with set_actor(None), audit_origin(SELF_SERVICE):
        donor = Donor.objects.select_for_update().get(pk=donor.pk)
        prefs = ("phone", "email_opt_in", "do_not_solicit", "anonymous")
        if any(getattr(before, f) != getattr(details, f) for f in prefs):
            donor.phone = details.phone.strip()
            donor.email_opt_in = details.email_opt_in
            donor.do_not_solicit = details.do_not_solicit
            donor.anonymous = details.anonymous
            donor_services.donor_save(donor=donor)
            changed.append("preferences")
            if details.email_opt_in and not before.email_opt_in:
                # Asked for by the donor: an earlier unsubscribe no longer holds.
                email_resubscribe(donor=donor)
        new_email = details.email.strip().lower()
        if new_email and new_email != before.email:
            _email_change(donor, new_email)
            changed.append("email")
        if any(getattr(before, f) != getattr(details, f) for f in _ADDRESS_FIELDS):
            address = _address_change(donor, details)
            _staff_told_of_address(donor, old=before, new=address)
            changed.append("address")
    return changed


def _email_change(donor: Donor, email: str) -> None:
    primary = donor.emails.filter(is_primary=True).first()
    existing = donor.emails.filter(email=email).first()
    if existing is not None:
        existing.is_primary = True
        contacts = [existing]
        if primary is not None and primary.pk != existing.pk:
            primary.is_primary = False
            contacts.append(primary)
        donor_services.donor_contacts_save(donor=donor, contacts=contacts)
    elif primary is not None:
        primary.email = email
        donor_services.donor_contacts_save(donor=donor, contacts=[primary])
    else:
        donor_services.donor_email_add(donor=donor, email=email, primary=True)


def _address_change(donor: Donor, details: OwnDetails) -> DonorAddress:
    values = {f: getattr(details, f).strip() for f in _ADDRESS_FIELDS}
    values["country"] = values["country"].upper() or "US"
    address = donor.addresses.filter(is_primary=True).first()
    if address is None:
        return donor_services.donor_address_add(donor=donor, primary=True, **values)
    for field, value in values.items():
        setattr(address, field, value)
    donor_services.donor_contacts_save(donor=donor, contacts=[address])
    return address


def _staff_owner() -> User | None:
    """Who is told of a donor's change: the longest-standing active Staff member, else an
    Administrator, else a superuser."""
    for q in (
        Q(groups__name=roles.STAFF),
        Q(groups__name=roles.ADMINISTRATOR),
        Q(is_superuser=True),
    ):
        user = User.objects.filter(q, is_active=True).order_by("pk").first()
        if user is not None:
            return user
    return None


def _address_text(values) -> str:
    parts = [values.line1, values.line2, values.city, f"{values.region} {values.postal_code}"]
    parts = [p.strip() for p in parts if p and p.strip()]
    if str(values.country) != "US":
        parts.append(str(values.country))
    return ", ".join(parts)


def _staff_told_of_address(donor: Donor, *, old: OwnDetails, new: DonorAddress) -> None:
    """A task on the donor for staff (their "My tasks" page and Donors → Tasks): the new
    address and the old, due today. With nobody to own it, the organization's email hears."""
    was = _address_text(old) or "none"
    what = f"Check new address (changed by the donor): {_address_text(new)}; was {was}"
    owner = _staff_owner()
    if owner is not None:
        donor_services.task_create(
            donor=donor,
            owner=owner,
            kind=TaskKind.OTHER,
            due_date=timezone.localdate(),
            what=what[:200],
        )
        return
    organization = Organization.current()
    if organization and organization.email:
        EmailMessage(
            subject=one_line(f"{donor} changed their address"),
            body=what,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[organization.email],
        ).send()
    else:
        log.warning("donor %s changed their address and no staff user was found", donor.pk)


def validation_messages(error: ValidationError) -> dict[str, list[str]]:
    """A ValidationError's messages by field ("" for the form as a whole)."""
    if hasattr(error, "error_dict"):
        return {k if k != "__all__" else "": v for k, v in error.message_dict.items()}
    return {"": error.messages}


# --- Forgetting ------------------------------------------------------------------------------

# Used or expired links, and ended or idle sessions, are kept this long (to answer "this link
# was used already" for a while), then deleted.
KEEP_OLD = datetime.timedelta(days=1)


@entry("task crm.donor_access.forget_old")
def forget_old_task() -> int:
    return donor_access_forget_old()


@service
@transaction.atomic
def donor_access_forget_old(*, now: datetime.datetime | None = None) -> int:
    """Delete links expired, and sessions ended or idle, more than a day ago (hourly)."""
    cutoff = _now(now) - KEEP_OLD
    links, _ = DonorSignInLink.objects.filter(expires_at__lt=cutoff).delete()
    idle = cutoff - datetime.timedelta(minutes=settings.MY_SESSION_IDLE_MINUTES)
    sessions, _ = DonorSession.objects.filter(
        Q(ended_at__lt=cutoff) | Q(last_seen_at__lt=idle)
    ).delete()
    return links + sessions
