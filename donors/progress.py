"""Campaign progress and giving channels, computed by the database.

Each gift counts once toward its campaign, whoever is credited: soft credits (the solicitor,
the employee behind a match, the donors behind a GlobalGiving payout) are recognition of the
same money and never add to a campaign's total, and never to anyone's tax figures.

Channels (SPEC's online, events, checks, GlobalGiving, major gifts; "other" for the rest).
Every gift falls in exactly one, decided in this order (the rule itself is
``donors.money_rules.CHANNEL_RULE``, read by Python, the ORM and the month-total triggers):

1. GlobalGiving: a GlobalGiving payout (method ``globalgiving``);
2. events: a payment that bought something (a benefit valued above zero, or a benefit the
   donor declined): the organization's only sales are event tickets;
3. major gifts: a single payment of at least ``Organization.major_gift_threshold``
   (default $1,000, kept by Administrators in the organization profile);
4. online: card or ACH through a processor (Stripe);
5. checks: a check;
6. other: cash, wire, stock, in-kind, DAF grants, employer matches, card typed in by hand.

The GlobalGiving campaign (``Campaign.globalgiving_project_id`` set) counts GlobalGiving's live
funding figure plus the gifts recorded here that did not come through GlobalGiving: the payouts
recorded here are already inside GlobalGiving's funding figure, so they are left out whenever
live figures exist (and counted as recorded when none was ever fetched).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from donors.models import Campaign, Channel, GiftMonthTotal, GlobalGivingFetch, Pledge, PledgeStatus
from donors.money import ZERO, MoneyField, money, money_sum
from donors.money_rules import pledge_balance_expression
from donors.selectors import pledge_paid_subquery

_MONEY = MoneyField()


def cents_to_money(cents) -> Decimal:
    return money(Decimal(int(cents or 0)) / 100)


@dataclass
class LiveFigures:
    """GlobalGiving's figures for one project: the latest good fetch, and how old it is."""

    project_id: str
    funding: Decimal | None = None
    goal: Decimal | None = None
    donation_count: int | None = None
    fetched_at: datetime.datetime | None = None
    last_attempt_at: datetime.datetime | None = None
    last_error: str = ""

    @property
    def has_figures(self) -> bool:
        return self.funding is not None

    @property
    def failing(self) -> bool:
        """The latest attempt failed: the figures shown are older than the latest try."""
        return bool(self.last_error)

    def age(self, now: datetime.datetime | None = None) -> datetime.timedelta | None:
        if self.fetched_at is None:
            return None
        return (now or timezone.now()) - self.fetched_at


def globalgiving_latest(project_ids) -> dict[str, LiveFigures]:
    """Each project's latest good figures and latest attempt, in one query."""
    ids = sorted({p for p in project_ids if p})
    if not ids:
        return {}
    fetches = GlobalGivingFetch.objects.filter(project_id__in=ids)
    latest_any = fetches.values("project_id").annotate(last=Max("id")).values("last")
    latest_ok = fetches.filter(ok=True).values("project_id").annotate(last=Max("id")).values("last")
    result = {pid: LiveFigures(project_id=pid) for pid in ids}
    rows = GlobalGivingFetch.objects.filter(Q(pk__in=latest_any) | Q(pk__in=latest_ok)).order_by(
        "id"
    )
    for row in rows:
        live = result[row.project_id]
        if row.ok:
            live.funding, live.goal = row.funding, row.goal
            live.donation_count, live.fetched_at = row.donation_count, row.fetched_at
        # Rows come oldest first: the last one seen is the latest attempt.
        live.last_attempt_at = row.fetched_at
        live.last_error = "" if row.ok else row.error
    return result


@dataclass
class CampaignProgress:
    campaign: Campaign
    goal: Decimal
    received: Decimal = ZERO
    gift_count: int = 0
    pledged_unpaid: Decimal = ZERO
    by_channel: dict[str, Decimal] = field(default_factory=dict)
    live: LiveFigures | None = None
    recorded_through_globalgiving: Decimal = ZERO

    @property
    def percent(self) -> int:
        """Whole percent of the goal received (may pass 100)."""
        if not self.goal:
            return 0
        return int(self.received * 100 / self.goal)

    @property
    def bar_percent(self) -> int:
        return max(0, min(self.percent, 100))

    @property
    def pledged_percent(self) -> int:
        """How far received plus unpaid pledges would go, for the lighter part of the bar."""
        if not self.goal:
            return 0
        return max(0, min(int((self.received + self.pledged_unpaid) * 100 / self.goal), 100))

    @property
    def channels(self) -> list[tuple[str, str, Decimal]]:
        """Each channel that raised money, and each the campaign plans to raise through."""
        planned = self.campaign.channels or []
        return [
            (value, label, self.by_channel.get(value, ZERO))
            for value, label in Channel.choices
            if self.by_channel.get(value) or value in planned
        ]


def campaign_progress(campaigns: QuerySet[Campaign] | None = None) -> list[CampaignProgress]:
    """Progress of each campaign: four queries whatever the number of campaigns or gifts
    (the campaigns, their month totals, their open pledges, GlobalGiving's figures).

    ``received`` is what the organization kept (net of refunds, succeeded and partially
    refunded gifts); ``pledged_unpaid`` the unpaid balance of the campaign's open pledges,
    shown apart and never added to ``received``.
    """
    qs = Campaign.objects.filter(is_active=True) if campaigns is None else campaigns
    items = list(qs)
    if not items:
        return []
    ids = [c.pk for c in items]
    progress = {c.pk: CampaignProgress(campaign=c, goal=c.goal) for c in items}

    # Summed from the month totals the gift triggers keep (donors.models.GiftMonthTotal): a
    # few rows per campaign and month instead of every gift.
    sums = (
        GiftMonthTotal.objects.filter(campaign_key__in=ids)
        .values("campaign_key", "channel")
        .annotate(cents=Sum("total_cents"), n=Sum("gift_count"))
        .order_by()
    )
    for row in sums:
        if not row["n"] and not row["cents"]:
            continue
        item = progress[row["campaign_key"]]
        amount = cents_to_money(row["cents"])
        item.by_channel[row["channel"]] = amount
        item.received += amount
        item.gift_count += row["n"]

    unpaid = (
        Pledge.objects.filter(campaign_id__in=ids, status=PledgeStatus.OPEN)
        .annotate(paid=Coalesce(pledge_paid_subquery("pk"), Value(ZERO), output_field=_MONEY))
        .values("campaign_id")
        .annotate(unpaid=money_sum(pledge_balance_expression()))
        .order_by()
    )
    for row in unpaid:
        progress[row["campaign_id"]].pledged_unpaid = max(row["unpaid"] or ZERO, ZERO)

    live = globalgiving_latest(c.globalgiving_project_id for c in items)
    for item in progress.values():
        figures = live.get(item.campaign.globalgiving_project_id)
        if figures is None:
            continue
        item.live = figures
        if figures.has_figures:
            # GlobalGiving's funding already holds the payouts recorded here: count it instead.
            recorded = item.by_channel.get(Channel.GLOBALGIVING, ZERO)
            item.recorded_through_globalgiving = recorded
            item.received = money(item.received - recorded + figures.funding)
            item.by_channel[Channel.GLOBALGIVING] = figures.funding
    return [progress[c.pk] for c in items]
