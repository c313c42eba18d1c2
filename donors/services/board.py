from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from common.door import service
from donors.models import BoardGoal, BoardMember
from donors.money import money


@service
@transaction.atomic
def board_goal_set(
    *, member: BoardMember, fiscal_year: int, give_goal: Decimal, get_goal: Decimal
) -> BoardGoal:
    """Set a member's give and get goals for a fiscal year (made when there is none yet)."""
    goal = BoardGoal.objects.select_for_update().filter(member=member, fiscal_year=fiscal_year).first()
    if goal is None:
        goal = BoardGoal(member=member, fiscal_year=fiscal_year)
    goal.give_goal, goal.get_goal = money(give_goal), money(get_goal)
    goal.full_clean()
    goal.save()
    return goal
