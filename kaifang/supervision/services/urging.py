"""The supervisor's side: urging (催办) and formal supervision notices (督办通知单)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kaifang.audit.services import record_event
from kaifang.core import clock
from kaifang.notifications.services import notify_unit
from kaifang.supervision import workflow
from kaifang.supervision.models import OPEN_STATES, ActionKind, SupervisionAction, Task, TaskState
from kaifang.supervision.services.tasks import _actor_name, _actor_user, _is_system


def _supervise_guard(actor: Any, task: Task) -> None:
    if not _is_system(actor) and not workflow.can_supervise(actor, task):
        raise PermissionDenied(_("只有督查人员可以催办或发督办单。"))
    if task.state not in OPEN_STATES and task.state != TaskState.COMPLETION_CLAIMED:
        raise ValidationError(_("事项当前状态为“%(s)s”，无需催办。") % {"s": task.get_state_display()})


def urge_task(*, actor: Any, task: Task, message: str, on: datetime.date | None = None) -> SupervisionAction:
    """催办: a supervisor presses the lead unit, with a message. Logged, notified, counted per unit."""
    day = on or clock.today()
    if not message.strip():
        raise ValidationError({"message": _("请填写催办内容。")})
    with transaction.atomic():
        task = Task.objects.select_for_update().select_related("lead_unit").get(pk=task.pk)
        _supervise_guard(actor, task)
        action = SupervisionAction.objects.create(
            task=task,
            unit=task.lead_unit,
            kind=ActionKind.URGE,
            message=message.strip()[:2000],
            on=day,
            actor=_actor_user(actor),
            actor_name=_actor_name(actor),
        )
        notify_unit(
            unit=task.lead_unit,
            kind="task_urged",
            title=f"催办：{task.title}",
            body=action.message,
            dedup_key=f"task:{task.pk}:urge:{action.pk}",
            url=f"/supervision/tasks/{task.pk}/",
        )
        record_event(
            actor=actor,
            action="supervision.task.urge",
            obj=task,
            unit=task.lead_unit,
            after={"message": action.message, "action": action.pk},
        )
    return action


def issue_notice(
    *,
    actor: Any,
    task: Task,
    requirement: str,
    reply_by: datetime.date | None = None,
    on: datetime.date | None = None,
) -> SupervisionAction:
    """督办通知单: a numbered formal notice (printable PDF) to the lead unit."""
    day = on or clock.today()
    if not requirement.strip():
        raise ValidationError({"requirement": _("请填写督办要求。")})
    if reply_by is not None and reply_by < day:
        raise ValidationError({"reply_by": _("回复时限不能早于今天。")})
    with transaction.atomic():
        task = Task.objects.select_for_update().select_related("lead_unit").get(pk=task.pk)
        _supervise_guard(actor, task)
        count = SupervisionAction.objects.filter(kind=ActionKind.NOTICE, on__year=day.year).count()
        action = SupervisionAction.objects.create(
            task=task,
            unit=task.lead_unit,
            kind=ActionKind.NOTICE,
            number=f"督办〔{day.year}〕{count + 1}号",
            message=requirement.strip()[:4000],
            reply_by=reply_by,
            on=day,
            actor=_actor_user(actor),
            actor_name=_actor_name(actor),
        )
        notify_unit(
            unit=task.lead_unit,
            kind="task_notice",
            title=f"督办通知单 {action.number}：{task.title}",
            body=action.message,
            dedup_key=f"task:{task.pk}:notice:{action.pk}",
            url=f"/supervision/notices/{action.pk}.pdf",
        )
        record_event(
            actor=actor,
            action="supervision.task.notice",
            obj=task,
            unit=task.lead_unit,
            after={"number": action.number, "requirement": action.message, "reply_by": reply_by},
        )
    return action


def escalate_task(*, actor: Any, task: Task, reason: str, on: datetime.date | None = None) -> SupervisionAction:
    """Escalation of an overdue task: first a yellow card (黄牌警示) to the lead unit; a task already
    carrying one gets a red card (挂牌督办), which also tells the province supervision office.
    Only a task with an overdue step may be escalated; a red card is the last step."""
    from kaifang.orgs.models import OrgUnit, UnitKind
    from kaifang.supervision.selectors import steps_of

    day = on or clock.today()
    if not reason.strip():
        raise ValidationError({"reason": _("请填写亮牌理由。")})
    with transaction.atomic():
        task = Task.objects.select_for_update().select_related("lead_unit").get(pk=task.pk)
        _supervise_guard(actor, task)
        overdue = [step for step in steps_of(task, today=day) if step.overdue]
        if not overdue:
            raise ValidationError(_("该事项没有逾期的环节，不能亮牌。"), code="not_overdue")
        cards = set(
            task.actions.filter(kind__in=(ActionKind.YELLOW_CARD, ActionKind.RED_CARD)).values_list("kind", flat=True)
        )
        if ActionKind.RED_CARD in cards:
            raise ValidationError(_("该事项已挂牌督办（红牌）。"), code="already_red")
        kind = ActionKind.RED_CARD if ActionKind.YELLOW_CARD in cards else ActionKind.YELLOW_CARD
        states = "、".join(step.state_label for step in overdue)
        action = SupervisionAction.objects.create(
            task=task,
            unit=task.lead_unit,
            kind=kind,
            message=f"{states}：{reason.strip()[:1900]}",
            on=day,
            actor=_actor_user(actor),
            actor_name=_actor_name(actor),
        )
        label = _("黄牌警示") if kind == ActionKind.YELLOW_CARD else _("红牌挂牌督办")
        url = f"/supervision/tasks/{task.pk}/"
        notify_unit(
            unit=task.lead_unit,
            kind=f"task_{kind}",
            title=f"{label}：{task.title}",
            body=action.message,
            dedup_key=f"task:{task.pk}:{kind}",
            url=url,
        )
        if kind == ActionKind.RED_CARD:
            province = OrgUnit.objects.filter(kind=UnitKind.PROVINCE).order_by("path").first()
            if province is not None:
                notify_unit(
                    unit=province,
                    kind="task_red_card",
                    title=f"挂牌督办：{task.lead_unit.name} · {task.title}",
                    body=action.message,
                    dedup_key=f"task:{task.pk}:red_card:province",
                    url=url,
                )
        record_event(
            actor=actor,
            action=f"supervision.task.{kind}",
            obj=task,
            unit=task.lead_unit,
            after={"kind": kind, "overdue": [step.key for step in overdue], "reason": reason.strip()},
        )
    return action
