"""Supervision's figures for other areas, per unit and period: task counts (assessment) and the
tasks still open past their deadline (bulletins). Others read these, never supervision's models."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db.models import Count, Q

from kaifang.orgs.models import OrgUnit
from kaifang.supervision.models import (
    ISSUED_STATES,
    OPEN_STATES,
    ActionKind,
    SupervisionAction,
    Task,
    TaskState,
    TaskTransition,
)


def _unit_filter(units: list[OrgUnit]) -> Callable[[str], Q]:
    ids = [u.pk for u in units]
    return lambda prefix: Q(**{f"{prefix}id__in": ids})


def task_counts(
    units: list[OrgUnit], start: datetime.date, end: datetime.date, where: Callable[[str], Q] | None = None
) -> dict[int, dict[str, Any]]:
    """`task_performance` for many units at once, in three queries (published for the assessment).

    `where(prefix)` narrows each query to the units (a Q through the relation at `prefix`); by
    default the units themselves.

    Same rules (a test holds the two equal): tasks the unit leads, issued, due in [start, end];
    closed on time = closed with completion claimed by the deadline; overdue = claimed late, or
    still not claimed after the deadline as of `end`; urges and notices to the unit dated in the
    window; returned = completion claims sent back in the window (复核未通过); extensions = approved
    extensions (延期) of the due tasks — their deadline is already the approved one.
    """
    where = where or _unit_filter(units)
    out: dict[int, dict[str, Any]] = {
        u.pk: {
            "due": 0,
            "closed_on_time": 0,
            "overdue": 0,
            "urged": 0,
            "notices": 0,
            "failed": 0,
            "extensions": 0,
            "sources": [],
        }
        for u in units
    }
    tasks = (
        Task.objects.filter(where("lead_unit__"), state__in=ISSUED_STATES, deadline__gte=start, deadline__lte=end)
        .order_by("deadline", "code")
        .values_list("pk", "code", "lead_unit_id", "state", "claimed_on", "deadline", "extension_count")
    )
    claimed_states = (TaskState.COMPLETION_CLAIMED, TaskState.CLOSED)
    for pk, code, lead, state, claimed_on, deadline, extensions in tasks:
        if lead not in out:
            continue
        entry = out[lead]
        entry["due"] += 1
        entry["extensions"] += extensions
        if state == TaskState.CLOSED and claimed_on is not None and claimed_on <= deadline:
            entry["closed_on_time"] += 1
        if claimed_on is not None and state in claimed_states:
            entry["overdue"] += int(claimed_on > deadline)
        else:
            entry["overdue"] += int(end > deadline)
        entry["sources"].append({"type": "task", "id": pk, "code": code})
    actions = (
        SupervisionAction.objects.filter(where("unit__"), on__gte=start, on__lte=end)
        .values("unit_id", "kind")
        .annotate(n=Count("id"))
    )
    keys: dict[str, str] = {ActionKind.URGE: "urged", ActionKind.NOTICE: "notices"}
    for action in actions:
        key = keys.get(str(action["kind"]))
        if key and action["unit_id"] in out:
            out[action["unit_id"]][key] += action["n"]
    returns = (
        TaskTransition.objects.filter(where("task__lead_unit__"), action="return", on__gte=start, on__lte=end)
        .values("task__lead_unit_id")
        .annotate(n=Count("id"))
    )
    for returned in returns:
        if returned["task__lead_unit_id"] in out:
            out[returned["task__lead_unit_id"]]["failed"] += returned["n"]
    return out


def overdue_tasks_under(unit: OrgUnit, end: datetime.date) -> list[tuple[str, str, datetime.date]]:
    """(code, title, deadline) of tasks led by `unit` or a unit below it, still open past their
    deadline at `end`, earliest deadline first."""
    return list(
        Task.objects.filter(lead_unit__path__startswith=unit.path, state__in=OPEN_STATES, deadline__lt=end)
        .order_by("deadline")
        .values_list("code", "title", "deadline")
    )
