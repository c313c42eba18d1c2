"""Appeals' results: who an appeal asked, who answered with a gift, what it raised and what
each dollar raised cost. Reads only (the writes are donors.services.appeals).

Money follows donors.money_rules: a gift counts when its status is counted and for what was
kept of it (a partly refunded gift counts what was not refunded; a refunded one, nothing).

- ``appeal_results(appeal)``: the figures of the appeal's page, as plain values;
- ``appeals_with_results(queryset)``: the list's columns (asked, responded, raised), annotated;
- ``appeal_donors_asked(appeal)`` and ``appeal_donors_responding(appeal)``: the page's lists.
"""

from __future__ import annotations

import dataclasses
import re
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from donors.models import Appeal, AppealRecipient, Donor, Gift
from donors.money import ZERO, MoneyField, money, money_sum
from donors.money_rules import KEPT, counted_q

_MONEY = MoneyField()
# Appeal.code's rule, to look a code up only when it could be one (a link cut short or a NUL
# byte is no code, and no query).
_CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{0,29}")


def appeal_by_code(value) -> Appeal | None:
    """The appeal whose code ``value`` is (any case, spaces around), or None."""
    code = str(value or "").strip().upper()
    return Appeal.objects.filter(code=code).first() if _CODE.fullmatch(code) else None


@dataclasses.dataclass(frozen=True)
class AppealResults:
    asked: int  # donors asked, whichever way (a donor asked by email and letter counts once)
    asked_by_email: int
    asked_by_letter: int
    responded: int  # donors with a counted gift attributed to the appeal
    responded_asked: int  # of them, those the appeal asked
    gifts: int  # counted gifts attributed to the appeal
    raised: Decimal  # kept money of those gifts
    cost: Decimal

    @property
    def response_rate(self) -> Decimal | None:
        """Responding donors ÷ donors asked, as a fraction (None when nobody was asked)."""
        if not self.asked:
            return None
        return (Decimal(self.responded) / Decimal(self.asked)).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_UP
        )

    @property
    def average_gift(self) -> Decimal | None:
        return money(self.raised / self.gifts) if self.gifts else None

    @property
    def cost_per_dollar(self) -> Decimal | None:
        """What the appeal spent for each dollar it raised (None when it raised nothing)."""
        return money(self.cost / self.raised) if self.raised > 0 else None


def _attributed(appeal) -> QuerySet[Gift]:
    return Gift.objects.filter(counted_q(), appeal=appeal)


def appeal_results(appeal: Appeal) -> AppealResults:
    """The appeal's figures, in two queries (who was asked; the gifts that answered)."""
    asked = AppealRecipient.objects.filter(appeal=appeal).aggregate(
        donors=Count("donor", distinct=True),
        email=Count("pk", filter=Q(via=AppealRecipient.Via.EMAIL)),
        letter=Count("pk", filter=Q(via=AppealRecipient.Via.LETTER)),
    )
    was_asked = AppealRecipient.objects.filter(appeal=appeal, donor=OuterRef("donor"))
    gifts = _attributed(appeal).aggregate(
        count=Count("pk"),
        donors=Count("donor", distinct=True),
        asked_donors=Count("donor", distinct=True, filter=Exists(was_asked)),
        raised=Coalesce(money_sum_kept(), Value(ZERO), output_field=_MONEY),
    )
    return AppealResults(
        asked=asked["donors"],
        asked_by_email=asked["email"],
        asked_by_letter=asked["letter"],
        responded=gifts["donors"],
        responded_asked=gifts["asked_donors"],
        gifts=gifts["count"],
        raised=money(gifts["raised"]),
        cost=money(appeal.cost),
    )


def money_sum_kept():
    """The kept money (donors.money_rules' KEPT) summed to exact cents on both databases."""
    return money_sum(KEPT)


def appeals_with_results(queryset: QuerySet[Appeal] | None = None) -> QuerySet[Appeal]:
    """Appeals with ``asked_count`` (donors asked), ``responded_count`` (donors who gave) and
    ``raised`` (kept money of counted attributed gifts), each a subquery on an index."""
    qs = Appeal.objects.all() if queryset is None else queryset
    asked = (
        AppealRecipient.objects.filter(appeal=OuterRef("pk"))
        .order_by()
        .values("appeal")
        .annotate(n=Count("donor", distinct=True))
        .values("n")
    )
    gifts = Gift.objects.filter(counted_q(), appeal=OuterRef("pk")).order_by().values("appeal")
    responded = gifts.annotate(n=Count("donor", distinct=True)).values("n")
    raised = gifts.annotate(total=money_sum_kept()).values("total")
    return qs.annotate(
        asked_count=Coalesce(Subquery(asked, output_field=IntegerField()), Value(0)),
        responded_count=Coalesce(Subquery(responded, output_field=IntegerField()), Value(0)),
        raised=Coalesce(Subquery(raised, output_field=_MONEY), Value(ZERO), output_field=_MONEY),
    )


def appeal_donors_asked(appeal: Appeal) -> QuerySet[Donor]:
    """The donors the appeal asked, by name, each with ``by_email`` and ``by_letter`` and what
    they ``gave`` in answer (kept money; 0 for none)."""
    ways = AppealRecipient.objects.filter(appeal=appeal, donor=OuterRef("pk"))
    return (
        Donor.objects.filter(Exists(ways))
        .annotate(
            by_email=Exists(ways.filter(via=AppealRecipient.Via.EMAIL)),
            by_letter=Exists(ways.filter(via=AppealRecipient.Via.LETTER)),
            gave=_gave(appeal),
        )
        .order_by("display_name", "pk")
    )


def appeal_donors_responding(appeal: Appeal) -> QuerySet[Donor]:
    """The donors who gave a counted gift attributed to the appeal, by name, with ``gave``
    (kept money), ``appeal_gifts`` and ``was_asked``."""
    attributed = _attributed(appeal).filter(donor=OuterRef("pk"))
    count = attributed.order_by().values("donor").annotate(n=Count("pk")).values("n")
    return (
        Donor.objects.filter(Exists(attributed))
        .annotate(
            gave=_gave(appeal),
            appeal_gifts=Subquery(count, output_field=IntegerField()),
            was_asked=Exists(AppealRecipient.objects.filter(appeal=appeal, donor=OuterRef("pk"))),
        )
        .order_by("display_name", "pk")
    )


def _gave(appeal: Appeal):
    kept = (
        _attributed(appeal)
        .filter(donor=OuterRef("pk"))
        .order_by()
        .values("donor")
        .annotate(total=money_sum_kept())
        .values("total")
    )
    return Coalesce(Subquery(kept, output_field=_MONEY), Value(ZERO), output_field=_MONEY)
