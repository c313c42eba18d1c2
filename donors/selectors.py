"""Reads that are reused: annotated in the database, never loops over rows."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import (
    BooleanField,
    CharField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Cast, Coalesce, Round
from django.utils import timezone

from donors.duplicates import Address, Candidate, DonorRecord, find_candidates
from donors.models import (
    Campaign,
    Donor,
    DonorAddress,
    DonorEmail,
    DonorNotDuplicate,
    Gift,
    ImportRun,
    NameVariant,
    PaymentFailure,
    Pledge,
    PledgeInstallment,
    StripeEvent,
)
from donors.models.gift import NON_CASH_METHODS
from donors.models.stripe import NEEDS_ATTENTION
from donors.models.summary import GiftMonthTotal
from donors.money import ZERO, MoneyField, money_sum
from donors.money_rules import KEPT, counted_q, pledge_balance, pledge_balance_expression
from donors.rules import FORM_8283_SECTION_B_OVER

# Every money figure computed in the database is summed with money_sum() and read through
# MoneyField, so it comes back as exact cents on SQLite as well as PostgreSQL.
_MONEY = MoneyField()


def pledge_paid(pledge: Pledge, *, exclude_gift_id: int | None = None) -> Decimal:
    """What has been paid on a pledge: the kept money of its counted payments."""
    gifts = Gift.objects.filter(counted_q(), pledge=pledge)
    if exclude_gift_id:
        gifts = gifts.exclude(pk=exclude_gift_id)
    return gifts.aggregate(paid=Coalesce(money_sum(KEPT), Value(ZERO), output_field=_MONEY))["paid"]


def pledge_balance_of(pledge: Pledge, *, exclude_gift_id: int | None = None) -> Decimal:
    """What a pledge has left to pay (without the payment ``exclude_gift_id``, when given)."""
    return pledge_balance(pledge.amount, pledge_paid(pledge, exclude_gift_id=exclude_gift_id))


def pledge_paid_subquery(pledge_ref: str) -> Subquery:
    """``pledge_paid`` of the pledge ``OuterRef(pledge_ref)``, as a subquery (NULL: none)."""
    return Subquery(
        Gift.objects.filter(counted_q(), pledge=OuterRef(pledge_ref))
        .order_by()
        .values("pledge")
        .annotate(total=money_sum(KEPT))
        .values("total"),
        output_field=_MONEY,
    )


def pledges_with_balance(queryset: QuerySet[Pledge] | None = None) -> QuerySet[Pledge]:
    """Pledges annotated with ``paid`` and ``balance`` (amount less what has been paid)."""
    qs = Pledge.objects.all() if queryset is None else queryset
    return qs.annotate(
        paid=Coalesce(pledge_paid_subquery("pk"), Value(ZERO), output_field=_MONEY)
    ).annotate(balance=pledge_balance_expression())


def installments_with_status(
    queryset: QuerySet[PledgeInstallment] | None = None,
) -> QuerySet[PledgeInstallment]:
    """Installments with ``due_through`` (running total due on the pledge) and ``is_paid``:
    payments apply to the earliest installments first."""
    qs = PledgeInstallment.objects.all() if queryset is None else queryset
    return (
        qs.annotate(
            due_through=Round(
                Window(
                    Sum("amount"),
                    partition_by=[F("pledge")],
                    order_by=[F("due_date").asc()],
                ),
                2,
                output_field=_MONEY,
            ),
            pledge_paid=Coalesce(pledge_paid_subquery("pledge"), Value(ZERO), output_field=_MONEY),
        )
        .annotate(
            is_paid=ExpressionWrapper(
                Q(due_through__lte=F("pledge_paid")), output_field=BooleanField()
            )
        )
        .order_by("pledge", "due_date")
    )


def campaigns_with_totals(queryset: QuerySet[Campaign] | None = None) -> QuerySet[Campaign]:
    """Campaigns with ``raised`` (gifts kept, hard credit) and ``gift_total_count``, read from
    the monthly totals the database keeps (donors.models.GiftMonthTotal), not from every gift."""
    qs = Campaign.objects.all() if queryset is None else queryset
    months = (
        GiftMonthTotal.objects.filter(campaign_key=OuterRef("pk")).order_by().values("campaign_key")
    )
    cents = Subquery(months.annotate(v=Sum("total_cents")).values("v"))
    count = Subquery(months.annotate(v=Sum("gift_count")).values("v"))
    return qs.annotate(
        raised=ExpressionWrapper(
            # × 0.01, not ÷ 100: SQLite would divide the integer cents as integers.
            Coalesce(cents, Value(0)) * Value(Decimal("0.01")),
            output_field=MoneyField(),
        ),
        gift_total_count=Coalesce(count, Value(0)),
    )


def donors_with_contacts(queryset: QuerySet[Donor] | None = None) -> QuerySet[Donor]:
    """Donors with their primary ``email``, ``city`` and ``state`` in the same query."""
    qs = Donor.objects.all() if queryset is None else queryset
    email = DonorEmail.objects.filter(donor=OuterRef("pk"), is_primary=True).values("email")[:1]
    address = DonorAddress.objects.filter(donor=OuterRef("pk"), is_primary=True)
    return qs.annotate(
        primary_email=Subquery(email),
        primary_city=Subquery(address.values("city")[:1]),
        primary_state=Subquery(address.values("region")[:1]),
    )


def donors_matching(term: str) -> QuerySet[Donor]:
    """Donors a search box term means: an email address exactly (through its index), else a
    part of the name. Used by list pages that search through a donor, so that the name scan
    runs over the donors, not joined to every gift."""
    term = term.strip()
    if "@" in term and " " not in term:
        return Donor.objects.filter(emails__email=term.lower())
    return Donor.objects.filter(display_name__icontains=term)


def name_variant_map() -> dict[str, str]:
    """The staff's spelling variants, each leading to its final canonical spelling (a variant
    of a variant is followed to the end; a loop stops where it closes)."""
    direct = dict(NameVariant.objects.values_list("variant", "canonical"))
    resolved = {}
    for variant, canonical in direct.items():
        seen = {variant}
        while canonical in direct and canonical not in seen:
            seen.add(canonical)
            canonical = direct[canonical]
        resolved[variant] = canonical
    return resolved


def duplicate_records() -> list[DonorRecord]:
    """Every donor as the duplicate scoring reads it: three queries, whatever the count."""
    emails, addresses = defaultdict(list), defaultdict(list)
    for donor_id, email in DonorEmail.objects.values_list("donor_id", "email").iterator(5000):
        emails[donor_id].append(email)
    for donor_id, *fields in DonorAddress.objects.values_list(
        "donor_id", "line1", "city", "region", "postal_code"
    ).iterator(5000):
        addresses[donor_id].append(Address(*fields))
    # The phone as its stored text: the field would parse every number on the way out.
    rows = (
        Donor.objects.annotate(phone_text=Cast("phone", CharField()))
        .values_list(
            "id", "kind", "first_name", "last_name", "organization_name", "suffix", "phone_text"
        )
        .iterator(5000)
    )
    return [
        DonorRecord(
            id=pk,
            kind=kind,
            first_name=first,
            last_name=last,
            organization_name=organization,
            suffix=suffix,
            emails=tuple(emails.get(pk, ())),
            phones=(str(phone),) if phone else (),
            addresses=tuple(addresses.get(pk, ())),
        )
        for pk, kind, first, last, organization, suffix, phone in rows
    ]


def duplicate_candidates() -> list[Candidate]:
    """Likely duplicates, best first, less the pairs staff marked as different people."""
    found = find_candidates(duplicate_records(), name_variant_map())
    if not found:
        return []
    dismissed = set(
        DonorNotDuplicate.objects.filter(donor_low__in={c.first for c in found}).values_list(
            "donor_low", "donor_high"
        )
    )
    return [c for c in found if (c.first, c.second) not in dismissed]


def duplicate_donor_pairs(candidates: list[Candidate] | None = None) -> list[dict]:
    """The duplicates page's rows: both donors (with their primary email and city), the score
    and the reasons."""
    candidates = duplicate_candidates() if candidates is None else candidates
    donors = donors_with_contacts(
        Donor.objects.filter(pk__in={i for c in candidates for i in (c.first, c.second)})
    ).in_bulk()
    return [
        {
            "first": donors[c.first],
            "second": donors[c.second],
            "score": c.score,
            "reasons": c.reasons,
        }
        for c in candidates
        if c.first in donors and c.second in donors
    ]


def gift_tax_years() -> list[int]:
    """The tax years gifts span, newest first: two index lookups (the first and the last tax
    date), however many gifts there are."""
    span = Gift.objects.aggregate(first=Min("tax_date"), last=Max("tax_date"))
    if span["first"] is None:
        return []
    return list(range(span["last"].year, span["first"].year - 1, -1))


def property_gifts_missing_8283(queryset: QuerySet[Gift]) -> QuerySet[Gift]:
    """Gifts of property (stock, in-kind) claimed at more than $5,000 (their value, or their
    appraisal when higher) whose Form 8283 Section B the charity has not signed."""
    over = FORM_8283_SECTION_B_OVER
    return queryset.filter(
        Q(amount__gt=over) | Q(property_record__appraised_value__gt=over),
        counted_q(),
        method__in=NON_CASH_METHODS,
        property_record__form_8283_signed_on__isnull=True,
    )


# A gift waiting longer than this to be thanked is highlighted on the thank-you queue.
THANK_WITHIN = datetime.timedelta(hours=48)


def gifts_to_thank(*, search: str = "", now: datetime.datetime | None = None) -> QuerySet[Gift]:
    """The thank-you queue: gifts whose money the organization keeps and whose donor nobody has
    thanked yet, oldest first (by when they reached the books), each with ``overdue`` (waiting
    longer than ``THANK_WITHIN``). ``search`` narrows it to donors by name or exact email.
    The staff home's count is ``gifts_to_thank().count()``: the same rows as the page."""
    now = now or timezone.now()
    gifts = Gift.objects.filter(counted_q(), thanked_at__isnull=True)
    if search.strip():
        gifts = gifts.filter(donor__in=donors_matching(search))
    return gifts.annotate(
        overdue=ExpressionWrapper(Q(created_at__lt=now - THANK_WITHIN), BooleanField())
    ).order_by("created_at", "id")


def gifts_to_thank_count() -> int:
    """How many gifts wait for a thank-you (for the staff home's link to the queue)."""
    return gifts_to_thank().count()


# The staff home's figures (crm/staff_home.py): each is the queryset of the list it links to,
# so the figure and the list can never disagree.
IMPORT_REJECTS_DAYS = 30


def payment_failures_at_risk() -> QuerySet[PaymentFailure]:
    """Failed monthly payments Stripe is still retrying (the failed payments list, at risk)."""
    return PaymentFailure.objects.filter(state=PaymentFailure.State.AT_RISK)


def stripe_events_needing_attention() -> QuerySet[StripeEvent]:
    """Stripe's events the books could not record and nobody has resolved yet."""
    return StripeEvent.objects.filter(NEEDS_ATTENTION)


def imports_with_rejected_rows(*, now: datetime.datetime | None = None) -> QuerySet[ImportRun]:
    """Import runs of the last ``IMPORT_REJECTS_DAYS`` days that skipped rows for errors."""
    since = (now or timezone.now()) - datetime.timedelta(days=IMPORT_REJECTS_DAYS)
    return ImportRun.objects.exclude(rejected_rows="").filter(started_at__gte=since)


# --- Lapsed donors: the one rule of LYBUNT and SYBUNT --------------------------------------

LAPSED_KINDS = ("lybunt", "sybunt")


def lapsed_q(kind: str, fiscal_year: int, prefix: str = "") -> Q:
    """The donors lapsed as of ``fiscal_year`` (the current one), over their standing's last
    fiscal year with giving (``donors.services.standings``): LYBUNT ("last year but
    unfortunately not this") last gave the fiscal year before; SYBUNT ("some year but
    unfortunately not this") last gave before that. ``prefix`` reaches the standing's fields
    from another model (``"standing__"`` from Donor); the giving summary has the same fields.
    The dashboard's figures and lists and the segments' criteria all read this."""
    field = f"{prefix}last_fiscal_year"
    if kind == "lybunt":
        return Q(**{field: fiscal_year - 1})
    if kind == "sybunt":
        return Q(**{f"{field}__lt": fiscal_year - 1})
    raise ValueError(kind)
