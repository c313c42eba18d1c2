"""manage.py quickstart with the MSP demo data.

The load takes seconds, so it runs once for the module inside a transaction that is rolled back
at the end; each test then runs in its own savepoint, as usual.
"""

import io
import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Max, Sum
from django.test import override_settings
from django.utils import timezone

from common import roles
from crm.demo import DEMO_LOGINS
from donors.models import (
    BoardGoal,
    BoardMember,
    BoardRole,
    Campaign,
    Donor,
    DonorAddress,
    DonorKind,
    Gift,
    GiftMethod,
    GiftStatus,
    Organization,
    Pledge,
    RecurringPlan,
    SoftCredit,
    SoftCreditKind,
)
from donors.models.gift import COUNTED_STATUSES

# The demo users are hashed and checked several times; the default hasher is slow on purpose.
FAST_HASHER = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])


def _quickstart(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("quickstart", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def first_run(django_db_setup, django_db_blocker):
    """quickstart --json on an empty database: (summary, messages)."""
    FAST_HASHER.enable()
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            out, err = _quickstart("--json")
            yield json.loads(out), err
            transaction.set_rollback(True)
    finally:
        FAST_HASHER.disable()


@pytest.fixture
def loaded(first_run, db):
    return first_run


def _row_counts() -> dict[str, int]:
    models = [*apps.get_app_config("donors").get_models(), User, Group]
    counts = {model._meta.label: model.objects.count() for model in models}
    counts["groups.permissions"] = Group.permissions.through.objects.count()
    counts["users.groups"] = User.groups.through.objects.count()
    return counts


def test_it_reports_what_it_created(loaded):
    summary, messages = loaded
    assert summary["demo"] == "loaded"
    assert summary["url"] == "http://127.0.0.1:8000/admin/"
    assert summary["donors"] == summary["created"]["donors"] == Donor.objects.count()
    assert summary["gifts"] == summary["created"]["gifts"] == Gift.objects.count()
    assert summary["created"]["users"] == 4
    assert {u["username"]: u["password"] for u in summary["users"]} == {
        username: password for username, _, password in DEMO_LOGINS
    }
    assert "demo use only" in messages
    # The quick start runs with DEBUG on: its logins need no second factor, and it says so.
    assert "Two-factor authentication is off (DEBUG is on): these logins need no code." in messages


def test_it_writes_the_organization_profile_as_data(loaded):
    org = Organization.current()
    assert org.legal_name == "Movement for Solidarity and Peace in Pakistan"
    assert org.state == "NY"
    assert org.ein == "12-3456789"
    assert "Charities Bureau" in org.ny_disclosure
    assert "{deductible}" in org.ca_disclosure


def test_it_loads_hundreds_of_donors_clustered_in_indiana_and_california(loaded):
    assert 300 <= Donor.objects.count() <= 500
    by_state = dict(
        DonorAddress.objects.filter(is_primary=True)
        .values_list("region")
        .annotate(n=Count("id"))
        .order_by()
    )
    assert by_state["IN"] >= 100
    assert by_state["CA"] >= 100
    assert len(by_state) >= 10  # and donors across the country
    cities = set(DonorAddress.objects.values_list("city", flat=True))
    assert {"Indianapolis", "Carmel", "Fishers", "West Lafayette", "Fremont", "Irvine"} <= cities
    kinds = dict(Donor.objects.values_list("kind").annotate(n=Count("id")).order_by())
    assert kinds[DonorKind.DAF_SPONSOR] == 2
    assert kinds[DonorKind.PLATFORM] == 1
    assert kinds[DonorKind.COMPANY] >= 3 and kinds[DonorKind.FOUNDATION] >= 2
    khans = Donor.objects.get(salutation="Drs. Ayesha and Omar Khan")
    assert khans.kind == DonorKind.HOUSEHOLD


def test_it_loads_gifts_of_every_method_in_the_last_three_years_and_none_in_the_future(loaded):
    today = timezone.localdate()
    assert set(Gift.objects.values_list("method", flat=True)) == set(GiftMethod.values)
    years = set(Gift.objects.values_list("tax_date__year", flat=True))
    assert years == {today.year - 2, today.year - 1, today.year}
    latest = Gift.objects.aggregate(
        gift=Max("gift_date"), tax=Max("tax_date"), charged=Max("charged_at")
    )
    assert latest["gift"] <= today and latest["tax"] <= today
    assert latest["charged"] <= timezone.now()
    statuses = set(Gift.objects.values_list("status", flat=True))
    assert {GiftStatus.REFUNDED, GiftStatus.PARTIALLY_REFUNDED} <= statuses


def test_its_gifts_keep_the_rules_of_each_method(loaded):
    gifts = Gift.objects
    donor_kinds = {
        GiftMethod.DAF_GRANT: [DonorKind.DAF_SPONSOR],
        GiftMethod.GLOBALGIVING: [DonorKind.PLATFORM],
        GiftMethod.EMPLOYER_MATCH: [DonorKind.COMPANY, DonorKind.FOUNDATION],
    }
    for method, kinds in donor_kinds.items():
        assert not gifts.filter(method=method).exclude(donor__kind__in=kinds).exists()
    assert not gifts.filter(method=GiftMethod.DAF_GRANT, benefit_value__gt=0).exists()
    assert not gifts.filter(method=GiftMethod.STOCK, stock_shares__isnull=True).exists()
    assert not gifts.filter(method=GiftMethod.STOCK, stock_issuer="").exists()
    assert not gifts.filter(method=GiftMethod.IN_KIND, non_cash_description="").exists()
    cards = gifts.filter(method=GiftMethod.CARD)
    assert not cards.filter(charged_at__isnull=True).exists()
    assert not cards.exclude(processor="stripe").exists()
    assert not cards.exclude(stripe_payment_id__startswith="pi_demo_").exists()
    assert not gifts.filter(method=GiftMethod.CHECK, check_number="").exists()
    assert gifts.filter(method=GiftMethod.CHECK, postmark_date__isnull=False).exists()
    # Each soft credit sits behind the kind of gift it explains.
    behind = {
        SoftCreditKind.DAF_ADVISOR: GiftMethod.DAF_GRANT,
        SoftCreditKind.PLATFORM_DONOR: GiftMethod.GLOBALGIVING,
        SoftCreditKind.MATCH: GiftMethod.EMPLOYER_MATCH,
    }
    for kind, method in behind.items():
        credits = SoftCredit.objects.filter(kind=kind)
        assert credits.exists()
        assert not credits.exclude(gift__method=method).exists()
    solicitors = SoftCredit.objects.filter(kind=SoftCreditKind.SOLICITOR)
    assert solicitors.exists()
    assert not solicitors.filter(donor__board_seat__isnull=True).exists()


def test_it_loads_the_campaigns_and_dinners(loaded):
    today = timezone.localdate()
    names = set(Campaign.objects.values_list("name", flat=True))
    assert {"Indianapolis Dinner", "San Francisco Bay Area Dinner"} <= names
    assert {f"Annual Fund {year}" for year in range(today.year - 2, today.year + 1)} <= names
    globalgiving = Campaign.objects.get(name__startswith="GlobalGiving: ")
    assert globalgiving.goal == Decimal("50000.00")
    assert globalgiving.globalgiving_project_id
    assert Gift.objects.filter(campaign=globalgiving, method=GiftMethod.GLOBALGIVING).exists()
    for name in ("Indianapolis Dinner", "San Francisco Bay Area Dinner"):
        tickets = Gift.objects.filter(campaign__name=name, benefit_value__gt=0)
        assert tickets.count() >= 20
        assert not tickets.filter(benefit_description="").exists()
        assert not tickets.filter(benefit_value__gte=F("amount")).exists()


def test_it_seats_eight_board_members_with_goals_for_this_and_last_fiscal_year(loaded):
    org = Organization.current()
    this_year = org.fiscal_year_of(timezone.localdate())
    members = BoardMember.objects.all()
    assert members.count() == 8
    roles_held = sorted(members.values_list("role", flat=True))
    assert roles_held.count(BoardRole.CHAIR) == 1
    assert roles_held.count(BoardRole.TREASURER) == 1
    assert roles_held.count(BoardRole.SECRETARY) == 1
    assert roles_held.count(BoardRole.MEMBER) == 5
    for member in members:
        assert member.committees.exists()
        years = set(member.goals.values_list("fiscal_year", flat=True))
        assert years == {this_year - 1, this_year}
    assert not BoardGoal.objects.filter(give_goal=0).exists()


def test_it_gives_three_board_members_prospects_at_every_stage(loaded):
    from donors.models import Ask

    asks = Ask.objects.all()
    assert asks.count() == 6 and asks.values("member").distinct().count() == 3
    assert set(asks.values_list("stage", flat=True)) == {"identify", "cultivate", "ask"}
    assert any(ask.is_overdue() for ask in asks)


def test_it_loads_pledges_with_schedules_and_payments(loaded):
    pledges = Pledge.objects.annotate(scheduled=Sum("installments__amount"))
    assert pledges.count() >= 5
    for pledge in pledges:
        assert pledge.scheduled == pledge.amount
    paid = Gift.objects.filter(pledge__isnull=False)
    assert paid.values("pledge").distinct().count() >= 5
    for pledge in Pledge.objects.all():
        payments = paid.filter(pledge=pledge, status__in=COUNTED_STATUSES)
        assert (payments.aggregate(s=Sum("amount"))["s"] or 0) <= pledge.amount


def test_it_loads_monthly_plans_with_their_monthly_gifts(loaded):
    plans = RecurringPlan.objects.filter(interval=RecurringPlan.Interval.MONTH)
    assert plans.count() >= 20
    for plan in plans.annotate(n=Count("gifts")):
        assert plan.n >= 1
    monthly = Gift.objects.filter(recurring_plan__isnull=False, stripe_invoice_id__isnull=False)
    assert monthly.count() >= 100


def test_it_refreshes_the_donor_figures_once_at_the_end(loaded):
    khans = Donor.objects.get(salutation="Drs. Ayesha and Omar Khan")
    gifts = list(khans.gifts.filter(status__in=COUNTED_STATUSES))
    kept = sum((g.amount - g.amount_refunded for g in gifts), Decimal("0.00"))
    assert khans.lifetime_total == kept
    assert khans.gift_count == len(gifts)
    assert khans.years_given == 3
    assert not Donor.objects.filter(gifts__isnull=False, gift_count=0).exists()


def test_it_creates_one_login_per_role_that_opens_the_admin(loaded, client):
    for username, role, password in DEMO_LOGINS:
        user = User.objects.get(username=username)
        assert user.is_staff and not user.is_superuser
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert client.login(username=username, password=password), username
        assert client.get("/admin/").status_code == 200
        client.logout()
    assert BoardMember.objects.get(user__username="board").role == BoardRole.CHAIR
    assert {name for _, name, _ in DEMO_LOGINS} == set(roles.ROLES)


def test_running_it_again_changes_nothing(loaded):
    before = _row_counts()
    out, _ = _quickstart()
    assert "already loaded" in out
    assert "password msp-demo-admin" in out
    assert _row_counts() == before


def test_running_it_again_with_json_reports_nothing_created(loaded):
    before = _row_counts()
    out, messages = _quickstart("--json")
    summary = json.loads(out)
    assert summary["demo"] == "already_loaded"
    assert summary["created"] == {"donors": 0, "gifts": 0, "users": 0}
    assert summary["donors"] == before["donors.Donor"]
    assert "already loaded" in messages
    assert _row_counts() == before


def test_it_leaves_a_changed_password_alone(loaded):
    admin = User.objects.get(username="admin")
    admin.set_password("a-real-secret-now")
    admin.save()
    out, _ = _quickstart()
    assert "msp-demo-admin" not in out
    assert "password was changed" in out
    admin.refresh_from_db()
    assert admin.check_password("a-real-secret-now")


def test_it_loads_an_indiana_and_a_california_dinner_open_for_tickets_and_rsvps(loaded, client):
    from events.models import Event

    today = timezone.localdate()
    events = {e.state: e for e in Event.objects.filter(status="open")}
    assert set(events) == {"IN", "CA"}
    for event in events.values():
        assert event.local_start.date() > today
        assert event.campaign is not None
        assert event.ticket_types.filter(seats=1, fair_market_value__gt=0).exists()
        assert event.ticket_types.filter(seats=10).exists()
        assert event.rsvps.filter(answer="yes").count() >= 10
        page = client.get(f"/events/{event.slug}/")
        assert page.status_code == 200
        assert 'id="ticket-form"' in page.content.decode()


def test_the_organizer_login_runs_the_demo_dinners_and_sees_their_door(loaded, client):
    from django.contrib.auth.models import User

    from events.models import Event

    organizer = User.objects.get(username="organizer")
    dinners = set(Event.objects.filter(status="open"))
    assert set(organizer.organized_events.all()) == dinners and len(dinners) == 2
    assert "The organizer login runs:" in loaded[1]  # said on standard error with --json
    client.force_login(organizer)
    for event in dinners:
        assert client.get(f"/events/{event.slug}/check-in/").status_code == 200
    listing = client.get("/admin/events/event/").content.decode()
    assert all(event.name in listing for event in dinners)
