"""Reads about tasks, always through `Task.objects.visible_to(user)` / `get_task_for_user`."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.http import Http404

from kaifang.core import clock
from kaifang.orgs.models import OrgUnit
from kaifang.supervision.lights import Light, TaskFacts, light_for, missing_report_periods
from kaifang.supervision.models import (
    ISSUED_STATES,
    OPEN_STATES,
    ActionKind,
    Milestone,
    ProgressReport,
    SupervisionAction,
    Task,
    TaskState,
    TaskTransition,
)


def task_queryset() -> Any:
    return Task.objects.select_related("lead_unit", "issuer_unit", "parent").prefetch_related(
        "co_units",
        Prefetch("milestones", queryset=Milestone.objects.order_by("due_date", "id")),
        Prefetch("reports", queryset=ProgressReport.objects.only("id", "task_id", "period", "percent")),
        Prefetch("children", queryset=Task.objects.only("id", "parent_id", "progress", "state")),
    )


def get_task_for_user(user: Any, pk: int | str) -> Task:
    """One task, or 404 when it does not exist or lies outside `user`'s scope."""
    task = task_queryset().visible_to(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if task is None:
        raise Http404("task not found")
    return task  # type: ignore[no-any-return]


def get_task_by_code_for_user(user: Any, code: str) -> Task:
    task = task_queryset().visible_to(user).filter(code=code[:32]).first()
    if task is None:
        raise Http404("task not found")
    return task  # type: ignore[no-any-return]


def missing_periods_of(task: Task, *, today: datetime.date) -> list[datetime.date]:
    """Months whose progress report is overdue and missing (stops counting once completion is claimed)."""
    if task.state in (TaskState.DRAFT, TaskState.REVIEWED):
        return []
    stop = task.claimed_on if task.state in (TaskState.COMPLETION_CLAIMED, TaskState.CLOSED) else None
    if task.state == TaskState.CLOSED and stop is None:
        stop = task.closed_on
    periods = {r.period for r in task.reports.all()}
    return missing_report_periods(
        issued_on=task.issued_on, report_day=task.report_day, reported_periods=periods, today=today, stop=stop
    )


def effective_progress(task: Task) -> int:
    """A split task shows its children's average progress; otherwise its own latest report."""
    children = [c for c in task.children.all()]
    if not children:
        return task.progress
    return round(sum(100 if c.state == TaskState.CLOSED else c.progress for c in children) / len(children))


def facts_of(task: Task, *, today: datetime.date) -> TaskFacts:
    return TaskFacts(
        state=task.state,
        deadline=task.deadline,
        issued_on=task.issued_on,
        progress=effective_progress(task),
        milestones=tuple((m.title, m.due_date, m.done) for m in task.milestones.all()),
        missing_periods=tuple(missing_periods_of(task, today=today)) if task.state in OPEN_STATES else (),
        report_day=task.report_day,
        claimed_on=task.claimed_on,
        closed_on=task.closed_on,
    )


def light_of(task: Task, *, today: datetime.date | None = None) -> Light:
    return light_for(facts_of(task, today=today or clock.today()), today=today or clock.today())


@dataclass
class TaskRow:
    task: Task
    light: Light
    progress: int
    missing: list[datetime.date]


def task_rows(tasks: Any, *, today: datetime.date | None = None) -> list[TaskRow]:
    day = today or clock.today()
    rows = []
    for task in tasks:
        rows.append(
            TaskRow(
                task=task,
                light=light_of(task, today=day),
                progress=effective_progress(task),
                missing=missing_periods_of(task, today=day) if task.state in OPEN_STATES else [],
            )
        )
    return rows


def filtered_tasks(
    user: Any,
    *,
    state: str = "",
    lead_unit: str = "",
    category: str = "",
    meeting: str = "",
    query: str = "",
) -> Any:
    qs = task_queryset().visible_to(user)
    if state:
        qs = qs.filter(state=state)
    if lead_unit:
        qs = qs.filter(lead_unit__code=lead_unit)
    if category:
        qs = qs.filter(category=category)
    if meeting:
        qs = qs.filter(source_meeting_id=int(meeting)) if meeting.isdigit() else qs.filter(source_title=meeting)
    if query:
        qs = qs.filter(title__icontains=query) | qs.filter(code__icontains=query)
    return qs.order_by("deadline", "code")


def board_summary(rows: list[TaskRow]) -> dict[str, Any]:
    """Counts for the province board: by light, lead unit, source meeting and category."""
    by_light = Counter(row.light.color for row in rows)
    by_unit: dict[str, Counter[str]] = defaultdict(Counter)
    by_meeting: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    unit_names: dict[str, str] = {}
    for row in rows:
        code = row.task.lead_unit.code
        unit_names[code] = row.task.lead_unit.name
        by_unit[code][row.light.color] += 1
        by_unit[code]["total"] += 1
        by_meeting[row.task.source_title or "—"] += 1
        by_category[row.task.get_category_display()] += 1
    order = sorted(by_unit, key=lambda c: (-by_unit[c]["red"], -by_unit[c]["yellow"], -by_unit[c]["total"], c))
    units: list[dict[str, Any]] = [{"code": c, "name": unit_names[c], **by_unit[c]} for c in order]
    return {
        "by_light": {color: by_light.get(color, 0) for color in ("red", "yellow", "green", "grey")},
        "by_unit": units,
        "by_meeting": by_meeting.most_common(),
        "by_category": by_category.most_common(),
    }


def my_tasks(user: Any, *, today: datetime.date | None = None) -> dict[str, list[TaskRow]]:
    """The tasks the user's own unit leads or co-leads (open or awaiting verification), and those due this week."""
    day = today or clock.today()
    unit = getattr(user, "unit", None)
    if unit is None:
        return {"all": [], "due_week": [], "co": []}
    own = (
        task_queryset()
        .visible_to(user)
        .filter(lead_unit=unit, state__in=(*OPEN_STATES, TaskState.COMPLETION_CLAIMED))
        .order_by("deadline", "code")
    )
    rows = task_rows(own, today=day)
    week_end = day + datetime.timedelta(days=6 - day.weekday())
    due_week = [r for r in rows if r.task.state in OPEN_STATES and _due_by(r, day, week_end)]
    co = task_rows(
        task_queryset().visible_to(user).filter(co_units=unit, state__in=OPEN_STATES).order_by("deadline"), today=day
    )
    return {"all": rows, "due_week": due_week, "co": co}


def _due_by(row: TaskRow, day: datetime.date, week_end: datetime.date) -> bool:
    if row.task.state == TaskState.ISSUED:  # waiting to be acknowledged (签收)
        return True
    if row.task.deadline <= week_end or row.missing:
        return True
    if row.task.report_day and day.day <= row.task.report_day <= day.day + (week_end - day).days:
        return True
    return any(not m.done and m.due_date <= week_end for m in row.task.milestones.all())


def timeline(task: Task) -> list[dict[str, Any]]:
    """Transitions, progress reports and supervision actions of one task, in time order."""
    items: list[dict[str, Any]] = []
    for t in TaskTransition.objects.filter(task=task):
        items.append({"kind": "transition", "on": t.on, "at": t.at, "obj": t})
    for r in ProgressReport.objects.filter(task=task).select_related("unit"):
        items.append({"kind": "report", "on": r.reported_on, "at": r.reported_at, "obj": r})
    for a in SupervisionAction.objects.filter(task=task):
        items.append({"kind": a.kind, "on": a.on, "at": a.at, "obj": a})
    items.sort(key=lambda item: (item["on"], item["kind"] != "transition", item["at"]))
    return items


def task_performance(*, unit: OrgUnit, start: datetime.date, end: datetime.date) -> dict[str, int]:
    """How `unit` handled the tasks it leads, for assessment (督考合一). Window: [start, end].

    - tasks_led: tasks the unit leads, issued, whose deadline falls in the window;
    - closed_on_time: of those, closed (销号) with completion claimed on or before the deadline;
    - overdue: of those, not claimed by the deadline (claimed late, or still open past it as of `end`);
    - urged / notices: 催办 and 督办单 addressed to the unit dated in the window;
    - returned: times a completion claim of the unit's was sent back, dated in the window;
    - missing_reports: monthly reports due in the window (report day ≤ `end`) that never came.
    Sub-tasks count for the county that leads them, not for the city that split them.
    """
    tasks = list(
        task_queryset().filter(lead_unit=unit, state__in=ISSUED_STATES, deadline__gte=start, deadline__lte=end)
    )
    closed_on_time = sum(
        1 for t in tasks if t.state == TaskState.CLOSED and t.claimed_on is not None and t.claimed_on <= t.deadline
    )
    overdue = sum(1 for t in tasks if _was_overdue(t, end))
    actions = SupervisionAction.objects.filter(unit=unit, on__gte=start, on__lte=end)
    returned = TaskTransition.objects.filter(task__lead_unit=unit, action="return", on__gte=start, on__lte=end).count()
    missing = 0
    for task in task_queryset().filter(lead_unit=unit, state__in=ISSUED_STATES):
        missing += sum(
            1 for p in missing_periods_of(task, today=end + datetime.timedelta(days=1)) if p >= start.replace(day=1)
        )
    return {
        "tasks_led": len(tasks),
        "closed_on_time": closed_on_time,
        "overdue": overdue,
        "urged": actions.filter(kind=ActionKind.URGE).count(),
        "notices": actions.filter(kind=ActionKind.NOTICE).count(),
        "returned": returned,
        "missing_reports": missing,
    }


def _was_overdue(task: Task, end: datetime.date) -> bool:
    if task.claimed_on is not None and task.state in (TaskState.COMPLETION_CLAIMED, TaskState.CLOSED):
        return task.claimed_on > task.deadline
    return end > task.deadline


def missing_reports_by_unit(user: Any, *, today: datetime.date | None = None) -> list[dict[str, Any]]:
    """Open visible tasks with missing monthly reports, grouped by lead unit (worst first)."""
    day = today or clock.today()
    per_unit: dict[int, dict[str, Any]] = {}
    for task in task_queryset().visible_to(user).filter(state__in=OPEN_STATES):
        missing = missing_periods_of(task, today=day)
        if not missing:
            continue
        entry = per_unit.setdefault(task.lead_unit_id, {"unit": task.lead_unit, "tasks": [], "count": 0})
        entry["tasks"].append((task, missing))
        entry["count"] += len(missing)
    return sorted(per_unit.values(), key=lambda e: (-e["count"], e["unit"].path))
