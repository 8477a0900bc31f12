"""Creating, editing, moving and splitting tasks (the lifecycle table lives in `workflow`)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kaifang.accounts.models import Role
from kaifang.accounts.permissions import is_province_user
from kaifang.audit.services import record_event
from kaifang.core import clock
from kaifang.core.actors import actor_display_name as _actor_name
from kaifang.core.actors import actor_user as _actor_user
from kaifang.core.actors import is_system_actor as _is_system
from kaifang.core.versions import check_version
from kaifang.notifications.services import notify_unit
from kaifang.orgs.models import OrgUnit, UnitKind
from kaifang.orgs.scope import can_see_unit
from kaifang.supervision import workflow
from kaifang.supervision.models import (
    Milestone,
    SourceKind,
    Task,
    TaskCategory,
    TaskLevel,
    TaskState,
    TaskTransition,
)

TASK_FIELDS = [
    "code",
    "title",
    "body",
    "category",
    "level",
    "source_kind",
    "source_title",
    "source_meeting_id",
    "lead_unit_id",
    "responsible_leader",
    "deadline",
    "report_day",
    "state",
    "parent_id",
    "version",
]
CODE_RE = re.compile(r"^[A-Za-z0-9-]{1,32}$")


def _snapshot(task: Task) -> dict[str, Any]:
    data = {name: getattr(task, name) for name in TASK_FIELDS}
    data["co_units"] = sorted(task.co_units.values_list("code", flat=True)) if task.pk else []
    return data


def _check_version(task: Task, expected_version: int | None) -> None:
    message = _("该事项已被他人修改（当前版本 %(v)d，您提交的是版本 %(e)d），本次操作未生效。请刷新后重试。")
    check_version(task, expected_version, message, params={"v": task.version, "e": expected_version})


def _resolve_unit(value: OrgUnit | str, field: str) -> OrgUnit:
    if isinstance(value, OrgUnit):
        return value
    unit = OrgUnit.objects.filter(code=str(value)).first()
    if unit is None:
        raise ValidationError({field: _("单位代码“%(c)s”不存在。") % {"c": value}})
    return unit


def _resolve_category(category: str) -> str:
    if not category:
        return TaskCategory.OTHER
    if category in TaskCategory.values:
        return category
    for value, label in TaskCategory.choices:
        if str(label) == category:
            return value
    raise ValidationError({"category": _("未知类别：%(c)s") % {"c": category}})


def next_task_code(year: int, *, prefix: str = "DB") -> str:
    """DB-2018-001, DB-2018-002 … (the next free number of the year)."""
    stem = f"{prefix}-{year}-"
    codes = Task.objects.filter(code__startswith=stem, parent__isnull=True).values_list("code", flat=True)
    numbers = [int(c[len(stem) :]) for c in codes if c[len(stem) :].isdigit()]
    return f"{stem}{(max(numbers) + 1 if numbers else 1):03d}"


def _validate_task_fields(
    *, title: str, deadline: Any, report_day: int | None, lead_unit: OrgUnit, co_units: Sequence[OrgUnit]
) -> None:
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("事项名称不能为空。")
    elif len(title) > 200:
        errors["title"] = _("事项名称不能超过200字。")
    if not isinstance(deadline, datetime.date) or not 2000 <= deadline.year <= 2100:
        errors["deadline"] = _("请填写正确的办理时限。")
    if report_day is not None and not 1 <= report_day <= 28:
        errors["report_day"] = _("每月报送日应在1至28日之间。")
    if lead_unit.kind == UnitKind.PROVINCE:
        errors["lead_unit"] = _("牵头单位应为市、县（区）、省直部门或开放平台。")
    if any(u.pk == lead_unit.pk for u in co_units):
        errors["co_units"] = _("配合单位不能与牵头单位相同。")
    if errors:
        raise ValidationError(errors)


def create_task(
    *,
    actor: Any,
    title: str,
    lead_unit: OrgUnit | str,
    deadline: datetime.date,
    body: str = "",
    category: str = "",
    level: str = "",
    co_units: Iterable[OrgUnit | str] = (),
    responsible_leader: str = "",
    source_kind: str = "meeting",
    source_title: str = "",
    source_excerpt: str = "",
    source_meeting_id: int | None = None,
    milestones: Iterable[tuple[str, datetime.date]] = (),
    report_day: int | None = 25,
    parent: Task | None = None,
    code: str = "",
    request_key: str = "",
) -> Task:
    """Create a task as a draft (立项). Province supervisors and admins may, for any unit; a city
    officer for the units below its city (it then issues and verifies the task itself); code
    (a string actor) always. The code is generated (DB-2018-001) unless given. A repeated
    `request_key` returns the task it created."""
    lead = _resolve_unit(lead_unit, "lead_unit")
    co = [_resolve_unit(u, "co_units") for u in co_units]
    if not _is_system(actor) and not is_province_user(actor) and not _city_may_issue(actor, lead, co, parent):
        raise PermissionDenied(_("只有省级督查人员，或市级对本市所辖单位，可以立项。"))
    _validate_task_fields(title=title, deadline=deadline, report_day=report_day, lead_unit=lead, co_units=co)
    if source_kind not in SourceKind.values:
        raise ValidationError({"source_kind": _("未知来源类型。")})
    if level and level not in TaskLevel.values:
        raise ValidationError({"level": _("未知督办等级。")})
    steps = [(str(t).strip(), d) for t, d in milestones]
    for step_title, due in steps:
        if not step_title or not isinstance(due, datetime.date):
            raise ValidationError({"milestones": _("每个工作节点都要有名称和日期。")})
        if due > deadline:
            raise ValidationError({"milestones": _("节点“%(t)s”的时限晚于办理时限。") % {"t": step_title}})
    if code and not CODE_RE.match(code):
        raise ValidationError({"code": _("编号只能包含字母、数字和连字符。")})
    with transaction.atomic():
        if request_key:
            already = Task.objects.filter(request_key=request_key[:64]).first()
            if already is not None:  # the same form submitted twice
                return already
        code = code or next_task_code(clock.today().year)
        if Task.objects.filter(code=code).exists():
            raise ValidationError({"code": _("编号 %(c)s 已存在。") % {"c": code}})
        task = Task.objects.create(
            code=code,
            title=title.strip(),
            body=body.strip(),
            category=_resolve_category(category),
            level=level or (parent.level if parent is not None else TaskLevel.NORMAL),
            source_kind=source_kind,
            source_title=source_title.strip()[:200],
            source_excerpt=source_excerpt.strip(),
            source_meeting_id=source_meeting_id,
            issuer_unit=parent.lead_unit if parent is not None else _issuer_for(actor),
            lead_unit=lead,
            responsible_leader=responsible_leader.strip()[:60],
            deadline=deadline,
            report_day=report_day,
            parent=parent,
            created_by=_actor_user(actor),
            request_key=request_key[:64],
        )
        task.co_units.set(co)
        Milestone.objects.bulk_create([Milestone(task=task, title=t[:200], due_date=d) for t, d in steps])
        record_event(actor=actor, action="supervision.task.create", obj=task, unit=lead, after=_snapshot(task))
    return task


def _city_may_issue(actor: Any, lead: OrgUnit, co: Sequence[OrgUnit], parent: Task | None) -> bool:
    """A city officer issues to units strictly below its city (never to itself: nobody verifies
    their own work); a sub-task additionally needs the right to split its parent."""
    if parent is not None:
        return workflow.can_split(actor, parent)
    city = getattr(actor, "unit", None)
    if getattr(actor, "role", None) != Role.CITY_OFFICER or city is None:
        return False
    return all(unit.pk != city.pk and can_see_unit(actor, unit) for unit in (lead, *co))


def _issuer_for(actor: Any) -> OrgUnit:
    unit = getattr(actor, "unit", None)
    if unit is not None:
        return unit  # type: ignore[no-any-return]
    return OrgUnit.objects.filter(kind=UnitKind.PROVINCE).order_by("path").first()  # type: ignore[return-value]


def update_task(
    *,
    actor: Any,
    task: Task,
    expected_version: int,
    title: str,
    deadline: datetime.date,
    lead_unit: OrgUnit | str,
    body: str = "",
    category: str = "",
    co_units: Iterable[OrgUnit | str] = (),
    responsible_leader: str = "",
    report_day: int | None = 25,
) -> Task:
    """Edit a task while it is a draft (after review it is fixed; reopen it to edit)."""
    if not _is_system(actor) and workflow.SUPERVISOR not in workflow.actor_kinds(actor, task):
        raise PermissionDenied(_("只有督查人员可以修改事项。"))
    lead = _resolve_unit(lead_unit, "lead_unit")
    co = [_resolve_unit(u, "co_units") for u in co_units]
    _validate_task_fields(title=title, deadline=deadline, report_day=report_day, lead_unit=lead, co_units=co)
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        _check_version(task, expected_version)
        if task.state != TaskState.DRAFT:
            raise ValidationError(_("只有草稿状态的事项可以修改。"))
        before = _snapshot(task)
        task.title, task.body, task.deadline, task.lead_unit = title.strip(), body.strip(), deadline, lead
        task.category = _resolve_category(category)
        task.responsible_leader, task.report_day = responsible_leader.strip()[:60], report_day
        task.version, task.updated_at = task.version + 1, clock.now()
        task.save()
        task.co_units.set(co)
        record_event(
            actor=actor, action="supervision.task.update", obj=task, unit=lead, before=before, after=_snapshot(task)
        )
    return task


def transition(
    *,
    actor: Any,
    task: Task,
    action: str,
    expected_version: int | None = None,
    reason: str = "",
    on: datetime.date | None = None,
) -> Task:
    """Take one step of the lifecycle (see `workflow.TRANSITIONS`); anything else is refused with a
    clear message and changes nothing. Audited; notifies whoever acts next."""
    day = on or clock.today()
    with transaction.atomic():
        task = Task.objects.select_for_update().select_related("lead_unit", "issuer_unit").get(pk=task.pk)
        _check_version(task, expected_version)
        label = workflow.TRANSITIONS.label(action)
        step = workflow.TRANSITIONS.transition(
            task.state,
            action,
            None if _is_system(actor) else workflow.actor_kinds(actor, task),
            refused=_("当前状态为“%(s)s”，不能执行“%(a)s”。") % {"s": task.get_state_display(), "a": label},
            forbidden=_("您无权对该事项执行“%(a)s”。") % {"a": label},
        )
        if not _is_system(actor) and (problem := workflow.four_eyes_problem(actor, task, action)):
            raise PermissionDenied(problem)
        if action == "claim" and task.children.exclude(state=TaskState.CLOSED).exists():
            raise ValidationError(_("分解下达的子事项尚未全部办结销号，暂不能申请办结。"), code="children_open")
        if step.needs_reason and not reason.strip():
            raise ValidationError({"reason": _("请填写“%(a)s”的理由。") % {"a": step.label}})
        _apply_step(task, action, step.to, actor=actor, reason=reason.strip(), day=day)
    return task


def _apply_step(task: Task, action: str, to_state: str, *, actor: Any, reason: str, day: datetime.date) -> None:
    """Inside the caller's transaction, with `task` locked: move, stamp dates, record, notify, audit."""
    before = {"state": task.state, "version": task.version}
    from_state = task.state
    task.state = to_state
    if to_state == TaskState.ISSUED:
        task.issued_on = day
    if action == "acknowledge":  # 签收 (and, since it is one step, the start of the work)
        task.acknowledged_on = day
    elif to_state == TaskState.COMPLETION_CLAIMED:
        task.claimed_on = day
    elif to_state == TaskState.CLOSED:
        task.closed_on = day
        task.progress = 100
    task.version, task.updated_at = task.version + 1, clock.now()
    task.save()
    TaskTransition.objects.create(
        task=task,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        actor=_actor_user(actor),
        actor_name=_actor_name(actor),
        on=day,
    )
    _notify_step(task, to_state, reason)
    record_event(
        actor=actor,
        action=f"supervision.task.{action}",
        obj=task,
        unit=task.lead_unit,
        before=before,
        after={"state": task.state, "version": task.version, "reason": reason},
    )


def _notify_step(task: Task, to_state: str, reason: str) -> None:
    url = f"/supervision/tasks/{task.pk}/"
    key = f"task:{task.pk}:state:{to_state}:v{task.version}"
    if to_state == TaskState.ISSUED:
        notify_unit(
            unit=task.lead_unit, kind="task_issued", title=f"新交办督办事项：{task.title}", dedup_key=key, url=url
        )
        for unit in task.co_units.all():
            notify_unit(unit=unit, kind="task_issued", title=f"请配合办理：{task.title}", dedup_key=key, url=url)
    elif to_state == TaskState.COMPLETION_CLAIMED:
        notify_unit(
            unit=task.issuer_unit, kind="task_claimed", title=f"申请办结待复核：{task.title}", dedup_key=key, url=url
        )
    elif to_state in (TaskState.CLOSED, TaskState.RETURNED):
        title = f"已办结销号：{task.title}" if to_state == TaskState.CLOSED else f"退回重办：{task.title}"
        notify_unit(unit=task.lead_unit, kind=f"task_{to_state}", title=title, body=reason, dedup_key=key, url=url)
