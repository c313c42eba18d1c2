"""Mailings' writes: composing, queueing and sending appeal emails and newsletters, one-click
unsubscribes, and the suppressions that bounces, complaints and staff add (donors.mailing has
the rule and the messages)."""

from __future__ import annotations

import datetime
import logging
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_q.tasks import async_task

from common.audit import audit_origin
from common.door import service
from donors import mailing as mail
from donors.merge import merge_check
from donors.models import Donor, EmailSuppression, Mailing, MailingRecipient
from donors.models.mailing import new_token
from donors.services.appeals import appeal_recipients_record
from donors.services.donors import donor_save
from donors.text import one_line

log = logging.getLogger("donors.mail")
Status = MailingRecipient.Status


@service
@transaction.atomic
def mailing_save(*, mailing: Mailing, by=None) -> Mailing:
    """Save a draft mailing whose fields a form set; its words are checked for merge fields."""
    if mailing.pk:
        before = Mailing.objects.select_for_update().get(pk=mailing.pk)
        if before.status != Mailing.Status.DRAFT:
            raise ValidationError("This mailing has been sent: it can no longer be changed.")
        mailing.status = Mailing.Status.DRAFT
    elif by is not None and mailing.created_by_id is None:
        mailing.created_by = by
    if mailing.kind == Mailing.Kind.APPEAL and mailing.appeal_id is None:
        raise ValidationError({"appeal": "An appeal email needs its appeal."})
    if mailing.kind == Mailing.Kind.NEWSLETTER:
        mailing.appeal = None
    errors = {}
    for field in ("subject", "body"):
        try:
            merge_check(getattr(mailing, field))
        except ValidationError as error:
            errors[field] = error.messages
    if errors:
        raise ValidationError(errors)
    mailing.full_clean()
    mailing.save()
    return mailing


@service
@transaction.atomic
def mailing_queue(*, mailing: Mailing, by=None) -> Mailing:
    """Freeze who a draft mailing reaches (a row per donor of its segment: to send, or left out
    with the reason) and queue the task that sends it in batches."""
    mailing = Mailing.objects.select_for_update().get(pk=mailing.pk)
    if mailing.status != Mailing.Status.DRAFT:
        raise ValidationError("This mailing has already been sent or queued.")
    for field in ("subject", "body"):
        merge_check(getattr(mailing, field))
    audience = mail.audience(mailing)
    if not audience.sending:
        raise ValidationError("Nobody in this segment can be sent this email.")
    rows = [
        MailingRecipient(
            mailing=mailing,
            donor_id=donor_id,
            address=address[:254],
            status=Status.SKIPPED if reason else Status.QUEUED,
            reason=reason,
            token=new_token(),
        )
        for donor_id, address, reason in audience.rows
    ]
    MailingRecipient.objects.bulk_create(rows, batch_size=2000)
    mailing.status = Mailing.Status.QUEUED
    mailing.queued_at = timezone.now()
    mailing.skipped_count = len(audience.rows) - audience.sending
    mailing.save()
    transaction.on_commit(
        lambda: async_task(
            "donors.tasks.mailing_send_task", mailing.pk, task_name=f"mailing-send-{mailing.pk}"
        )
    )
    return mailing


def _claim_batch(mailing_id: int, size: int) -> list[int]:
    with transaction.atomic():
        ids = list(
            MailingRecipient.objects.select_for_update()
            .filter(mailing_id=mailing_id, status=Status.QUEUED)
            .order_by("id")
            .values_list("id", flat=True)[:size]
        )
        MailingRecipient.objects.filter(pk__in=ids).update(status=Status.SENDING)
    return ids


# One task sends for at most this long, then queues the next to go on: well inside django-q2's
# timeout (Q_CLUSTER["timeout"], 300 s), which would kill a long mailing's task mid-batch.
TASK_SECONDS = 120


@service
def mailing_send(
    *, mailing_id: int, batch_size: int | None = None, seconds: float = TASK_SECONDS
) -> dict:
    """Send a queued mailing, a batch at a time over one connection each, for ``seconds``, then
    queue the task again for the rest. Each recipient is sent at most once: a batch is claimed
    (status "sending") before it is sent, so a task retried after it was stopped half-way does
    not send that batch again; its rows are marked failed."""
    size = batch_size or settings.MAILING_BATCH_SIZE
    started = time.monotonic()
    with transaction.atomic():
        mailing = Mailing.objects.select_for_update().get(pk=mailing_id)
        if mailing.status not in (Mailing.Status.QUEUED, Mailing.Status.SENDING):
            return {"mailing": mailing_id, "status": mailing.status}
        # Only one task sends a mailing at a time (each queues the next as it ends): rows
        # still claimed now were claimed by a task that was stopped.
        interrupted = MailingRecipient.objects.filter(mailing=mailing, status=Status.SENDING)
        stale = interrupted.update(
            status=Status.FAILED, reason="interrupted while sending: not sent again"
        )
        mailing.status = Mailing.Status.SENDING
        mailing.failed_count = F("failed_count") + stale
        mailing.save(update_fields=["status", "failed_count", "updated_at"])
    sent = failed = skipped = 0
    while True:
        connection = get_connection(fail_silently=False)
        connection.open()  # a server that does not answer fails the task before any claim
        try:
            ids = _claim_batch(mailing_id, size)
            if not ids:
                break
            outcome = _send_batch(mailing, ids, connection)
        finally:
            connection.close()
        sent += outcome[Status.SENT]
        failed += outcome[Status.FAILED]
        skipped += outcome[Status.SKIPPED]
        if time.monotonic() - started >= seconds:  # at least one batch a task
            async_task(
                "donors.tasks.mailing_send_task", mailing_id, task_name=f"mailing-send-{mailing_id}"
            )
            return {"mailing": mailing_id, "sent": sent, "failed": failed, "continued": True}
    with transaction.atomic():
        Mailing.objects.filter(pk=mailing_id).update(
            status=Mailing.Status.SENT, finished_at=timezone.now(), updated_at=timezone.now()
        )
    return {"mailing": mailing_id, "sent": sent, "failed": failed, "skipped": skipped}


def _send_batch(mailing: Mailing, ids: list[int], connection) -> dict[str, int]:
    rows = list(MailingRecipient.objects.filter(pk__in=ids).select_related("donor"))
    fields = mail.fields_for(mailing, [row.donor for row in rows])
    now = timezone.now()
    outcome = {Status.SENT: 0, Status.FAILED: 0, Status.SKIPPED: 0}
    for row in rows:
        message = mail.message_for(
            mailing, to=row.address, fields=fields[row.donor_id], token=row.token
        )
        message.metadata = {"mailing_recipient": str(row.pk)}  # anymail carries it to events
        try:
            delivered = connection.send_messages([message])
        except Exception as error:  # noqa: BLE001 - one address's failure is that row's
            row.status, row.reason = Status.FAILED, one_line(str(error))[:200]
        else:
            if getattr(message, "suppressed", None) and not delivered:
                row.status, row.reason = Status.SKIPPED, mail.SUPPRESSED
            else:
                row.status, row.sent_at = Status.SENT, now
                status = getattr(message, "anymail_status", None)
                row.provider_message_id = (
                    getattr(status, "message_id", None) or message.extra_headers["Message-ID"]
                )[:255]
        outcome[row.status] += 1
    MailingRecipient.objects.bulk_update(
        rows, ["status", "reason", "sent_at", "provider_message_id"]
    )
    with transaction.atomic():
        Mailing.objects.filter(pk=mailing.pk).update(
            sent_count=F("sent_count") + outcome[Status.SENT],
            failed_count=F("failed_count") + outcome[Status.FAILED],
            skipped_count=F("skipped_count") + outcome[Status.SKIPPED],
        )
        if mailing.appeal_id:
            appeal_recipients_record(
                appeal=mailing.appeal,
                donor_ids=[row.donor_id for row in rows if row.status == Status.SENT],
                via="email",
                now=now,
            )
    return outcome


@service
def mailing_test_send(*, mailing: Mailing, user, donor: Donor | None = None) -> str:
    """Send the mailing, as ``donor`` (a real donor of the segment) would get it, to the staff
    member's own address. Returns what happened, in words."""
    if not (user.email or "").strip():
        raise ValidationError("Your account has no email address to send a test to.")
    donor = donor or mail.sample_donor(mailing)
    if donor is None:
        raise ValidationError("This segment has no donors to show the email for.")
    for field in ("subject", "body"):
        merge_check(getattr(mailing, field))
    fields = mail.fields_for(mailing, [donor])[donor.pk]
    message = mail.message_for(mailing, to=user.email, fields=fields, token="test-" + new_token())
    message.subject = f"[Test] {message.subject}"
    sent = message.send(fail_silently=False)
    if not sent:
        return f"Not sent: {mail.suppression_note(user.email, bulk=True) or 'refused'}."
    return f"Test sent to {user.email}, as {donor.display_name} would get it."


@service
@transaction.atomic
def email_unsubscribe(*, token: str) -> MailingRecipient | None:
    """One-click unsubscribe: the donor's email consent off (audited, origin "unsubscribe
    link", no actor) and the address suppressed for bulk mail. Repeating it changes nothing.
    None for a token that is not one of ours."""
    row = (
        MailingRecipient.objects.select_for_update()
        .select_related("donor", "mailing")
        .filter(token=token)
        .first()
    )
    if row is None:
        return None
    with audit_origin("unsubscribe link"):
        donor = Donor.objects.select_for_update().get(pk=row.donor_id)
        if donor.email_opt_in:
            donor.email_opt_in = False
            donor_save(donor=donor)
        if row.address:
            _suppress(
                row.address,
                EmailSuppression.Reason.UNSUBSCRIBED,
                source="unsubscribe link",
                detail=f"Mailing {row.mailing_id}: {row.mailing.subject}",
            )
    return row


@service
@transaction.atomic
def email_resubscribe(*, donor: Donor) -> int:
    """The donor asked for email again themselves (their own page): the unsubscribes of their
    addresses are lifted (a bounce, complaint or staff suppression stays). Returns how many."""
    addresses = [e.lower() for e in donor.emails.values_list("email", flat=True)]
    count = 0
    for suppression in EmailSuppression.objects.select_for_update().filter(
        address__in=addresses, reason=EmailSuppression.Reason.UNSUBSCRIBED
    ):
        suppression.delete()
        count += 1
    return count


def _suppress(address: str, reason: str, *, source: str, detail: str = "", when=None):
    """Write or upgrade the address's suppression: a hard reason replaces an unsubscribe,
    never the other way round."""
    address = mail.address_of(address)
    if not address:
        return None
    existing = EmailSuppression.objects.select_for_update().filter(address=address).first()
    if existing is not None:
        if existing.reason in EmailSuppression.HARD or reason not in EmailSuppression.HARD:
            return existing
        existing.reason, existing.source, existing.detail = reason, source[:100], detail
        existing.created_at = when or timezone.now()
        existing.save()
        return existing
    suppression = EmailSuppression(
        address=address,
        reason=reason,
        source=source[:100],
        detail=detail,
        created_at=when or timezone.now(),
    )
    suppression.save()
    return suppression


@service
@transaction.atomic
def email_event_record(
    *,
    kind: str,
    address: str,
    provider: str,
    message_id: str = "",
    recipient_id: str = "",
    detail: str = "",
    when: datetime.datetime | None = None,
) -> EmailSuppression | None:
    """A provider's bounce, complaint or unsubscribe (its tracking webhook): the address
    suppressed, and the mailing's row for that message marked."""
    reasons = {
        "bounced": EmailSuppression.Reason.BOUNCED,
        "complained": EmailSuppression.Reason.COMPLAINED,
        "unsubscribed": EmailSuppression.Reason.UNSUBSCRIBED,
    }
    if kind not in reasons:
        return None
    with audit_origin(f"{provider} webhook"):
        suppression = _suppress(
            address, reasons[kind], source=f"{provider} webhook", detail=detail, when=when
        )
        rows = MailingRecipient.objects.none()
        if message_id:
            rows = MailingRecipient.objects.filter(provider_message_id=message_id)
        if not rows.exists() and recipient_id.isdigit():
            rows = MailingRecipient.objects.filter(pk=int(recipient_id))
        if not rows.exists():
            # Relayed by SMTP, most providers report their own message id: the last message
            # of a mailing sent to the address is the one that bounced.
            rows = MailingRecipient.objects.filter(
                address__iexact=mail.address_of(address), status=Status.SENT
            ).order_by("-sent_at", "-id")
        row = rows.select_for_update().first()
        if row is not None and kind in ("bounced", "complained"):
            row.status = Status.BOUNCED if kind == "bounced" else Status.COMPLAINED
            row.reason = one_line(detail)[:200]
            row.save(update_fields=["status", "reason"])
        if kind == "unsubscribed" and row is not None and row.donor.email_opt_in:
            row.donor.email_opt_in = False
            donor_save(donor=row.donor)
    return suppression


@service
@transaction.atomic
def email_suppression_add(*, suppression: EmailSuppression, by=None) -> EmailSuppression:
    """Staff suppress an address by hand (or change its note)."""
    suppression.address = mail.address_of(suppression.address)
    if not suppression.address:
        raise ValidationError({"address": "Enter an email address."})
    if not suppression.pk and EmailSuppression.objects.filter(address=suppression.address).exists():
        raise ValidationError({"address": "This address is already suppressed."})
    if not suppression.reason:
        suppression.reason = EmailSuppression.Reason.STAFF
    if not suppression.source:
        suppression.source = f"staff: {by.get_username()}" if by is not None else "staff"
    if suppression.created_at is None:
        suppression.created_at = timezone.now()
    suppression.full_clean()
    suppression.save()
    return suppression


@service
@transaction.atomic
def email_suppressions_delete(*, queryset) -> int:
    """Lift suppressions (an address fixed, a bounce that was the provider's mistake); each
    deletion is in the audit log."""
    count = 0
    for suppression in queryset.select_for_update():
        suppression.delete()
        count += 1
    return count


@service
def email_suppressions_blocked(*, addresses) -> None:
    """Count the emails the suppression rule stopped (donors.mail_backend)."""
    EmailSuppression.objects.filter(address__in={mail.address_of(a) for a in addresses}).update(
        blocked_count=F("blocked_count") + 1, last_blocked_at=timezone.now()
    )
