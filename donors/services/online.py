"""Online payments (Stripe) into the books: one gift per payment, refunds and disputes applied
as history, monthly plans kept in step. Callers pass plain data (``PaymentFacts``); nothing
here talks to Stripe.

Exactly once: each payment is locked by its key for the transaction (a PostgreSQL advisory
lock; SQLite writes one transaction at a time anyway), and the gift is unique on
``stripe_payment_id``. Whatever event of a payment comes first creates the gift; the later ones
only fill in what is still missing. Status is derived from the recorded refunds and disputes,
never from the order events arrived in.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_q.tasks import async_task

from common.audit import audit_origin, log_bulk
from common.door import service
from donors.appeals import appeal_by_code
from donors.hooks import gift_received
from donors.models import (
    Appeal,
    Campaign,
    Donor,
    DonorEmail,
    Gift,
    GiftAdjustment,
    GiftMethod,
    GiftStatus,
    Organization,
    RecurringPlan,
    StripeEvent,
    TributeKind,
)
from donors.models.stripe import NEEDS_ATTENTION
from donors.money import ZERO, in_currency, money
from donors.rules import local_date
from donors.services.donors import donor_address_add, donor_create, donor_save
from donors.services.gifts import gift_save
from donors.services.pledges import recurring_plan_create
from donors.text import printable

# The main time zone of each US state (billing address -> the donor's time zone).
US_STATE_TIME_ZONES = {
    "AL": "America/Chicago", "AK": "America/Anchorage", "AZ": "America/Phoenix",
    "AR": "America/Chicago", "CA": "America/Los_Angeles", "CO": "America/Denver",
    "CT": "America/New_York", "DE": "America/New_York", "DC": "America/New_York",
    "FL": "America/New_York", "GA": "America/New_York", "HI": "Pacific/Honolulu",
    "ID": "America/Boise", "IL": "America/Chicago", "IN": "America/Indiana/Indianapolis",
    "IA": "America/Chicago", "KS": "America/Chicago", "KY": "America/New_York",
    "LA": "America/Chicago", "ME": "America/New_York", "MD": "America/New_York",
    "MA": "America/New_York", "MI": "America/Detroit", "MN": "America/Chicago",
    "MS": "America/Chicago", "MO": "America/Chicago", "MT": "America/Denver",
    "NE": "America/Chicago", "NV": "America/Los_Angeles", "NH": "America/New_York",
    "NJ": "America/New_York", "NM": "America/Denver", "NY": "America/New_York",
    "NC": "America/New_York", "ND": "America/Chicago", "OH": "America/New_York",
    "OK": "America/Chicago", "OR": "America/Los_Angeles", "PA": "America/New_York",
    "RI": "America/New_York", "SC": "America/New_York", "SD": "America/Chicago",
    "TN": "America/Chicago", "TX": "America/Chicago", "UT": "America/Denver",
    "VT": "America/New_York", "VA": "America/New_York", "WA": "America/Los_Angeles",
    "WV": "America/New_York", "WI": "America/Chicago", "WY": "America/Denver",
    "PR": "America/Puerto_Rico", "GU": "Pacific/Guam", "VI": "America/St_Thomas",
    "AS": "Pacific/Pago_Pago", "MP": "Pacific/Saipan",
}  # fmt: skip
# Countries with a single time zone that donors write from most.
COUNTRY_TIME_ZONES = {
    "PK": "Asia/Karachi", "GB": "Europe/London", "AE": "Asia/Dubai", "IN": "Asia/Kolkata",
    "SA": "Asia/Riyadh", "QA": "Asia/Qatar", "DE": "Europe/Berlin", "FR": "Europe/Paris",
    "NL": "Europe/Amsterdam", "IE": "Europe/Dublin", "NO": "Europe/Oslo", "SE": "Europe/Stockholm",
}  # fmt: skip

REFUND_RANK = {"pending": 0, "requires_action": 0, "succeeded": 1, "failed": 2, "canceled": 2}
DISPUTE_RANK = {
    "warning_needs_response": 0, "needs_response": 0, "warning_under_review": 1,
    "under_review": 1, "warning_closed": 2, "won": 2, "lost": 2, "prevented": 2,
}  # fmt: skip
DISPUTE_OPEN = {"warning_needs_response", "needs_response", "warning_under_review", "under_review"}


class PaymentNotRecorded(Exception):
    """A refund or dispute names a payment the books do not have yet."""


class PaymentUnrecordable(Exception):
    """A payment the books cannot record as it stands (settled in a currency other than US
    dollars, say): retrying will not help, so its event goes on the "needs attention" list."""


@dataclasses.dataclass
class PaymentFacts:
    """What one event (or an API read) tells about one payment; None where it says nothing."""

    key: str  # the payment intent id, or the charge id where there is none
    charge_id: str | None = None
    amount: Decimal | None = None
    currency: str = "usd"
    charged_at: datetime.datetime | None = None
    customer_id: str | None = None
    email: str | None = None
    name: str | None = None
    address: dict | None = None  # Stripe's shape: line1, line2, city, state, postal_code, country
    card_last4: str | None = None
    method: str = GiftMethod.CARD
    fee: Decimal | None = None
    # Paid in another currency: ``amount`` and ``fee`` are the US dollars it settled as, and
    # these say what the donor paid (``original_amount`` in ``original_currency``).
    original_currency: str | None = None
    original_amount: Decimal | None = None
    exchange_rate: Decimal | None = None
    invoice_id: str | None = None
    subscription_id: str | None = None
    metadata: dict = dataclasses.field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """Enough to create the gift: what was paid, when, and by whom."""
        return (
            self.amount is not None
            and self.charged_at is not None
            and bool(self.customer_id or self.email or self.name)
        )

    def merge(self, other: PaymentFacts) -> PaymentFacts:
        """These facts, with the gaps filled from ``other``."""
        values = {}
        for field in dataclasses.fields(self):
            mine = getattr(self, field.name)
            values[field.name] = mine if mine not in (None, "", {}) else getattr(other, field.name)
        values["metadata"] = {**other.metadata, **self.metadata}
        return PaymentFacts(**values)


def _lock(name: str) -> None:
    """Serialize the transactions that touch one payment, customer or subscription."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [name])


def payment_lock(key: str) -> None:
    """Hold one payment's lock until the current transaction ends (for the Checkout kinds that
    record a payment themselves: the same lock as every event of that payment takes)."""
    _lock(f"pay:{key}")


def time_zone_for_address(address: dict | None) -> str:
    """The time zone a billing address is in, or "" when it cannot be told."""
    if not address:
        return ""
    country = (address.get("country") or "").upper()
    if country in ("US", ""):
        return US_STATE_TIME_ZONES.get((address.get("state") or "").strip().upper(), "")
    return COUNTRY_TIME_ZONES.get(country, "")


def _split_name(name: str) -> tuple[str, str]:
    parts = name.split()
    if len(parts) < 2:
        return "", name.strip()
    return " ".join(parts[:-1]), parts[-1]


def _donor_for(facts: PaymentFacts) -> Donor:
    """By Stripe customer id, then email; else a new donor with the billing name and address."""
    email = (facts.email or "").strip().lower()
    _lock(f"donor:{facts.customer_id or email or facts.name}")
    donor = None
    if facts.customer_id:
        donor = Donor.objects.filter(stripe_customer_id=facts.customer_id).first()
    if donor is None and email:
        match = DonorEmail.objects.filter(email=email).order_by("donor_id").first()
        donor = match.donor if match else None
        if donor is not None and facts.customer_id and not donor.stripe_customer_id:
            donor.stripe_customer_id = facts.customer_id
            donor_save(donor=donor)
    zone = time_zone_for_address(facts.address)
    if donor is None:
        # The billing name as Stripe took it: a control character in it must not refuse the
        # donor (and with it the payment), where a form would have asked for a correction.
        first, last = _split_name(printable(facts.name or ""))
        if not (first or last):
            last = email or "Online donor"
        donor = donor_create(
            first_name=first,
            last_name=last,
            email=email or None,
            time_zone=zone,
            stripe_customer_id=facts.customer_id,
        )
        _address_add(donor, facts.address)
    elif zone and not donor.time_zone:
        donor.time_zone = zone
        donor_save(donor=donor)
    return donor


@service
def billing_details_fill(*, donor: Donor, address: dict | None) -> None:
    """A donor made from a payment outside this module (event tickets bought in Checkout) gets
    the billing address and its time zone, as a donor made here does, unless they have some."""
    zone = time_zone_for_address(address)
    if zone and not donor.time_zone:
        donor.time_zone = zone
        donor_save(donor=donor)
    if not donor.addresses.exists():
        _address_add(donor, address)


def _address_add(donor: Donor, address: dict | None) -> None:
    if not address or not address.get("line1") or not address.get("city"):
        return
    try:
        with transaction.atomic():
            donor_address_add(
                donor=donor,
                line1=address["line1"],
                line2=address.get("line2") or "",
                city=address["city"],
                region=address.get("state") or "",
                postal_code=address.get("postal_code") or "",
                country=(address.get("country") or "US").upper(),
            )
    except ValidationError:
        # An address Stripe accepted but the books cannot file is noted, not a lost gift.
        donor.notes = (donor.notes + f"\nBilling address from Stripe: {address}").strip()
        donor_save(donor=donor)


def _campaign(metadata: dict) -> Campaign | None:
    slug = (metadata or {}).get("campaign")
    return Campaign.objects.filter(slug=slug).first() if slug else None


def _appeal(metadata: dict) -> Appeal | None:
    """The appeal a donate link's code names; an unknown code or none: no appeal (the gift is
    recorded all the same)."""
    return appeal_by_code((metadata or {}).get("appeal"))


def _tribute(metadata: dict) -> dict:
    kind = (metadata or {}).get("tribute_kind") or ""
    name = ((metadata or {}).get("tribute_name") or "").strip()
    if kind not in (TributeKind.HONOR, TributeKind.MEMORY) or not name:
        return {}
    return {
        "tribute_kind": kind,
        "tribute_name": name[:200],
        "tribute_notify_name": (metadata.get("tribute_notify_name") or "")[:200],
        "tribute_notify_email": metadata.get("tribute_notify_email") or "",
    }


def _time_zone(donor: Donor) -> str:
    if donor.time_zone:
        return donor.time_zone
    org = Organization.current()
    return org.time_zone if org else settings.TIME_ZONE


def _plan_for(
    facts: PaymentFacts, donor: Donor, gift_date: datetime.date, amount: Decimal
) -> RecurringPlan | None:
    if not facts.subscription_id:
        return None
    _lock(f"sub:{facts.subscription_id}")
    plan = RecurringPlan.objects.filter(stripe_subscription_id=facts.subscription_id).first()
    if plan is None:
        plan = recurring_plan_create(
            donor=donor,
            amount=amount,
            started_on=gift_date,
            stripe_subscription_id=facts.subscription_id,
            campaign=_campaign(facts.metadata),
        )
    return plan


@service
@transaction.atomic
def online_payment_record(*, facts: PaymentFacts) -> Gift:
    """The gift for this payment: created by the first event that knows enough, filled in by
    the others. Never a second gift for the same payment."""
    if facts.currency.lower() != "usd":
        raise PaymentUnrecordable(
            f"Payment {facts.key} is in {facts.currency.upper()}, not the US dollars it "
            "settled as: the books are in US dollars."
        )
    _lock(f"pay:{facts.key}")
    gift = Gift.objects.select_for_update().filter(stripe_payment_id=facts.key).first()
    if gift is None and facts.charge_id:
        gift = Gift.objects.select_for_update().filter(stripe_charge_id=facts.charge_id).first()
    if gift is None:
        if not facts.complete:
            raise PaymentNotRecorded(f"not enough known about {facts.key} to record it")
        donor = _donor_for(facts)
        gift_date = local_date(facts.charged_at, _time_zone(donor))
        plan = _plan_for(facts, donor, gift_date, facts.amount)
        campaign = _campaign(facts.metadata) or (plan.campaign if plan else None)
        gift = Gift(
            donor=donor,
            amount=facts.amount,
            method=facts.method,
            gift_date=gift_date,
            date_received=gift_date,
            charged_at=facts.charged_at,
            status=GiftStatus.SUCCEEDED,
            processor="stripe",
            stripe_payment_id=facts.key,
            stripe_charge_id=facts.charge_id,
            stripe_invoice_id=facts.invoice_id,
            card_last4=facts.card_last4 or "",
            fee=facts.fee,
            original_currency=(facts.original_currency or "").upper(),
            original_amount=facts.original_amount,
            exchange_rate=facts.exchange_rate,
            campaign=campaign,
            appeal=_appeal(facts.metadata),
            recurring_plan=plan,
            **_tribute(facts.metadata),
        )
        if facts.metadata.get("cover_fee") == "yes":
            gift.notes = "The donor added the processing fee to the gift."
        gift_save(gift=gift)
        _tribute_notify_later(gift)
        # The donor is thanked at once (compliance's task, once this commits). Only here, where
        # the gift is created: a redelivered event finds the gift and queues nothing more.
        gift_received(gift_id=gift.pk)
        return gift

    changed = False

    def fill(field: str, value) -> None:
        nonlocal changed
        if value not in (None, "") and getattr(gift, field) in (None, ""):
            setattr(gift, field, value)
            changed = True

    fill("stripe_charge_id", facts.charge_id)
    fill("stripe_invoice_id", facts.invoice_id)
    fill("card_last4", facts.card_last4)
    fill("fee", facts.fee)
    if not gift.original_currency and facts.original_currency:
        fill("original_currency", facts.original_currency.upper())
        fill("original_amount", facts.original_amount)
        fill("exchange_rate", facts.exchange_rate)
    if gift.charged_at is None and facts.charged_at is not None:
        gift.charged_at = facts.charged_at
        gift.gift_date = local_date(facts.charged_at, _time_zone(gift.donor))
        changed = True
    if gift.campaign_id is None:
        fill("campaign", _campaign(facts.metadata))
    if gift.appeal_id is None:
        fill("appeal", _appeal(facts.metadata))
    if not gift.tribute_kind:
        for field, value in _tribute(facts.metadata).items():
            fill(field, value)
    if gift.recurring_plan_id is None and facts.subscription_id:
        plan = _plan_for(facts, gift.donor, gift.gift_date, gift.amount)
        if plan.donor_id == gift.donor_id:
            gift.recurring_plan = plan
            changed = True
            fill("campaign", plan.campaign)
    if changed:
        gift_save(gift=gift)
        _tribute_notify_later(gift)
    return gift


def _tribute_notify_later(gift: Gift) -> None:
    """Once the gift is committed, the task queue tells the person the tribute names."""
    if gift.tribute_notify_email and gift.tribute_notified_at is None:
        gift_id = gift.pk
        transaction.on_commit(lambda: async_task("donors.tasks.tribute_notify", gift_id))


def gift_for_payment(*, key: str | None = None, charge_id: str | None = None) -> Gift | None:
    gift = Gift.objects.filter(stripe_payment_id=key).first() if key else None
    if gift is None and charge_id:
        gift = Gift.objects.filter(stripe_charge_id=charge_id).first()
    return gift


@service
@transaction.atomic
def online_adjustment_apply(
    *,
    key: str,
    charge_id: str | None,
    kind: str,
    stripe_id: str,
    amount: Decimal,
    status: str,
    occurred_at: datetime.datetime,
    reason: str = "",
    currency: str = "usd",
) -> Gift:
    """Record a refund or dispute (or its new status) and derive the gift's status and refunded
    amount from every one recorded. A status only moves forward: a late, older event is kept
    out. ``amount`` is in ``currency``: in the gift's original currency it is counted in US
    dollars at the rate the gift settled at (a full refund is the whole gift)."""
    _lock(f"pay:{key}")
    gift = gift_for_payment(key=key, charge_id=charge_id)
    if gift is None:
        raise PaymentNotRecorded(f"no gift for {key}")
    gift = Gift.objects.select_for_update().get(pk=gift.pk)
    amount = in_gift_dollars(gift, amount, currency)
    ranks = REFUND_RANK if kind == GiftAdjustment.Kind.REFUND else DISPUTE_RANK
    adjustment = GiftAdjustment.objects.select_for_update().filter(stripe_id=stripe_id).first()
    if adjustment is None:
        adjustment = GiftAdjustment(
            gift=gift, kind=kind, stripe_id=stripe_id, amount=amount, status=status,
            reason=reason or "", occurred_at=occurred_at,
        )  # fmt: skip
        adjustment.full_clean()
        adjustment.save()
    else:
        old, new = ranks.get(adjustment.status, 0), ranks.get(status, 0)
        if new > old or (new == old and old < 2 and status != adjustment.status):
            adjustment.status = status
            adjustment.amount = amount
            adjustment.full_clean()
            adjustment.save(update_fields=["status", "amount", "updated_at"])
    _gift_settle(gift)
    return gift


def in_gift_dollars(gift: Gift, amount: Decimal, currency: str) -> Decimal:
    """An amount of a gift's payment (a refund, a dispute), in US dollars: as it is for a
    dollar payment; for one made in another currency, that share of the dollars the gift
    settled as."""
    code = (currency or "usd").upper()
    if code == "USD":
        return amount
    if code != gift.original_currency or not gift.original_amount:
        raise PaymentUnrecordable(
            f"{in_currency(amount, code)} against gift #{gift.pk}, which was not paid in {code}."
        )
    if amount >= gift.original_amount:
        return gift.amount
    return money(amount * gift.amount / gift.original_amount)


def _gift_settle(gift: Gift) -> None:
    refunded, disputed = ZERO, False
    for adj in gift.adjustments.all():
        if adj.kind == GiftAdjustment.Kind.REFUND and adj.status == "succeeded":
            refunded += adj.amount
        elif adj.kind == GiftAdjustment.Kind.DISPUTE:
            if adj.status == "lost":
                refunded += adj.amount  # a lost dispute is a refund
            elif adj.status in DISPUTE_OPEN:
                disputed = True
    refunded = min(refunded, gift.amount)
    if disputed:
        status = GiftStatus.DISPUTED
    elif refunded == gift.amount:
        status = GiftStatus.REFUNDED
    elif refunded > 0:
        status = GiftStatus.PARTIALLY_REFUNDED
    else:
        status = GiftStatus.SUCCEEDED
    if (gift.status, gift.amount_refunded) != (status, refunded):
        gift.status, gift.amount_refunded = status, refunded
        gift_save(gift=gift)


PLAN_STATUS = {
    "active": RecurringPlan.Status.ACTIVE,
    "trialing": RecurringPlan.Status.ACTIVE,
    "past_due": RecurringPlan.Status.PAST_DUE,
    "unpaid": RecurringPlan.Status.PAST_DUE,
    "incomplete": RecurringPlan.Status.PAST_DUE,
    "paused": RecurringPlan.Status.PAUSED,
    "canceled": RecurringPlan.Status.CANCELLED,
    "incomplete_expired": RecurringPlan.Status.CANCELLED,
}


@dataclasses.dataclass
class SubscriptionFacts:
    subscription_id: str
    status: str  # Stripe's
    amount: Decimal | None = None
    interval: str | None = None
    next_charge_at: datetime.datetime | None = None
    cancelled_at: datetime.datetime | None = None
    started_at: datetime.datetime | None = None
    metadata: dict = dataclasses.field(default_factory=dict)


@service
@transaction.atomic
def online_subscription_sync(
    *, facts: SubscriptionFacts, donor_facts: PaymentFacts | None = None
) -> RecurringPlan | None:
    """Bring a monthly plan in step with its subscription. A cancelled plan stays cancelled
    whatever older event arrives after. Without a plan and without a donor, nothing yet."""
    _lock(f"sub:{facts.subscription_id}")
    plan = (
        RecurringPlan.objects.select_for_update()
        .filter(stripe_subscription_id=facts.subscription_id)
        .first()
    )
    status = PLAN_STATUS.get(facts.status, RecurringPlan.Status.ACTIVE)
    if plan is None:
        if donor_facts is None or facts.amount is None:
            return None
        donor = _donor_for(donor_facts)
        tz = _time_zone(donor)
        started = facts.started_at or datetime.datetime.now(datetime.UTC)
        plan = recurring_plan_create(
            donor=donor,
            amount=facts.amount,
            started_on=local_date(started, tz),
            interval=facts.interval if facts.interval in ("month", "year") else "month",
            stripe_subscription_id=facts.subscription_id,
            campaign=_campaign(facts.metadata),
        )
    if plan.status == RecurringPlan.Status.CANCELLED:
        return plan
    tz = _time_zone(plan.donor)
    plan.status = status
    if facts.amount is not None:
        plan.amount = facts.amount
    if facts.next_charge_at and status != RecurringPlan.Status.CANCELLED:
        plan.next_charge_on = local_date(facts.next_charge_at, tz)
    if status == RecurringPlan.Status.CANCELLED:
        plan.next_charge_on = None
        moment = facts.cancelled_at or datetime.datetime.now(datetime.UTC)
        plan.cancelled_on = local_date(moment, tz)
    if plan.campaign_id is None:
        plan.campaign = _campaign(facts.metadata)
    plan.full_clean()
    plan.save()
    return plan


@service
@transaction.atomic
def online_plan_payment_failed(*, subscription_id: str) -> RecurringPlan | None:
    _lock(f"sub:{subscription_id}")
    plan = (
        RecurringPlan.objects.select_for_update()
        .filter(stripe_subscription_id=subscription_id)
        .first()
    )
    if plan is None or plan.status == RecurringPlan.Status.CANCELLED:
        return plan
    plan.status = RecurringPlan.Status.PAST_DUE
    plan.save(update_fields=["status", "updated_at"])
    return plan


# A stored event that could not be applied is tried again after 1, 2, 4 … minutes, at most
# an hour apart; one never handed to the queue (the queue was down) after a minute.
RETRY_FIRST = datetime.timedelta(minutes=1)
RETRY_MOST = datetime.timedelta(hours=1)
# After this many failed tries (about an hour of them) the event is on the "needs attention"
# list too, while it is still retried.
ATTENTION_AFTER_ATTEMPTS = 7


@service
def stripe_event_store(event: dict, *, on_stored=None) -> int | None:
    """Store a verified event once: its id in the table, or None when it was stored before
    (a redelivery). ``on_stored(pk)`` runs once the row is committed; if it fails (the task
    queue unreachable) the event still waits in the table and the retry sweep hands it on."""
    created = datetime.datetime.fromtimestamp(int(event.get("created") or 0), datetime.UTC)
    row = StripeEvent(event_id=event["id"], type=event["type"], created=created, payload=event)
    try:
        with transaction.atomic():
            row.save(force_insert=True)
            if on_stored is not None:
                transaction.on_commit(lambda: on_stored(row.pk), robust=True)
    except IntegrityError:
        if StripeEvent.objects.filter(event_id=event["id"]).exists():
            return None
        raise
    return row.pk


def stripe_event_pk(event_id: str) -> int:
    return StripeEvent.objects.values_list("pk", flat=True).get(event_id=event_id)


@service
def stripe_event_claim(pk: int) -> StripeEvent | None:
    """Mark a stored event processed, inside the transaction that applies it (its effect and
    this mark commit or roll back together). None when it is already processed; a second
    worker on the same event waits here for the first one's transaction to end."""
    claimed = StripeEvent.objects.filter(pk=pk, processed_at__isnull=True).update(
        processed_at=timezone.now(), next_attempt_at=None
    )
    if not claimed:
        return None
    # Recorded after all: an alarm raised by its earlier failures is over.
    StripeEvent.objects.filter(pk=pk, resolved_at__isnull=True).exclude(attention="").update(
        attention=""
    )
    return StripeEvent.objects.get(pk=pk)


@service
def stripe_event_failed(pk: int, error: str) -> None:
    """Note why a stored event could not be applied and when to try it again."""
    row = StripeEvent.objects.filter(pk=pk, processed_at__isnull=True).first()
    if row is None:
        return
    attempts = row.attempts + 1
    wait = min(RETRY_FIRST * 2 ** (attempts - 1), RETRY_MOST)
    changes = {"attempts": attempts, "last_error": error[:2000]}
    if attempts >= ATTENTION_AFTER_ATTEMPTS and not row.resolved_at:
        # Still tried again, but staff now see it: an hour of failures is not a hiccup.
        changes["attention"] = f"Not recorded after {attempts} tries (still retrying): {error}"
    StripeEvent.objects.filter(pk=pk, processed_at__isnull=True).update(
        next_attempt_at=timezone.now() + wait, **changes
    )


@service
def stripe_event_attention(pk: int, reason: str) -> None:
    """An event the books cannot record (``PaymentUnrecordable``): done with, nothing
    recorded, and on the "needs attention" list with its reason. Never retried by itself."""
    StripeEvent.objects.filter(pk=pk).update(
        processed_at=timezone.now(), next_attempt_at=None, attention=reason[:2000]
    )


@service
@transaction.atomic
def stripe_charge_attention(charge: dict, reason: str) -> StripeEvent:
    """A charge the reconciliation found and could not record: kept as a stored event (as if
    delivered, under ``reconcile_<charge id>``) so it is on the "needs attention" list. Once
    per charge, whatever the number of runs; one staff resolved stays resolved."""
    created = datetime.datetime.fromtimestamp(int(charge.get("created") or 0), datetime.UTC)
    event_id = f"reconcile_{charge['id']}"
    payload = {
        "id": event_id,
        "object": "event",
        "type": "charge.succeeded",
        "created": charge.get("created"),
        "data": {"object": charge},
    }
    row, made = StripeEvent.objects.select_for_update().get_or_create(
        event_id=event_id,
        defaults={
            "type": "charge.succeeded",
            "created": created,
            "payload": payload,
            "processed_at": timezone.now(),
            "attention": reason[:2000],
        },
    )
    if not made and row.resolved_at is None and row.attention != reason[:2000]:
        row.attention = reason[:2000]
        row.save(update_fields=["attention"])
    return row


@service
@transaction.atomic
def stripe_event_resolve(*, event: StripeEvent, user, note: str = "") -> bool:
    """Staff dealt with an event that needed attention (recorded the gift by hand, refunded
    the donor): it leaves the list, with who, when and what they said in the audit log.
    False when it did not need attention (nothing changes)."""
    row = StripeEvent.objects.select_for_update().get(pk=event.pk)
    if not row.needs_attention:
        return False
    row.resolved_at = timezone.now()
    row.resolved_by = user
    row.resolution = (note or "").strip()
    row.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    with audit_origin("needs attention: resolved", actor=user):
        log_bulk(
            [row],
            changes={
                "resolved_at": ["None", str(row.resolved_at)],
                "resolved_by": ["None", str(user)],
                "resolution": ["", row.resolution],
                "attention": [row.attention, row.attention],
            },
        )
    event.resolved_at, event.resolved_by, event.resolution = (
        row.resolved_at,
        row.resolved_by,
        row.resolution,
    )
    return True


def stripe_events_needing_attention():
    """The stored events staff must look at, oldest first."""
    return StripeEvent.objects.filter(NEEDS_ATTENTION).order_by("received_at", "id")


def stripe_events_due(*, now: datetime.datetime | None = None, limit: int = 500) -> list[int]:
    """Stored events still waiting whose next try is due, oldest first."""
    now = now or timezone.now()
    waiting = StripeEvent.objects.filter(processed_at__isnull=True)
    due = waiting.filter(
        Q(next_attempt_at__lte=now)
        | Q(next_attempt_at__isnull=True, received_at__lte=now - RETRY_FIRST)
    )
    return list(due.order_by("received_at", "id").values_list("pk", flat=True)[:limit])
