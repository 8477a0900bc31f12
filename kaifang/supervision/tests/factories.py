"""Small builders for supervision tests: tasks put straight into a given state (test set-up only)."""

from __future__ import annotations

import datetime
from typing import Any

from kaifang.core.actors import SystemActor
from kaifang.orgs.models import OrgUnit
from kaifang.supervision import services
from kaifang.supervision.models import Task, TaskState

D = datetime.date
ISSUED = D(2018, 4, 27)
YEAR_END = D(2018, 12, 31)


def make_task(
    *,
    lead: str = "210112",
    state: str = TaskState.DRAFT,
    deadline: datetime.date = YEAR_END,
    co: tuple[str, ...] = (),
    title: str = "推进跨境电商试点",
    report_day: int | None = 25,
    parent: Task | None = None,
    issued_on: datetime.date | None = ISSUED,
    milestones: tuple[tuple[str, datetime.date], ...] = (),
    **fields: Any,
) -> Task:
    """A task led by `lead` in `state` (issued on 2018-04-27 unless still a draft or reviewed)."""
    task = services.create_task(
        actor=SystemActor("test"),
        title=title,
        lead_unit=lead,
        deadline=deadline,
        co_units=co,
        report_day=report_day,
        parent=parent,
        milestones=milestones,
    )
    updates: dict[str, Any] = {"state": state, **fields}
    if state not in (TaskState.DRAFT, TaskState.REVIEWED):
        updates.setdefault("issued_on", issued_on)
    Task.objects.filter(pk=task.pk).update(**updates)
    return Task.objects.get(pk=task.pk)


def make_sub_task(*, county: str = "210112", state: str = TaskState.ISSUED, **kwargs: Any) -> Task:
    """A sub-task 沈阳市 split off one of its tasks for `county` (issuer: 沈阳市)."""
    parent = make_task(lead="210100", state=TaskState.IN_PROGRESS, title="推进沈阳经济区一体化")
    child = make_task(lead=county, state=state, parent=parent, title="浑南区落实沈阳经济区一体化", **kwargs)
    Task.objects.filter(pk=child.pk).update(issuer_unit=OrgUnit.objects.get(code="210100"))
    return Task.objects.get(pk=child.pk)
