"""Board goals: a board member keeps their own, staff keep everyone's."""

from decimal import Decimal

import pytest

from donors.models import BoardGoal
from tests.factories import make_board_goal, make_board_member, make_donor


@pytest.fixture
def charlie_seat(organization, board):
    return make_board_member(user=board, donor=make_donor(first_name="Charlie", last_name="Shah"))


@pytest.fixture
def other_seat(organization):
    return make_board_member(donor=make_donor(first_name="Farah", last_name="Malik"))


def _url(goal) -> str:
    return f"/admin/donors/boardgoal/{goal.pk}/change/"


def _post(member, **values) -> dict:
    data = {
        "member": member.pk,
        "fiscal_year": "2025",
        "give_goal": "5000.00",
        "get_goal": "10000.00",
    }
    data.update(values)
    return data


def test_board_member_changes_their_own_goal(client, board, charlie_seat):
    goal = make_board_goal(charlie_seat)
    client.force_login(board)
    response = client.post(_url(goal), _post(charlie_seat, give_goal="7500.00"))
    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.give_goal, goal.get_goal) == (Decimal("7500.00"), Decimal("10000.00"))


def test_board_member_sees_another_members_goal_read_only(client, board, charlie_seat, other_seat):
    goal = make_board_goal(other_seat)
    client.force_login(board)
    page = client.get(_url(goal))
    assert page.status_code == 200
    html = page.content.decode()
    assert "5000.00" in html
    assert 'name="give_goal"' not in html


def test_board_member_cannot_save_another_members_goal(client, board, charlie_seat, other_seat):
    goal = make_board_goal(other_seat)
    client.force_login(board)
    response = client.post(_url(goal), _post(other_seat, give_goal="1.00"))
    assert response.status_code == 403
    goal.refresh_from_db()
    assert goal.give_goal == Decimal("5000.00")


def test_board_member_cannot_hand_their_goal_to_another_member(
    client, board, charlie_seat, other_seat
):
    goal = make_board_goal(charlie_seat)
    client.force_login(board)
    response = client.post(_url(goal), _post(other_seat, fiscal_year="2026"))
    assert response.status_code == 200
    goal.refresh_from_db()
    assert (goal.member, goal.fiscal_year) == (charlie_seat, 2025)


def test_board_member_adds_their_own_goal(client, board, charlie_seat):
    client.force_login(board)
    response = client.post("/admin/donors/boardgoal/add/", _post(charlie_seat, fiscal_year="2026"))
    assert response.status_code == 302
    goal = BoardGoal.objects.get()
    assert (goal.member, goal.fiscal_year, goal.give_goal) == (
        charlie_seat,
        2026,
        Decimal("5000.00"),
    )


def test_board_member_cannot_add_a_goal_for_another_member(client, board, charlie_seat, other_seat):
    client.force_login(board)
    response = client.post("/admin/donors/boardgoal/add/", _post(other_seat))
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not BoardGoal.objects.exists()


def test_board_member_cannot_delete_a_goal(client, board, charlie_seat):
    goal = make_board_goal(charlie_seat)
    client.force_login(board)
    response = client.post(f"/admin/donors/boardgoal/{goal.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert BoardGoal.objects.filter(pk=goal.pk).exists()


def test_staff_changes_any_members_goal(client, staff, charlie_seat, other_seat):
    goal = make_board_goal(other_seat)
    client.force_login(staff)
    response = client.post(_url(goal), _post(other_seat, get_goal="25000.00"))
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.get_goal == Decimal("25000.00")


def test_staff_adds_a_goal_for_any_member(client, staff, other_seat):
    client.force_login(staff)
    response = client.post("/admin/donors/boardgoal/add/", _post(other_seat, fiscal_year="2026"))
    assert response.status_code == 302
    assert BoardGoal.objects.get().member == other_seat


def test_negative_goal_is_refused(client, staff, other_seat):
    client.force_login(staff)
    response = client.post("/admin/donors/boardgoal/add/", _post(other_seat, give_goal="-1.00"))
    assert response.status_code == 200
    assert not BoardGoal.objects.exists()


def test_event_organizer_cannot_see_board_goals(client, organizer, other_seat):
    goal = make_board_goal(other_seat)
    client.force_login(organizer)
    assert client.get("/admin/donors/boardgoal/").status_code == 403
    assert client.get(_url(goal)).status_code == 403
