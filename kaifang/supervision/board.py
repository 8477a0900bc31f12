"""The supervision board, paged (issue 17): summary counts over every visible task, model rows for
one page only.

The counts (by light, lead unit, meeting, category; missing reports by unit) need every task's
light, and a light needs the task's dates, undone milestones, reported months and children. Those
come as plain tuples in four queries (each filtered by the same visibility and list filters as a
subquery, so no id lists travel), and the light is the same pure `light_for` as everywhere —
computed now, from current rows: zero lag. Only the page's tasks are loaded as models (with their
units, co-units and related rows), so the page costs the same at 200 or 10,000 tasks.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from kaifang.core import clock
from kaifang.core.listing import Listing, ListPage
from kaifang.orgs.models import OrgUnit
from kaifang.supervision.lights import SEVERITY, light_for
from kaifang.supervision.models import Milestone, ProgressReport, Task
from kaifang.supervision.selectors import (
    Related,
    TaskRow,
    board_summary,
    facts_of,
    missing_reports_by_unit,
    steps_of,
    task_queryset,
    task_rows,
)
from kaifang.supervision.steps import load_limits

FIELDS = (
    "pk",
    "code",
    "title",
    "state",
    "deadline",
    "issued_on",
    "progress",
    "report_day",
    "claimed_on",
    "closed_on",
    "lead_unit_id",
    "source_title",
    "category",
    "acknowledged_on",
    "level",
    "original_deadline",
    "extension_count",
    "parent_id",
)


@dataclass(slots=True)
class BoardTask:
    """What the board's counts read of a task (a row, not a model instance)."""

    pk: int
    code: str
    title: str
    state: str
    deadline: datetime.date
    issued_on: datetime.date | None
    progress: int
    report_day: int | None
    claimed_on: datetime.date | None
    closed_on: datetime.date | None
    lead_unit_id: int
    source_title: str
    category: str
    acknowledged_on: datetime.date | None
    level: str
    original_deadline: datetime.date | None
    extension_count: int
    parent_id: int | None
    lead_unit: OrgUnit | None = None
    _kf_related: Related = field(default_factory=Related)


@dataclass
class Board:
    page: ListPage
    summary: dict[str, Any]
    missing_by_unit: list[dict[str, Any]]
    rows: list[TaskRow]  # every filtered row in order (lightweight tasks), e.g. for counts


def board_tasks(queryset: Any) -> list[BoardTask]:
    """Every task of `queryset` as a row with its open milestones, reported months, children and
    lead unit: five queries whatever the count (no model instances but the units)."""
    tasks = [BoardTask(*row) for row in queryset.values_list(*FIELDS)]
    if not tasks:
        return []
    by_id = {t.pk: t for t in tasks}
    ids = queryset.order_by().values("pk")
    # Done milestones never light anything nor remind anyone; only open ones are read.
    undone = Milestone.objects.filter(task_id__in=ids, done=False).order_by("due_date", "id")
    for task_id, title, due in undone.values_list("task_id", "title", "due_date"):
        by_id[task_id]._kf_related.milestones.append((title, due, False))
    reports = ProgressReport.objects.filter(task_id__in=ids).values_list("task_id", "period", "reported_on")
    for task_id, period, reported_on in reports:
        rel = by_id[task_id]._kf_related
        rel.periods.add(period)
        if rel.first_report_on is None or reported_on < rel.first_report_on:
            rel.first_report_on = reported_on  # the first feedback step (签收后首次反馈)
    children = Task.objects.filter(parent_id__in=ids).values_list("parent_id", "progress", "state")
    for parent_id, progress, state in children:
        by_id[parent_id]._kf_related.children.append((progress, state))
    units = OrgUnit.objects.in_bulk({t.lead_unit_id for t in tasks})
    for task in tasks:
        task.lead_unit = units[task.lead_unit_id]
    return tasks


def light_rows(queryset: Any, *, today: datetime.date | None = None) -> list[TaskRow]:
    """Every task of `queryset` with its light (the same pure `light_for`, on current rows)."""
    day = today or clock.today()
    limits = load_limits()
    rows = []
    for task in board_tasks(queryset):
        steps = steps_of(task, today=day, limits=limits)  # type: ignore[arg-type]
        facts = facts_of(task, today=day, steps=steps)  # type: ignore[arg-type]
        rows.append(
            TaskRow(
                task=task,  # type: ignore[arg-type]
                light=light_for(facts, today=day),
                progress=facts.progress,
                missing=list(facts.missing_periods),
                steps=steps,
            )
        )
    return rows


def board(user: Any, listing: Listing, *, today: datetime.date | None = None) -> Board:
    """The board for `user` under `listing`'s filters, search, sort and page."""
    day = today or clock.today()
    queryset = listing.apply(Task.objects.visible_to(user).order_by("deadline", "code")).distinct()
    rows = light_rows(queryset, today=day)
    if listing.get("light"):
        rows = [r for r in rows if r.light.color == listing.get("light")]
    if listing.sort == "light":
        rows.sort(key=lambda r: -SEVERITY[r.light.color])  # stable: by deadline within a colour
    elif listing.sort == "progress":
        rows.sort(key=lambda r: r.progress)
    page = listing.page(rows)
    ids = [row.task.pk for row in page.rows]
    full = {row.task.pk: row for row in task_rows(task_queryset().filter(pk__in=ids), today=day)}
    page.page.object_list = [full[pk] for pk in ids if pk in full]
    return Board(page=page, summary=board_summary(rows), missing_by_unit=missing_reports_by_unit(rows)[:10], rows=rows)
