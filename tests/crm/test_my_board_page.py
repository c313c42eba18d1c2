"""A board member's own page: their gifts, the gifts they solicited, and their goals, which
they (and only they) can change there."""

from decimal import Decimal as D

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from donors.models import BoardGoal
from tests import dashboard_data as data
from tests import factories


@pytest.fixture
def cast(organization, board):
    return data.build(timezone.localdate(), board_user=board)  # charlie sits in Omar's seat


def test_member_sees_their_gifts_credits_and_goals(client, board, cast):
    client.force_login(board)
    response = client.get("/dashboard/me/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Omar Malik" in html
    assert 'id="my-give">$850.00' in html and 'id="my-get">$2,500.00' in html
    assert "Acme Corp" in html  # the gift he solicited
    assert "$400.00" in html and "Refunded" in html  # his own gifts, the refunded one marked
    assert "$1,000.00" in html and "$2,000.00" in html  # his goals
    assert "Ayesha" not in html  # another member's figures are not his page


def test_member_changes_their_own_goals(client, board, cast):
    client.force_login(board)
    response = client.post(
        "/dashboard/me/",
        {
            "fiscal_year": cast.fy,
            "give_goal": "1500.00",
            "get_goal": "4000",
            "member": cast.member_ayesha.pk,
        },
    )
    assert response.status_code == 302
    goal = BoardGoal.objects.get(member=cast.member_omar, fiscal_year=cast.fy)
    assert (goal.give_goal, goal.get_goal) == (D("1500.00"), D("4000.00"))
    other = BoardGoal.objects.get(member=cast.member_ayesha, fiscal_year=cast.fy)
    assert (other.give_goal, other.get_goal) == (D("5000.00"), D("3000.00"))
    entry = LogEntry.objects.get_for_object(goal).order_by("-timestamp").first()
    assert entry.actor == board
    assert "saved" in client.get("/dashboard/me/").content.decode()


def test_member_sets_next_years_goals(client, board, cast):
    client.force_login(board)
    client.post("/dashboard/me/", {"fiscal_year": cast.fy + 1, "give_goal": "10", "get_goal": "20"})
    assert BoardGoal.objects.get(member=cast.member_omar, fiscal_year=cast.fy + 1).get_goal == D(
        "20.00"
    )


@pytest.mark.parametrize(
    "values,message",
    [
        ({"give_goal": "-5", "get_goal": "10"}, "greater than or equal to 0"),
        ({"give_goal": "lots", "get_goal": "10"}, "Enter a number"),
        ({"give_goal": "1.005", "get_goal": "10"}, "no more than 2 decimal places"),
        ({"give_goal": "10", "get_goal": ""}, "This field is required"),
        ({"give_goal": "10", "get_goal": "10", "fiscal_year": "1999"}, "Select a valid choice"),
    ],
)
def test_bad_goals_are_refused_with_a_message(client, board, cast, values, message):
    client.force_login(board)
    response = client.post("/dashboard/me/", {"fiscal_year": cast.fy, **values})
    assert response.status_code == 200
    assert message in response.content.decode()
    goal = BoardGoal.objects.get(member=cast.member_omar, fiscal_year=cast.fy)
    assert goal.give_goal == D("1000.00")
    assert not BoardGoal.objects.filter(fiscal_year=1999).exists()


def test_the_goal_form_needs_the_csrf_token(board, cast):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(board)
    response = client.post(
        "/dashboard/me/", {"fiscal_year": cast.fy, "give_goal": "1", "get_goal": "1"}
    )
    assert response.status_code == 403


def test_a_login_without_a_board_seat_is_told_so(client, organization):
    user = factories.make_user("erin", "Board member")
    client.force_login(user)
    response = client.get("/dashboard/me/")
    assert response.status_code == 200
    assert "not linked to a board seat" in response.content.decode()
    assert client.post("/dashboard/me/", {"give_goal": "1"}).status_code == 200
    assert not BoardGoal.objects.exists()


def test_staff_have_no_board_page(client, staff, cast):
    client.force_login(staff)
    assert client.get("/dashboard/me/").status_code == 403


def test_a_partly_refunded_gift_counts_only_its_kept_part_toward_the_solicitors_get(
    client, board, cast
):
    # Omar solicited Acme's $2,500 wire; $1,000 of it goes back.
    from donors.services import gift_save

    acme = cast.company.gifts.get(amount=D("2500.00"))
    acme.status, acme.amount_refunded = "partially_refunded", D("1000.00")
    gift_save(gift=acme)
    client.force_login(board)

    html = client.get("/dashboard/me/").content.decode()

    assert 'id="my-get">$1,500.00' in html
    assert '<td class="num">$2,500.00</td><td class="num">$1,500.00</td>' in html

    acme.status, acme.amount_refunded = "refunded", D("2500.00")
    gift_save(gift=acme)
    html = client.get("/dashboard/me/").content.decode()
    assert 'id="my-get">$0.00' in html
    assert '<td class="num">$2,500.00</td><td class="num">$0.00</td>' in html
