"""A board member's pipeline (the asks of their seat, on their own page) and anyone's "My
tasks". Moving an ask and marking a task done are small POST forms, each through its service
and only on the person's own records."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from donors.models import Ask, AskStage, BoardMember, Task
from donors.models.asks import OPEN_STAGES, next_stage
from donors.money import ZERO
from donors.rules import may_keep_ask, may_keep_task
from donors.services import ask_advance, task_complete

# Tasks done this many days ago still show on "My tasks", so a mistaken click is seen.
DONE_SHOWN_DAYS = 14


@dataclass
class Stage:
    value: str
    label: str
    asks: list[Ask] = field(default_factory=list)
    total: Decimal = ZERO


@dataclass
class Pipeline:
    stages: list[Stage]
    closed: list[Ask]
    open_total: Decimal
    overdue: int
    today: datetime.date


def member_pipeline(member: BoardMember, *, since: datetime.date) -> Pipeline:
    """The member's open asks by stage (with each stage's total), and those closed since
    ``since`` (the fiscal year's start): one query."""
    today = timezone.localdate()
    asks = (
        Ask.objects.filter(member=member)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__date__gte=since))
        .select_related("donor", "closing_gift")
        .order_by("due_date", "pk")
    )
    stages = {s: Stage(s.value, s.label) for s in OPEN_STAGES}
    closed, overdue = [], 0
    for ask in asks:  # a member's own asks: a handful
        ask.overdue = ask.is_overdue(today)
        ask.next_label = AskStage(next_stage(ask.stage)).label if ask.is_open else ""
        if ask.is_open:
            stage = stages[ask.stage]
            stage.asks.append(ask)
            stage.total += ask.amount
            overdue += ask.overdue
        else:
            closed.append(ask)
    closed.sort(key=lambda a: a.closed_at, reverse=True)
    return Pipeline(
        stages=list(stages.values()),
        closed=closed,
        open_total=sum((s.total for s in stages.values()), ZERO),
        overdue=overdue,
        today=today,
    )


class AskMoveForm(forms.Form):
    # The stage the page showed: if the ask moved since, nothing moves twice.
    stage = forms.ChoiceField(choices=AskStage.choices, widget=forms.HiddenInput)


@require_POST
@login_required
def ask_move_on(request, pk: int):
    ask = get_object_or_404(Ask.objects.select_related("member", "donor"), pk=pk)
    if not may_keep_ask(request.user, ask):
        raise PermissionDenied
    form = AskMoveForm(request.POST)
    back = reverse("dashboard_me") + "#pipeline"
    if not form.is_valid():
        messages.error(request, "That ask could not be moved: reload the page and try again.")
        return redirect(back)
    try:
        ask = ask_advance(ask=ask, expected_stage=form.cleaned_data["stage"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    if ask.stage == AskStage.STEWARD:
        done = f"Your ask of {ask.donor.display_name} is closed: now steward them (thank them)."
    else:
        done = f"Your ask of {ask.donor.display_name} moved to {ask.get_stage_display()}."
    messages.success(request, done)
    return redirect(back)


@require_safe
@login_required
def my_tasks(request):
    today = timezone.localdate()
    since = timezone.now() - datetime.timedelta(days=DONE_SHOWN_DAYS)
    tasks = list(
        Task.objects.filter(owner=request.user)
        .filter(Q(done_at__isnull=True) | Q(done_at__gte=since))
        .select_related("donor")
        .order_by("due_date", "pk")
    )
    open_tasks = [t for t in tasks if t.done_at is None]
    done = sorted((t for t in tasks if t.done_at), key=lambda t: t.done_at, reverse=True)
    for task in open_tasks:
        task.overdue = task.is_overdue(today)
    return render(
        request,
        "crm/my_tasks.html",
        {
            "open_tasks": open_tasks,
            "done": done,
            "overdue": sum(t.overdue for t in open_tasks),
            "today": today,
            "done_days": DONE_SHOWN_DAYS,
        },
    )


@require_POST
@login_required
def task_done(request, pk: int):
    task = get_object_or_404(Task.objects.select_related("donor"), pk=pk)
    if not may_keep_task(request.user, task):
        raise PermissionDenied
    task_complete(task=task)
    messages.success(
        request, f"Done: {task.get_kind_display().lower()} of {task.donor.display_name}."
    )
    return redirect("dashboard_tasks")
