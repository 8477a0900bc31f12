"""Extension requests (延期申请): the lead unit asks, the issuer approves or refuses.

An approved request moves the task's deadline to the new date; the first deadline stays in
`Task.original_deadline` and `Task.extension_count` counts approvals, so lights, overdue states and
the assessment's task item use the approved date and can say an extension was granted.
"""

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
from kaifang.supervision.models import OPEN_STATES, ExtensionRequest, ExtensionStatus, Task
from kaifang.supervision.services.tasks import _actor_name, _actor_user, _check_version, _is_system


def request_extension(
    *,
    actor: Any,
    task: Task,
    new_deadline: datetime.date,
    reason: str,
    expected_version: int | None = None,
    on: datetime.date | None = None,
) -> ExtensionRequest:
    """The lead unit asks for `new_deadline` (later than the current one) with a reason; one open
    request per task. The issuer is notified."""
    day = on or clock.today()
    if not reason.strip():
        raise ValidationError({"reason": _("请填写延期理由。")})
    with transaction.atomic():
        task = Task.objects.select_for_update().select_related("lead_unit", "issuer_unit").get(pk=task.pk)
        _check_version(task, expected_version)
        if not _is_system(actor) and workflow.LEAD not in workflow.actor_kinds(actor, task):
            raise PermissionDenied(_("只有牵头单位可以申请延期。"))
        if task.state not in OPEN_STATES:
            raise ValidationError(_("事项当前状态为“%(s)s”，不能申请延期。") % {"s": task.get_state_display()})
        if not isinstance(new_deadline, datetime.date) or new_deadline <= task.deadline:
            raise ValidationError(
                {"new_deadline": _("延期后的时限应晚于当前办理时限（%(d)s）。") % {"d": task.deadline.isoformat()}}
            )
        if task.extensions.filter(status=ExtensionStatus.PENDING).exists():
            raise ValidationError(_("已有一份延期申请待审批，请等待审批结果。"), code="pending")
        request = ExtensionRequest.objects.create(
            task=task,
            unit=task.lead_unit,
            old_deadline=task.deadline,
            new_deadline=new_deadline,
            reason=reason.strip()[:2000],
            requested_on=day,
            requested_by=_actor_user(actor),
            requested_by_name=_actor_name(actor),
        )
        notify_unit(
            unit=task.issuer_unit,
            kind="task_extension_requested",
            title=f"延期申请待审批：{task.title}（申请延期至{new_deadline:%Y-%m-%d}）",
            body=request.reason,
            dedup_key=f"task:{task.pk}:extension:{request.pk}",
            url=f"/supervision/tasks/{task.pk}/#extensions",
        )
        record_event(
            actor=actor,
            action="supervision.task.extension_request",
            obj=task,
            unit=task.lead_unit,
            after={"request": request.pk, "old": task.deadline, "new": new_deadline, "reason": request.reason},
        )
    return request


def decide_extension(
    *, actor: Any, request: ExtensionRequest, approve: bool, note: str = "", on: datetime.date | None = None
) -> ExtensionRequest:
    """The issuer approves (the deadline moves) or refuses (a note is required) a pending request."""
    day = on or clock.today()
    if not approve and not note.strip():
        raise ValidationError({"note": _("不批准延期时请写明理由。")})
    with transaction.atomic():
        request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
        task = Task.objects.select_for_update().select_related("lead_unit").get(pk=request.task_id)
        if not _is_system(actor) and not workflow.can_supervise(actor, task):
            raise PermissionDenied(_("只有交办单位的督查人员可以审批延期申请。"))
        if request.status != ExtensionStatus.PENDING:
            raise ValidationError(
                _("该延期申请已审批（%(s)s）。") % {"s": request.get_status_display()}, code="decided"
            )
        before = {"deadline": task.deadline, "extension_count": task.extension_count}
        request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
        request.decided_on, request.decision_note = day, note.strip()[:2000]
        request.decided_by, request.decided_by_name = _actor_user(actor), _actor_name(actor)
        request.save()
        if approve:
            task.original_deadline = task.original_deadline or task.deadline
            task.deadline = request.new_deadline
            task.extension_count += 1
            task.version, task.updated_at = task.version + 1, clock.now()
            task.save()
        verdict = _("已批准") if approve else _("未批准")
        notify_unit(
            unit=task.lead_unit,
            kind="task_extension_decided",
            title=f"延期申请{verdict}：{task.title}",
            body=request.decision_note,
            dedup_key=f"task:{task.pk}:extension:{request.pk}:{request.status}",
            url=f"/supervision/tasks/{task.pk}/#extensions",
        )
        record_event(
            actor=actor,
            action=f"supervision.task.extension_{'approve' if approve else 'refuse'}",
            obj=task,
            unit=task.lead_unit,
            before=before,
            after={
                "request": request.pk,
                "deadline": task.deadline,
                "extension_count": task.extension_count,
                "note": request.decision_note,
            },
        )
    return request
