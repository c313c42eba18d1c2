from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction

from common.door import service
from donors.models import BoardGoal, BoardMember, Committee
from donors.money import money


@service
@transaction.atomic
def board_goal_set(
    *,
    member: BoardMember,
    fiscal_year: int,
    give_goal: Decimal,
    get_goal: Decimal,
    goal: BoardGoal | None = None,
) -> BoardGoal:
    """Set a member's give and get goals for a fiscal year (made when there is none yet).

    ``goal``: the record being edited (a goal's page), which may move to another year or
    member; its validation refuses a year the member already has a goal for."""
    if goal is None:
        goal = (
            BoardGoal.objects.select_for_update()
            .filter(member=member, fiscal_year=fiscal_year)
            .first()
        )
    if goal is None:
        goal = BoardGoal(member=member, fiscal_year=fiscal_year)
    goal.member, goal.fiscal_year = member, fiscal_year
    goal.give_goal, goal.get_goal = money(give_goal), money(get_goal)
    goal.full_clean()
    goal.save()
    return goal


@service
@transaction.atomic
def board_goals_save(
    *, member: BoardMember, goals: list[BoardGoal], deleted: list[BoardGoal]
) -> None:
    """The goals edited on a member's page (the admin's inline): each set through
    board_goal_set, the removed ones deleted."""
    board_goals_delete(goals=deleted)
    for goal in goals:
        board_goal_set(
            member=member,
            fiscal_year=goal.fiscal_year,
            give_goal=goal.give_goal,
            get_goal=goal.get_goal,
            goal=goal,
        )


@service
@transaction.atomic
def board_goals_delete(*, goals: Iterable[BoardGoal]) -> int:
    """Delete goals one by one, so each deletion leaves its audit record."""
    count = 0
    for goal in goals:
        goal.delete()
        count += 1
    return count


@service
@transaction.atomic
def board_member_save(
    *, member: BoardMember, committees: Iterable[Committee] | None = None
) -> BoardMember:
    """Validate and save a board seat; ``committees``, when given, are the ones it sits on."""
    member.full_clean()
    member.save()
    if committees is not None:
        member.committees.set(committees)
    return member


@service
@transaction.atomic
def board_members_delete(*, members: Iterable[BoardMember]) -> int:
    count = 0
    for member in members:
        member.delete()
        count += 1
    return count


@service
@transaction.atomic
def committee_save(*, committee: Committee) -> Committee:
    committee.full_clean()
    committee.save()
    return committee


@service
@transaction.atomic
def committees_delete(*, committees: Iterable[Committee]) -> int:
    count = 0
    for committee in committees:
        committee.delete()
        count += 1
    return count
