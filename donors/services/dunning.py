"""Failed monthly payments (dunning): each failed invoice recorded once, the donor emailed
once per failed attempt and once more at the end, recovery recorded when a payment on the
plan goes through. Called by the Stripe event handlers (each event applied once, in its own
transaction) and by the task that sends the emails."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_q.tasks import async_task

from common.door import service
from donors import dunning
from donors.models import (
    DonorEmail,
    DunningKind,
    DunningNotice,
    DunningTemplate,
    PaymentFailure,
    RecurringPlan,
)
from donors.services.online import _lock

SEND_TASK = "donors.tasks.dunning_notice_send_task"


def _plan(subscription_id: str) -> RecurringPlan | None:
    _lock(f"sub:{subscription_id}")
    return (
        RecurringPlan.objects.select_for_update()
        .filter(stripe_subscription_id=subscription_id)
        .first()
    )


def _queue(failure: PaymentFailure, kind: str, attempt: int) -> DunningNotice | None:
    """One notice per (failure, attempt), one final per failure: a second ask finds it."""
    exists = (
        failure.notices.filter(kind=DunningKind.FINAL)
        if kind == DunningKind.FINAL
        else (failure.notices.filter(attempt=attempt).exclude(kind=DunningKind.FINAL))
    )
    if exists.exists():
        return None
    try:
        with transaction.atomic():
            notice = DunningNotice.objects.create(failure=failure, kind=kind, attempt=attempt)
    except IntegrityError:  # a concurrent event of the same attempt queued it
        return None
    pk = notice.pk
    transaction.on_commit(lambda: async_task(SEND_TASK, pk, group="dunning"))
    return notice


@service
@transaction.atomic
def dunning_payment_failed(
    *,
    subscription_id: str,
    invoice_id: str,
    attempt: int,
    next_attempt_at: datetime.datetime | None,
    amount: Decimal | None,
    failed_at: datetime.datetime,
    final: bool | None = None,
) -> DunningNotice | None:
    """A plan's invoice failed (attempt ``attempt``): record it and queue the email for that
    attempt: the first, a reminder, or the last notice when Stripe will not try again
    (``final``; by default, when there is no next attempt)."""
    if final is None:
        final = next_attempt_at is None
    plan = _plan(subscription_id)
    if plan is None or plan.status == RecurringPlan.Status.CANCELLED:
        return None
    failure = (
        PaymentFailure.objects.select_for_update().filter(stripe_invoice_id=invoice_id).first()
    )
    if failure is None:
        failure = PaymentFailure(
            plan=plan,
            stripe_invoice_id=invoice_id,
            amount=amount,
            attempts=attempt,
            first_failed_at=failed_at,
            last_failed_at=failed_at,
            next_attempt_at=next_attempt_at,
        )
        failure.full_clean()
        failure.save()
    elif failure.state != PaymentFailure.State.AT_RISK:
        return None  # an older attempt delivered after the payment went through or was lost
    elif attempt > failure.attempts:
        failure.attempts = attempt
        failure.last_failed_at = failed_at
        failure.next_attempt_at = next_attempt_at
        failure.save(update_fields=["attempts", "last_failed_at", "next_attempt_at"])
    elif attempt < failure.attempts:
        return None  # an older attempt arriving late: its email went (or is moot)
    if final:
        return _queue(failure, DunningKind.FINAL, attempt)
    kind = DunningKind.FIRST if not failure.notices.exists() else DunningKind.REMINDER
    return _queue(failure, kind, attempt)


@service
@transaction.atomic
def dunning_plan_ended(*, subscription_id: str) -> DunningNotice | None:
    """The plan's subscription ended: its failures still at risk are lost, and the donor gets
    the last notice if they have not had it."""
    plan = RecurringPlan.objects.filter(stripe_subscription_id=subscription_id).first()
    if plan is None:
        return None
    notice = None
    now = timezone.now()
    for failure in plan.payment_failures.select_for_update().filter(
        state=PaymentFailure.State.AT_RISK
    ):
        failure.state = PaymentFailure.State.LOST
        failure.ended_at = now
        failure.next_attempt_at = None
        failure.save(update_fields=["state", "ended_at", "next_attempt_at"])
        notice = _queue(failure, DunningKind.FINAL, failure.attempts) or notice
    return notice


@service
@transaction.atomic
def dunning_invoice_paid(
    *, subscription_id: str, invoice_id: str, amount: Decimal | None
) -> PaymentFailure | None:
    """A payment on the plan went through: its failure still at risk is recovered (the
    failed invoice paid on a retry, or a later one paid: the plan goes on), with the amount."""
    plan = _plan(subscription_id)
    if plan is None:
        return None
    at_risk = list(
        plan.payment_failures.select_for_update()
        .filter(state=PaymentFailure.State.AT_RISK)
        .order_by("-last_failed_at", "-id")
    )
    if not at_risk:
        return None
    # The failure of this very invoice if there is one, else the latest; older ones whose
    # invoices Stripe gave up on are counted lost (their money never came).
    recovered = next((f for f in at_risk if f.stripe_invoice_id == invoice_id), at_risk[0])
    now = timezone.now()
    for failure in at_risk:
        failure.next_attempt_at = None
        if failure is recovered:
            failure.state = PaymentFailure.State.RECOVERED
            failure.recovered_at = now
            failure.recovered_amount = amount
            failure.recovered_invoice_id = invoice_id
        else:
            failure.state = PaymentFailure.State.LOST
            failure.ended_at = now
        failure.save()
    if plan.status == RecurringPlan.Status.PAST_DUE:
        plan.status = RecurringPlan.Status.ACTIVE
        plan.save(update_fields=["status", "updated_at"])
    return recovered


@service
@transaction.atomic
def dunning_card_updated(*, subscription_id: str) -> int:
    """The donor gave a new card (Stripe Checkout in setup mode): noted on the plan's failures
    still at risk, for staff. How many."""
    plan = RecurringPlan.objects.filter(stripe_subscription_id=subscription_id).first()
    if plan is None:
        return 0
    now = timezone.now()
    failures = list(plan.payment_failures.filter(state=PaymentFailure.State.AT_RISK))
    for failure in failures:
        failure.card_updated_at = now
        failure.save(update_fields=["card_updated_at"])
    return len(failures)


def _donor_email(plan: RecurringPlan) -> str:
    return (
        DonorEmail.objects.filter(donor_id=plan.donor_id)
        .order_by("-is_primary", "id")
        .values_list("email", flat=True)
        .first()
        or ""
    )


@service
@transaction.atomic
def dunning_notice_send(*, notice_id: int) -> bool:
    """Send one queued failed-payment email (once: a retry after success sends nothing; an
    SMTP failure raises, so the task is tried again). Returns whether it sent."""
    notice = (
        DunningNotice.objects.select_for_update()
        .select_related("failure__plan__donor")
        .filter(pk=notice_id)
        .first()
    )
    if notice is None or notice.sent_at is not None:
        return False
    failure = notice.failure
    plan = failure.plan
    to = _donor_email(plan)
    if not to:
        notice.to = ""
        notice.save(update_fields=["to"])
        return False
    local = (
        timezone.localtime(failure.next_attempt_at).strftime("%B %-d, %Y")
        if failure.next_attempt_at and notice.kind != DunningKind.FINAL
        else ""
    )
    subject, body = dunning.render(
        notice.kind,
        {
            "donor_name": plan.donor.display_name,
            "amount": f"${plan.amount:,.2f}",
            "interval": "yearly" if plan.interval == RecurringPlan.Interval.YEAR else "monthly",
            "card_update_url": dunning.card_link(plan),
            "next_attempt": local,
            "attempt": notice.attempt,
            "plan_ended": plan.status == RecurringPlan.Status.CANCELLED,
        },
    )
    sent = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    ).send(fail_silently=False)
    if not sent:  # the address is suppressed (donors.mail_backend): nothing went
        notice.to = ""
        notice.save(update_fields=["to"])
        return False
    notice.to = to
    notice.sent_at = timezone.now()
    notice.save(update_fields=["to", "sent_at"])
    return True


@service
@transaction.atomic
def dunning_template_save(*, template: DunningTemplate) -> DunningTemplate:
    """Save a failed-payment email's words (its template syntax checked by clean())."""
    template.full_clean()
    template.save()
    return template
