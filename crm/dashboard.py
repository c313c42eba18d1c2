"""The board dashboard's figures, each computed by the database in a fixed number of queries.

Giving figures are what the organization kept (succeeded and partially refunded gifts, net of
refunds) by tax date, hard credit only: soft credits never add money. Donor states compare the
current fiscal year with the previous one, read from the giving summary the database keeps
(donors.services.standings: each donor's first, last and previous fiscal year with giving,
written with the donor's figures by ``donor_figures_refresh``, counted by triggers), so the
page reads the same few hundred rows at 1,000 gifts or 5,000,000:

- new: first gift this fiscal year;
- retained: gave this year and last year;
- recovered: gave this year, not last year, but some year before;
- lapsed (LYBUNT, "last year but unfortunately not this"): gave last year, not this year;
- SYBUNT ("some year but unfortunately not this"): last gave before last year.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from donors.models import (
    BoardGoal,
    BoardMember,
    Donor,
    Gift,
    GiftMonthTotal,
    GivingSummary,
    Organization,
    PaymentFailure,
    SoftCredit,
)
from donors.models.gift import SoftCreditKind
from donors.money import ZERO, MoneyField, money, money_sum
from donors.money_rules import KEPT, counted_q, soft_credit_kept_expression
from donors.progress import Channel, cents_to_money
from donors.selectors import donors_with_contacts, lapsed_q
from donors.services.standings import NO_ADDRESS, OUTSIDE_US  # noqa: F401 (the labels)

_MONEY = MoneyField()


@dataclass(frozen=True)
class FiscalYear:
    number: int
    start: datetime.date
    end: datetime.date
    last_start: datetime.date
    last_end: datetime.date
    today: datetime.date
    calendar_year: bool

    @property
    def label(self) -> str:
        return f"FY{self.number}"

    @property
    def last_label(self) -> str:
        return f"FY{self.number - 1}"


def fiscal_year_of(organization: Organization | None, today: datetime.date) -> FiscalYear:
    org = organization or Organization()  # the defaults: the calendar year
    number = org.fiscal_year_of(today)
    start, end = org.fiscal_year_bounds(number)
    last_start, last_end = org.fiscal_year_bounds(number - 1)
    return FiscalYear(
        number, start, end, last_start, last_end, today, org.fiscal_year_start_month == 1
    )


def _counted_between(start: datetime.date, end: datetime.date) -> QuerySet[Gift]:
    return Gift.objects.filter(counted_q(), tax_date__range=(start, end))


@dataclass
class MonthBar:
    label: str
    this_year: Decimal
    last_year: Decimal
    future: bool


@dataclass
class Giving:
    months: list[MonthBar]
    channels: list[tuple[str, str, Decimal, Decimal]]  # value, label, this FY, last FY
    total: Decimal
    last_total: Decimal
    last_total_to_date: Decimal  # last FY through the same month

    @property
    def channel_max(self) -> Decimal:
        return max([c[2] for c in self.channels] + [c[3] for c in self.channels] + [ZERO])


def _month_index(fy: FiscalYear, day: datetime.date, start: datetime.date) -> int:
    return (day.year - start.year) * 12 + day.month - start.month


def giving_by_month_and_channel(fy: FiscalYear, organization=None) -> Giving:
    """One query on the month totals kept by the gift triggers: kept gifts of this and last
    fiscal year by month and channel."""
    rows = (
        GiftMonthTotal.objects.filter(month__range=(fy.last_start, fy.end))
        .values("month", "channel")
        .annotate(cents=Sum("total_cents"))
        .order_by()
    )
    rows = [
        {"month": r["month"], "channel": r["channel"], "total": cents_to_money(r["cents"])}
        for r in rows
    ]
    this_months = [ZERO] * 12
    last_months = [ZERO] * 12
    this_channels: dict[str, Decimal] = {}
    last_channels: dict[str, Decimal] = {}
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        if month >= fy.start:
            this_months[_month_index(fy, month, fy.start)] += row["total"]
            this_channels[row["channel"]] = this_channels.get(row["channel"], ZERO) + row["total"]
        else:
            last_months[_month_index(fy, month, fy.last_start)] += row["total"]
            last_channels[row["channel"]] = last_channels.get(row["channel"], ZERO) + row["total"]
    current = _month_index(fy, fy.today, fy.start)
    months = []
    for i in range(12):
        month_no = (fy.start.month - 1 + i) % 12 + 1
        months.append(
            MonthBar(calendar.month_abbr[month_no], this_months[i], last_months[i], i > current)
        )
    channels = [
        (value, label, this_channels.get(value, ZERO), last_channels.get(value, ZERO))
        for value, label in Channel.choices
        if this_channels.get(value) or last_channels.get(value)
    ]
    return Giving(
        months=months,
        channels=channels,
        total=sum(this_months, ZERO),
        last_total=sum(last_months, ZERO),
        last_total_to_date=sum(last_months[: current + 1], ZERO),
    )


def giving_by_state(fy: FiscalYear) -> list[tuple[str, Decimal, int]]:
    """(state, total kept, donors) this fiscal year, by the donor's primary address; largest
    first. One query on the giving summary (a few hundred rows): the donors whose last fiscal
    year with giving is this one, with what they gave in it."""
    rows = (
        GivingSummary.objects.filter(last_fiscal_year=fy.number)
        .values("state")
        .annotate(cents=Sum("last_year_cents"), n=Sum("donors"))
        .filter(n__gt=0)
        .order_by("-cents", "state")
    )
    return [(r["state"] or NO_ADDRESS, cents_to_money(r["cents"]), r["n"]) for r in rows]


@dataclass
class DonorStates:
    this_year: int
    new: int
    retained: int
    recovered: int
    lapsed: int
    sybunt: int
    lybunt_total: Decimal
    sybunt_total: Decimal

    @property
    def retention_rate(self) -> int | None:
        """Share of last year's donors who gave again this year, in whole percent."""
        last_year = self.retained + self.lapsed
        return round(self.retained * 100 / last_year) if last_year else None


def donor_states(fy: FiscalYear) -> DonorStates:
    """One query on the giving summary, whatever the number of donors and gifts."""
    n, last = fy.number, fy.number - 1

    def donors(q: Q):
        return Coalesce(Sum("donors", filter=q), 0)

    def cents(q: Q):
        return Coalesce(Sum("lifetime_cents", filter=q), 0)

    figures = GivingSummary.objects.aggregate(
        this_year=donors(Q(last_fiscal_year__gte=n)),
        new=donors(Q(first_fiscal_year__gte=n)),
        retained=donors(Q(last_fiscal_year=n, previous_key=last)),
        lapsed=donors(lapsed_q("lybunt", n)),
        sybunt=donors(lapsed_q("sybunt", n)),
        lybunt_cents=cents(lapsed_q("lybunt", n)),
        sybunt_cents=cents(lapsed_q("sybunt", n)),
    )
    return DonorStates(
        this_year=figures["this_year"],
        new=figures["new"],
        retained=figures["retained"],
        recovered=figures["this_year"] - figures["new"] - figures["retained"],
        lapsed=figures["lapsed"],
        sybunt=figures["sybunt"],
        lybunt_total=cents_to_money(figures["lybunt_cents"]),
        sybunt_total=cents_to_money(figures["sybunt_cents"]),
    )


LISTS = {
    "lybunt": "LYBUNT: gave last fiscal year, not this one",
    "sybunt": "SYBUNT: gave some year before last, not last year nor this one",
}


def lapsed_donors(kind: str, fy: FiscalYear) -> QuerySet[Donor]:
    """LYBUNT or SYBUNT donors with their contacts, the largest lifetime givers first: read
    through the standings' lifetime index (each list filtering by last fiscal year as it
    reads), a page at a time."""
    donors = Donor.objects.filter(lapsed_q(kind, fy.number, "standing__"))
    return donors_with_contacts(donors).order_by("-standing__lifetime_total", "standing__donor")


def lapsed_count(kind: str, states: DonorStates) -> int:
    """How many donors ``lapsed_donors`` lists, from the summary (no count over the donors)."""
    return states.lapsed if kind == "lybunt" else states.sybunt


@dataclass
class BoardRow:
    member: BoardMember
    give: Decimal
    get: Decimal
    give_goal: Decimal | None
    get_goal: Decimal | None

    @staticmethod
    def _percent(done: Decimal, goal: Decimal | None) -> int | None:
        return int(done * 100 / goal) if goal else None

    @property
    def give_percent(self):
        return self._percent(self.give, self.give_goal)

    @property
    def get_percent(self):
        return self._percent(self.get, self.get_goal)


@dataclass
class BoardGiving:
    rows: list[BoardRow] = field(default_factory=list)

    @property
    def members(self) -> int:
        return len(self.rows)

    @property
    def gave(self) -> int:
        return sum(1 for r in self.rows if r.give > 0)

    @property
    def participation(self) -> int | None:
        return round(self.gave * 100 / self.members) if self.members else None


def board_members_with_figures(fy: FiscalYear) -> QuerySet[BoardMember]:
    """Members serving in the fiscal year with ``give`` (their own gifts kept), ``get`` (gifts
    credited to them as solicitor, each credit following its gift's refunds) and their goals
    for the year."""
    give = (
        _counted_between(fy.start, fy.end)
        .filter(donor=OuterRef("donor_id"))
        .order_by()
        .values("donor")
        .annotate(t=money_sum(KEPT))
        .values("t")
    )

    get = (
        SoftCredit.objects.filter(
            counted_q("gift__"),
            donor=OuterRef("donor_id"),
            kind=SoftCreditKind.SOLICITOR,
            gift__tax_date__range=(fy.start, fy.end),
        )
        .order_by()
        .values("donor")
        # A credit follows its gift's refunds (donors.money_rules.soft_credit_kept).
        .annotate(t=money_sum(soft_credit_kept_expression()))
        .values("t")
    )
    goals = BoardGoal.objects.filter(member=OuterRef("pk"), fiscal_year=fy.number).order_by()
    return (
        BoardMember.objects.filter(term_start__lte=fy.end)
        .filter(Q(term_end__isnull=True) | Q(term_end__gte=fy.start))
        .select_related("donor")
        .annotate(
            give=Coalesce(Subquery(give, output_field=_MONEY), Value(ZERO), output_field=_MONEY),
            get=Coalesce(Subquery(get, output_field=_MONEY), Value(ZERO), output_field=_MONEY),
            give_goal=Subquery(goals.values("give_goal")[:1]),
            get_goal=Subquery(goals.values("get_goal")[:1]),
        )
        .order_by("donor__sort_name", "pk")
    )


def board_giving(fy: FiscalYear) -> BoardGiving:
    return BoardGiving(
        rows=[
            BoardRow(m, m.give, m.get, m.give_goal, m.get_goal)
            for m in board_members_with_figures(fy)
        ]
    )


def recovered_revenue(fy: FiscalYear) -> tuple[Decimal, int]:
    """Failed monthly payments recovered this fiscal year (by the day of recovery, in the
    site's time zone): the dollars then paid, and how many. One query."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(fy.start, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        fy.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    row = PaymentFailure.objects.filter(
        state=PaymentFailure.State.RECOVERED, recovered_at__gte=start, recovered_at__lt=end
    ).aggregate(total=money_sum("recovered_amount"), count=Count("id"))
    return money(row["total"] or ZERO), row["count"]
