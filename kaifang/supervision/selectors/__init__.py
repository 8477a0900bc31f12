"""Reads about tasks, always through `Task.objects.visible_to(user)` / `get_task_for_user`."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaifang.core import clock
from kaifang.core.listing import Filter, Listing, ListSpec, Sort
from kaifang.orgs.forms import unit_filter
from kaifang.orgs.models import OrgUnit
from kaifang.supervision.lights import LIGHT_LABELS, SEVERITY, Light, TaskFacts, light_for, missing_report_periods
from kaifang.supervision.models import (
    ISSUED_STATES,
    OPEN_STATES,
    ActionKind,
    Milestone,
    ProgressReport,
    SupervisionAction,
    Task,
    TaskCategory,
    TaskState,
    TaskTransition,
)
from kaifang.supervision.selectors.counts import overdue_tasks_under as overdue_tasks_under  # published
from kaifang.supervision.selectors.counts import task_counts as task_counts  # published for the assessment
from kaifang.supervision.steps import (
    OVERDUE_LABELS,
    STEP_KEYS,
    LimitTable,
    StepState,
    limits_for,
    load_limits,
    step_states,
)


def task_queryset() -> Any:
    """Tasks with what every list shows. Milestones, report months and children come in bulk
    through `attach_related` (one query each for the whole list), not per task."""
    return Task.objects.select_related("lead_unit", "issuer_unit", "parent").prefetch_related("co_units")


def detail_queryset() -> Any:
    """For one task's page: also its milestones and attachments as model rows (the page edits them)."""
    return task_queryset().prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("due_date", "id")), "attachments"
    )


def get_task_for_user(user: Any, pk: int | str) -> Task:
    """One task, or 404 when it does not exist or lies outside `user`'s scope."""
    task = detail_queryset().visible_to(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if task is None:
        raise Http404("task not found")
    return task  # type: ignore[no-any-return]


def get_task_by_code_for_user(user: Any, code: str) -> Task:
    task = detail_queryset().visible_to(user).filter(code=code[:32]).first()
    if task is None:
        raise Http404("task not found")
    return task  # type: ignore[no-any-return]


@dataclass
class Related:
    """What a task's light needs beyond its own columns."""

    milestones: list[tuple[str, datetime.date, bool]] = field(default_factory=list)
    periods: set[datetime.date] = field(default_factory=set)
    children: list[tuple[int, str]] = field(default_factory=list)  # (progress, state)
    first_report_on: datetime.date | None = None


CHUNK = 500  # ids per IN (...) list: stays far below SQLite's variable limit


def attach_related(tasks: list[Task]) -> list[Task]:
    """Load milestones, reported months and children for many tasks in three queries per chunk."""
    related = {task.pk: Related() for task in tasks}
    ids = list(related)
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        milestones = Milestone.objects.filter(task_id__in=chunk).order_by("due_date", "id")
        for task_id, title, due, done in milestones.values_list("task_id", "title", "due_date", "done"):
            related[task_id].milestones.append((title, due, done))
        reports = ProgressReport.objects.filter(task_id__in=chunk).values_list("task_id", "period", "reported_on")
        for task_id, period, reported_on in reports:
            rel = related[task_id]
            rel.periods.add(period)
            if rel.first_report_on is None or reported_on < rel.first_report_on:
                rel.first_report_on = reported_on
        children = Task.objects.filter(parent_id__in=chunk).values_list("parent_id", "progress", "state")
        for parent_id, progress, state in children:
            related[parent_id].children.append((progress, state))
    for task in tasks:
        task._kf_related = related[task.pk]  # type: ignore[attr-defined]
    return tasks


def related_of(task: Task) -> Related:
    rel = getattr(task, "_kf_related", None)
    if rel is None:
        attach_related([task])
        rel = task._kf_related  # type: ignore[attr-defined]
    return rel  # type: ignore[no-any-return]


def missing_periods_of(task: Task, *, today: datetime.date) -> list[datetime.date]:
    """Months whose progress report is overdue and missing (stops counting once completion is claimed)."""
    if task.state in (TaskState.DRAFT, TaskState.REVIEWED):
        return []
    stop = task.claimed_on if task.state in (TaskState.COMPLETION_CLAIMED, TaskState.CLOSED) else None
    if task.state == TaskState.CLOSED and stop is None:
        stop = task.closed_on
    return missing_report_periods(
        issued_on=task.issued_on,
        report_day=task.report_day,
        reported_periods=related_of(task).periods,
        today=today,
        stop=stop,
    )


def effective_progress(task: Task) -> int:
    """A split task shows its children's average progress (a closed child counts 100%); otherwise its
    own latest report."""
    children = related_of(task).children
    if not children:
        return task.progress
    return round(sum(100 if state == TaskState.CLOSED else progress for progress, state in children) / len(children))


def steps_of(task: Task, *, today: datetime.date, limits: LimitTable | None = None) -> list[StepState]:
    """The task's per-step deadlines and overdue states (`kaifang.supervision.steps`)."""
    table = load_limits() if limits is None else limits
    return step_states(
        state=task.state,
        issued_on=task.issued_on,
        acknowledged_on=task.acknowledged_on,
        report_day=task.report_day,
        first_report_on=related_of(task).first_report_on,
        deadline=task.deadline,
        claimed_on=task.claimed_on,
        closed_on=task.closed_on,
        limits=limits_for(task.category, task.level, table),
        today=today,
    )


def facts_of(task: Task, *, today: datetime.date, steps: list[StepState] | None = None) -> TaskFacts:
    ack = next((s for s in steps or () if s.key == "ack" and s.overdue), None)
    return TaskFacts(
        state=task.state,
        deadline=task.deadline,
        issued_on=task.issued_on,
        progress=effective_progress(task),
        milestones=tuple(related_of(task).milestones),
        missing_periods=tuple(missing_periods_of(task, today=today)) if task.state in OPEN_STATES else (),
        report_day=task.report_day,
        claimed_on=task.claimed_on,
        closed_on=task.closed_on,
        ack_overdue_since=ack.due if ack else None,
        extended_from=task.original_deadline if task.extension_count else None,
    )


def light_of(task: Task, *, today: datetime.date | None = None) -> Light:
    day = today or clock.today()
    return light_for(facts_of(task, today=day, steps=steps_of(task, today=day)), today=day)


@dataclass
class TaskRow:
    task: Task
    light: Light
    progress: int
    missing: list[datetime.date]
    todo: list[str] = field(default_factory=list)  # this week's to-dos (my tasks only)
    steps: list[StepState] = field(default_factory=list)

    @property
    def overdue_steps(self) -> list[StepState]:
        return [step for step in self.steps if step.overdue]


def task_rows(tasks: Any, *, today: datetime.date | None = None) -> list[TaskRow]:
    """Each task with its light, progress and missing report months (related rows loaded in bulk)."""
    day = today or clock.today()
    limits = load_limits()
    rows = []
    for task in attach_related(list(tasks)):
        steps = steps_of(task, today=day, limits=limits)
        facts = facts_of(task, today=day, steps=steps)
        rows.append(
            TaskRow(
                task=task,
                light=light_for(facts, today=day),
                progress=facts.progress,
                missing=list(facts.missing_periods),
                steps=steps,
            )
        )
    return rows


def _meetings_of(user: Any) -> list[tuple[str, str]]:
    titles = Task.objects.visible_to(user).exclude(source_title="").values_list("source_title", flat=True)
    return [(t, t) for t in sorted(set(titles))]


TASK_LIST = ListSpec(
    filters=(
        Filter("light", gettext_lazy("灯色"), lookup=None, choices=list(LIGHT_LABELS.items())),
        Filter("state", gettext_lazy("状态"), lookup="state", choices=TaskState.choices),
        Filter("category", gettext_lazy("类别"), lookup="category", choices=TaskCategory.choices),
        unit_filter(name="lead_unit", label=gettext_lazy("牵头单位"), relation="lead_unit", subtree=False),
        unit_filter(name="co_unit", label=gettext_lazy("配合单位"), relation="co_units", subtree=False),
        Filter("meeting", gettext_lazy("来源会议"), lookup="source_title", choices_for=_meetings_of, max_length=200),
    ),
    search=("title", "code"),
    search_label=gettext_lazy("事项名称或编号"),
    sorts=(
        Sort("light", gettext_lazy("灯色（红灯在前）")),
        Sort("deadline", gettext_lazy("办理时限（近→远）"), ("deadline", "code")),
        Sort("-deadline", gettext_lazy("办理时限（远→近）"), ("-deadline", "code")),
        Sort("code", gettext_lazy("编号"), ("code",)),
        Sort("progress", gettext_lazy("进度（低→高）")),
    ),
)


def board_rows(user: Any, listing: Listing) -> list[TaskRow]:
    """The board's rows: TASK_LIST's filters, then the derived ones (light) and orders (light:
    red first, then by deadline; progress: lowest first) that only exist once lights are computed."""
    qs = listing.apply(task_queryset().visible_to(user).order_by("deadline", "code"))
    rows = task_rows(qs.distinct())
    if listing.get("light"):
        rows = [r for r in rows if r.light.color == listing.get("light")]
    if listing.sort == "light":
        rows.sort(key=lambda r: -SEVERITY[r.light.color])  # stable: by deadline within a colour
    elif listing.sort == "progress":
        rows.sort(key=lambda r: r.progress)
    return rows


def board_summary(rows: list[TaskRow]) -> dict[str, Any]:
    """Counts for the province board: by light, lead unit, source meeting and category."""
    by_light = Counter(row.light.color for row in rows)
    by_overdue = Counter(step.key for row in rows for step in row.steps if step.overdue)
    by_unit: dict[str, Counter[str]] = defaultdict(Counter)
    by_meeting: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    unit_names: dict[str, str] = {}
    category_labels = {value: str(label) for value, label in TaskCategory.choices}
    for row in rows:
        code = row.task.lead_unit.code
        unit_names[code] = row.task.lead_unit.name
        by_unit[code][row.light.color] += 1
        by_unit[code]["total"] += 1
        by_meeting[row.task.source_title or "—"] += 1
        by_category[category_labels.get(row.task.category, row.task.category)] += 1
    order = sorted(by_unit, key=lambda c: (-by_unit[c]["red"], -by_unit[c]["yellow"], -by_unit[c]["total"], c))
    units: list[dict[str, Any]] = [{"code": c, "name": unit_names[c], **by_unit[c]} for c in order]
    return {
        "by_light": {color: by_light.get(color, 0) for color in ("red", "yellow", "green", "grey")},
        "by_overdue": [(key, str(OVERDUE_LABELS[key]), by_overdue.get(key, 0)) for key in STEP_KEYS],
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
    due_week = []
    for row in rows:
        row.todo = week_todo(row, day, week_end) if row.task.state in OPEN_STATES else []
        if row.todo:
            due_week.append(row)
    co = task_rows(
        task_queryset().visible_to(user).filter(co_units=unit, state__in=OPEN_STATES).order_by("deadline"), today=day
    )
    return {"all": rows, "due_week": due_week, "co": co}


def week_todo(row: TaskRow, day: datetime.date, week_end: datetime.date) -> list[str]:
    """What the lead unit has to do on this task by the end of the week (empty: nothing)."""
    task, todo = row.task, []
    if task.state == TaskState.ISSUED:
        todo.append(_("待签收"))
    if task.deadline <= week_end:
        d = task.deadline
        todo.append(_("%(m)s月%(d)s日到期") % {"m": d.month, "d": d.day} if d >= day else _("已超期"))
    for period in row.missing:
        todo.append(_("补报%(m)s月进展") % {"m": period.month})
    if task.report_day:
        due = day.replace(day=task.report_day)
        if day <= due <= week_end and day.replace(day=1) not in related_of(task).periods:
            todo.append(_("%(m)s月%(d)s日前报送本月进展") % {"m": due.month, "d": due.day})
    for title, due, done in related_of(task).milestones:
        if not done and due <= week_end:
            late = _("已超期") if due < day else _("到期")
            todo.append(
                _("节点“%(t)s”%(m)s月%(d)s日%(late)s") % {"t": title, "m": due.month, "d": due.day, "late": late}
            )
    return todo


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
    for task in attach_related(list(Task.objects.filter(lead_unit=unit, state__in=ISSUED_STATES))):
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


def missing_reports_by_unit(rows: list[TaskRow]) -> list[dict[str, Any]]:
    """The rows' missing monthly reports grouped by lead unit (most missing first)."""
    per_unit: dict[int, dict[str, Any]] = {}
    for row in rows:
        if not row.missing:
            continue
        task = row.task
        entry = per_unit.setdefault(task.lead_unit_id, {"unit": task.lead_unit, "tasks": [], "count": 0})
        entry["tasks"].append((task, row.missing))
        entry["count"] += len(row.missing)
    return sorted(per_unit.values(), key=lambda e: (-e["count"], e["unit"].path))


def tasks_citing_meeting(user: Any, meeting_id: int) -> Any:
    """Top-level tasks that cite meeting `meeting_id` as their source, as far as `user` may see them
    (published for the meetings area, which never reads supervision's models itself)."""
    return (
        Task.objects.visible_to(user)
        .filter(source_meeting_id=meeting_id, parent__isnull=True)
        .select_related("lead_unit")
        .order_by("code")
    )
