"""Users of the back office: invitations, roles, deactivation, the second factor and lockouts.

Every change leaves an audit record naming who made it (django-auditlog: User is registered in
crm.audit, with its groups, so a role change is a recorded change of groups).
"""

from __future__ import annotations

import logging
import re
import time
from binascii import unhexlify

from auditlog.context import set_actor
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from django_q.models import Failure
from django_q.tasks import async_task

from common import roles
from common.door import service

log = logging.getLogger(__name__)

BACKUP_CODE_COUNT = 10


class InviteTokenGenerator(PasswordResetTokenGenerator):
    """The invitation link's token: it stops working once a password is set (the token signs
    the password hash) and after PASSWORD_RESET_TIMEOUT, like a password-reset link, but one
    kind of link cannot stand in for the other."""

    key_salt = "crm.services.InviteTokenGenerator"


invite_tokens = InviteTokenGenerator()


def _note(user: User, what: str, *, by: User | None) -> None:
    LogEntry.objects.log_create(
        user,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        changes={"sign-in": ["", what]},
        actor=by,
    )


def _group(role: str) -> Group:
    if role not in roles.ROLES:
        raise ValidationError(f"{role!r} is not a role.")
    return Group.objects.get(name=role)


def user_role(user: User) -> str:
    """The user's role, by the table's order when (by hand) they have several; "" for none."""
    names = set(user.groups.values_list("name", flat=True))
    return next((role for role in roles.ROLES if role in names), "")


def invite_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("invite_accept", args=[uid, invite_tokens.make_token(user)])
    return f"{settings.SITE_URL}{path}"


@service
@transaction.atomic
def user_invite(
    *, email: str, role: str, by: User, first_name: str = "", last_name: str = ""
) -> User:
    """Create a back-office user in ``role`` with no password yet, and email them a link to set
    one (then enrol their second factor). The email address is their login."""
    email = email.strip().lower()
    validate_email(email)
    group = _group(role)
    if (
        User.objects.filter(username__iexact=email).exists()
        or User.objects.filter(email__iexact=email).exists()
    ):
        raise ValidationError(f"Someone already signs in with {email}.")
    with set_actor(by):
        user = User(
            username=email,
            email=email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            is_staff=True,
        )
        user.set_unusable_password()
        user.full_clean()
        user.save()
        user.groups.add(group)
    _note(user, f"invited as {role}", by=by)
    _invitation_send(user, role=role, by=by)
    return user


def _invitation_send(user: User, *, role: str, by: User) -> None:
    body = render_to_string(
        "emails/user_invitation.txt",
        {
            "user": user,
            "role": role,
            "by": by,
            "link": invite_link(user),
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
            "two_factor": settings.TWO_FACTOR_REQUIRED,
        },
    )
    # Sent inside the caller's transaction: when the mail server refuses it, nothing stays.
    send_mail("You are invited to the back office", body, None, [user.email])


@service
@transaction.atomic
def user_invite_again(*, user: User, by: User) -> None:
    """A new invitation link for someone who has not set a password yet (theirs expired or was
    lost). Refused once they have one: they reset it instead."""
    if user.has_usable_password():
        raise ValidationError(f"{user.username} has set a password already: no invitation sent.")
    if not user.is_active:
        raise ValidationError(f"{user.username} is deactivated: no invitation sent.")
    _note(user, "invited again", by=by)
    _invitation_send(user, role=user_role(user) or "no role yet", by=by)


@service
@transaction.atomic
def user_password_save(*, user: User) -> User:
    """Store the password one of Django's password forms has just set on ``user`` (a reset or
    invitation link, the signed-in user's own change, an Administrator's change on the user's
    page: crm.account_views.PasswordSavedByService). The audit log records it as changed,
    never its hash."""
    user.save(update_fields=["password"])
    return user


@service
@transaction.atomic
def user_role_set(*, user: User, role: str, by: User) -> None:
    """Give the user exactly this role (their only group)."""
    group = _group(role)
    with set_actor(by):
        user.groups.set([group])


@service
@transaction.atomic
def user_details_save(*, user: User, by: User) -> User:
    """Save the changes made to a user's login, name and email address (their role, access
    and second factor change only through the functions here that say so)."""
    with set_actor(by):
        user.full_clean()
        user.save(update_fields=["username", "first_name", "last_name", "email"])
    return user


@service
@transaction.atomic
def user_deactivate(*, user: User, by: User) -> None:
    """The user can no longer sign in; their open sessions stop working at their next request
    (Django refuses the sessions of inactive users). Their records and audit history stay."""
    if user.pk == by.pk:
        raise ValidationError("You cannot deactivate yourself.")
    with set_actor(by):
        user.is_active = False
        user.save(update_fields=["is_active"])


@service
@transaction.atomic
def signin_unlock(*, user: User, by: User) -> int:
    """Lift a sign-in lockout: the failed attempts of this login, and of the addresses it was
    tried from. Returns how many records of failed attempts were cleared."""
    addresses = set(
        AccessAttempt.objects.filter(username=user.username).values_list("ip_address", flat=True)
    )
    cleared = axes_reset(username=user.username)
    for address in addresses:
        if address:
            cleared += axes_reset(ip=address)
    _note(user, "sign-in unlocked", by=by)
    return cleared


@service
def signin_lockout_record(*, username: str, ip_address: str | None) -> None:
    """The audit record of a lockout (called by django-axes when it locks someone out)."""
    user = User.objects.filter(username=username).first()
    # The log names the user by id: logins are email addresses, which logs never carry.
    who = f"user #{user.pk}" if user is not None else "an unknown login"
    log.warning("Sign-in locked out for %s from %s", who, ip_address or "an unknown address")
    if user is not None:
        _note(user, f"locked out after repeated failed sign-ins (from {ip_address})", by=None)


def two_factor_secret_new() -> str:
    """A new authenticator secret (hex), shown once at enrolment."""
    return random_hex(20)


@service
@transaction.atomic
def two_factor_enrol(*, user: User, key: str, code: str) -> tuple[TOTPDevice, list[str]] | None:
    """Confirm the authenticator app set up with ``key`` by a code it shows, replacing any
    earlier one, and issue a fresh set of backup codes. None when the code is wrong."""
    totp = TOTP(unhexlify(key.encode()))
    totp.time = time.time()
    code = code.strip().replace(" ", "")
    if not re.fullmatch(r"[0-9]{6}", code) or not totp.verify(int(code), tolerance=1):
        return None
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(
        user=user,
        name="Authenticator app",
        key=key,
        confirmed=True,
        # The code just used cannot sign in again.
        last_t=totp.t(),
        drift=totp.drift,
    )
    codes = _backup_codes_issue(user)
    _note(user, "enrolled an authenticator app", by=user)
    return device, codes


def _backup_codes_issue(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@service
@transaction.atomic
def backup_codes_renew(*, user: User) -> list[str]:
    """A fresh set of backup codes; the old ones stop working."""
    codes = _backup_codes_issue(user)
    _note(user, "issued new backup codes", by=user)
    return codes


@service
@transaction.atomic
def two_factor_reset(*, user: User, by: User) -> None:
    """Remove the user's authenticator app and backup codes (a lost phone): they enrol again at
    their next sign-in."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _note(user, "two-factor authentication reset", by=by)


# Role groups and the task queue's records, as Administrators change them in the back office.


@service
@transaction.atomic
def group_save(*, group: Group, by: User) -> Group:
    """Save a group's name."""
    with set_actor(by):
        group.full_clean()
        group.save()
    return group


@service
@transaction.atomic
def group_permissions_set(*, group: Group, permissions, by: User) -> None:
    """Give a group exactly these permissions (roles_sync sets the roles' own permissions back
    from common.roles when it next runs)."""
    with set_actor(by):
        group.permissions.set(permissions)


@service
@transaction.atomic
def groups_delete(*, group_ids, by: User) -> int:
    with set_actor(by):
        deleted = 0
        for group in Group.objects.filter(pk__in=list(group_ids)):
            group.delete()
            deleted += 1
    return deleted


def _task_queue_model(model) -> None:
    if model._meta.app_label != "django_q":
        raise ValueError(f"{model._meta.label} is not a record of the task queue")


@service
@transaction.atomic
def task_queue_record_save(*, record):
    """Save a schedule (or a queued task's key and lock) of django-q2."""
    _task_queue_model(type(record))
    record.full_clean()
    record.save(using=settings.Q_CLUSTER.get("orm", "default"))
    return record


@service
@transaction.atomic
def task_queue_records_delete(*, model, ids) -> int:
    """Delete schedules, queued tasks, or the results of finished and failed tasks."""
    _task_queue_model(model)
    records = model.objects.using(settings.Q_CLUSTER.get("orm", "default"))
    deleted = 0
    for record in records.filter(pk__in=list(ids)):
        record.delete()
        deleted += 1
    return deleted


@service
def tasks_resubmit(*, model, ids) -> int:
    """Queue finished or failed tasks again, as they were first queued; a failed task's record
    goes (its new run records its own result)."""
    _task_queue_model(model)
    count = 0
    for task in model.objects.filter(pk__in=list(ids)):
        async_task(
            task.func,
            *task.args or (),
            hook=task.hook,
            group=task.group,
            cluster=task.cluster,
            **task.kwargs or {},
        )
        if isinstance(task, Failure):
            task.delete()
        count += 1
    return count
