"""The board's pages: the dashboard, the LYBUNT and SYBUNT lists (CSV for staff), and a board
member's own page. Each checks its permission explicitly; anonymous visitors log in first."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Value, When
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from common.access import needs
from crm import charts
from crm.asks_views import member_pipeline
from crm.dashboard import (
    LISTS,
    board_giving,
    donor_states,
    fiscal_year_of,
    giving_by_month_and_channel,
    giving_by_state,
    lapsed_count,
    lapsed_donors,
    recovered_revenue,
)
from donors.exports import csv_stream
from donors.models import BoardGoal, Gift, Organization, SoftCredit, Task
from donors.models.gift import SoftCreditKind
from donors.money import ZERO, MoneyField
from donors.money_rules import counted_q, soft_credit_kept_expression
from donors.progress import campaign_progress
from donors.rules import may_keep_goals
from donors.services import board_goal_set
from events.selectors import next_events

# Who sees giving (Administrators, Staff, board members; never event organizers).
SEES_GIVING = "donors.view_gift"
# Who may take donor lists out of the back office (Administrators and Staff).
EXPORTS_DONORS = "donors.change_donor"
KEEPS_OWN_GOALS = "donors.change_own_boardgoal"
TOP_LAPSED = 10
NEXT_EVENTS = 5


@require_safe
@needs(SEES_GIVING)
def dashboard(request):
    org = Organization.current()
    fy = fiscal_year_of(org, timezone.localdate())
    progress = campaign_progress()
    giving = giving_by_month_and_channel(fy, org)
    states = giving_by_state(fy)
    state_top = max([s[1] for s in states] + [Decimal(0)])
    donors = donor_states(fy)
    lybunt = list(lapsed_donors("lybunt", fy)[:TOP_LAPSED])
    sybunt = list(lapsed_donors("sybunt", fy)[:TOP_LAPSED])
    board = board_giving(fy)
    recovered, recovered_count = recovered_revenue(fy)
    now = timezone.now()
    events = next_events(now=now, limit=NEXT_EVENTS)
    return render(
        request,
        "crm/dashboard.html",
        {
            "org": org,
            "fy": fy,
            "progress": progress,
            "now": now,
            "giving": giving,
            "chart": charts.month_bars(giving.months),
            "channels": [
                (
                    label,
                    this,
                    last,
                    charts.percent_of(this, giving.channel_max),
                    charts.percent_of(last, giving.channel_max),
                )
                for _, label, this, last in giving.channels
            ],
            "states": [
                (name, total, count, charts.percent_of(total, state_top))
                for name, total, count in states
            ],
            "donors": donors,
            "lybunt": lybunt,
            "sybunt": sybunt,
            "board": board,
            "recovered": recovered,
            "recovered_count": recovered_count,
            "events": events,
            "can_export": request.user.has_perm(EXPORTS_DONORS),
            "my_page": request.user.has_perm(KEEPS_OWN_GOALS),
        },
    )


class _CountedPaginator(Paginator):
    """A paginator told its count (from the giving summary) instead of counting the rows."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # Paginator.count is a cached_property


def _lapsed_list(request, kind):
    org = Organization.current()
    fy = fiscal_year_of(org, timezone.localdate())
    donors = lapsed_donors(kind, fy)
    count = lapsed_count(kind, donor_states(fy))
    page = _CountedPaginator(donors, 50, count=count).get_page(request.GET.get("page"))
    return render(
        request,
        "crm/lapsed_list.html",
        {
            "kind": kind,
            "title": LISTS[kind],
            "fy": fy,
            "page": page,
            "can_export": request.user.has_perm(EXPORTS_DONORS),
            "csv_url": f"dashboard_{kind}_csv",
        },
    )


@require_safe
@needs(SEES_GIVING)
def lybunt_list(request):
    return _lapsed_list(request, "lybunt")


@require_safe
@needs(SEES_GIVING)
def sybunt_list(request):
    return _lapsed_list(request, "sybunt")


def _lapsed_csv(kind):
    org = Organization.current()
    fy = fiscal_year_of(org, timezone.localdate())
    header = ["name", "email", "city", "state", "first_gift", "last_gift", "largest_gift",
              "lifetime_total", "gift_count"]  # fmt: skip

    def rows():
        yield header
        for donor in lapsed_donors(kind, fy).iterator(chunk_size=2000):
            yield [
                donor.display_name, donor.primary_email, donor.primary_city,
                donor.primary_state, donor.first_gift_date, donor.last_gift_date,
                donor.largest_gift, donor.lifetime_total, donor.gift_count,
            ]  # fmt: skip

    response = StreamingHttpResponse(csv_stream(rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-{fy.label}.csv"'
    return response


@require_safe
@needs(EXPORTS_DONORS)
def lybunt_csv(request):
    return _lapsed_csv("lybunt")


@require_safe
@needs(EXPORTS_DONORS)
def sybunt_csv(request):
    return _lapsed_csv("sybunt")


class GoalForm(forms.Form):
    fiscal_year = forms.TypedChoiceField(coerce=int, label="Fiscal year")
    give_goal = forms.DecimalField(
        label="Give goal ($)",
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text="What you mean to give yourself this year.",
    )
    get_goal = forms.DecimalField(
        label="Get goal ($)",
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text="What you mean to raise from others (gifts credited to you as solicitor).",
    )

    def __init__(self, *args, fiscal_years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].choices = [(y, f"FY{y}") for y in fiscal_years]


@require_http_methods(["GET", "HEAD", "POST"])
@needs(KEEPS_OWN_GOALS)
def my_board_page(request):
    member = getattr(request.user, "board_seat", None)
    org = Organization.current()
    fy = fiscal_year_of(org, timezone.localdate())
    if member is None:
        return render(request, "crm/my_board.html", {"member": None, "fy": fy})
    if not may_keep_goals(request.user, member):
        raise PermissionDenied
    years = [fy.number, fy.number + 1]
    goals = {g.fiscal_year: g for g in BoardGoal.objects.filter(member=member)}
    current = goals.get(fy.number)
    if request.method == "POST":
        form = GoalForm(request.POST, fiscal_years=years)
        if form.is_valid():
            try:
                board_goal_set(member=member, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, f"Your FY{form.cleaned_data['fiscal_year']} goals are saved."
                )
                return redirect("dashboard_me")
    else:
        form = GoalForm(
            fiscal_years=years,
            initial={
                "fiscal_year": fy.number,
                "give_goal": current.give_goal if current else None,
                "get_goal": current.get_goal if current else None,
            },
        )
    mine = next((r for r in board_giving(fy).rows if r.member.pk == member.pk), None)
    gifts = Paginator(
        Gift.objects.filter(donor=member.donor)
        .select_related("campaign")
        .order_by("-tax_date", "-pk"),
        25,
    ).get_page(request.GET.get("gifts"))
    credits = Paginator(
        SoftCredit.objects.filter(donor=member.donor, kind=SoftCreditKind.SOLICITOR)
        .select_related("gift__donor", "gift__campaign")
        # What each credit counts toward the get: it follows its gift's refunds.
        .annotate(
            counts=Case(
                When(counted_q("gift__"), then=soft_credit_kept_expression()),
                default=Value(ZERO),
                output_field=MoneyField(),
            )
        )
        .order_by("-gift__tax_date", "-pk"),
        25,
    ).get_page(request.GET.get("credits"))
    return render(
        request,
        "crm/my_board.html",
        {
            "member": member,
            "fy": fy,
            "form": form,
            "goals": sorted(goals.values(), key=lambda g: -g.fiscal_year),
            "mine": mine,
            "gifts": gifts,
            "credits": credits,
            "pipeline": member_pipeline(member, since=fy.start),
            "open_tasks": Task.objects.filter(owner=request.user, done_at__isnull=True).count(),
        },
    )
