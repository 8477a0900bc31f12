"""Splitting a task (分解下达): a city hands part of a task it leads to one of its counties."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kaifang.audit.services import record_event
from kaifang.core import clock
from kaifang.orgs.models import OrgUnit
from kaifang.supervision import workflow
from kaifang.supervision.models import Task, TaskState
from kaifang.supervision.services.tasks import _apply_step, _is_system, _resolve_unit, create_task


def split_task(
    *,
    actor: Any,
    parent: Task,
    lead_unit: OrgUnit | str,
    title: str = "",
    deadline: datetime.date | None = None,
    body: str = "",
    on: datetime.date | None = None,
) -> Task:
    """A city leading a task hands part of it to one of its counties: the sub-task is issued at once
    by the city, which later verifies and closes it. The parent shows its children's progress."""
    day = on or clock.today()
    county = _resolve_unit(lead_unit, "lead_unit")
    if not _is_system(actor) and not workflow.can_split(actor, parent):
        raise PermissionDenied(_("只有牵头的市级单位可以把办理中的事项分解到所辖县（市、区）。"))
    if county.parent_id != parent.lead_unit_id:
        raise ValidationError({"lead_unit": _("只能分解到本市所辖县（市、区）。")})
    deadline = deadline or parent.deadline
    if deadline > parent.deadline:
        raise ValidationError({"deadline": _("子事项的时限不能晚于上级事项的时限（%(d)s）。") % {"d": parent.deadline}})
    with transaction.atomic():
        parent = Task.objects.select_for_update().get(pk=parent.pk)
        number = parent.children.count() + 1
        child = create_task(
            actor=actor,
            title=title.strip() or parent.title,
            lead_unit=county,
            deadline=deadline,
            body=body or parent.body,
            category=parent.category,
            source_kind=parent.source_kind,
            source_title=parent.source_title,
            source_excerpt=parent.source_excerpt,
            source_meeting_id=parent.source_meeting_id,
            report_day=parent.report_day,
            responsible_leader=parent.responsible_leader,
            parent=parent,
            code=f"{parent.code}-{number:02d}",
        )
        _apply_step(
            child,
            "issue",
            TaskState.ISSUED,
            actor=actor,
            reason=_("由%(u)s分解下达") % {"u": parent.lead_unit},
            day=day,
        )
        record_event(
            actor=actor, action="supervision.task.split", obj=parent, unit=parent.lead_unit, after={"child": child.code}
        )
    return child
