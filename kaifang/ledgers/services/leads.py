"""Working a lead: the 响应 / 研判 / 反馈 milestones its timers watch, and follow-up records (跟进记录)
with their status. Each write checks scope and is audited in the same transaction."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from kaifang.audit.services import record_event
from kaifang.core import clock
from kaifang.core.actors import actor_display_name as actor_name
from kaifang.ledgers.models import FollowUp, InvestmentProject
from kaifang.ledgers.reference import FollowUpKind, FollowUpStatus
from kaifang.ledgers.services import check_can_write, check_date, check_version

LEAD_MILESTONES = {"respond": "responded_on", "assess": "assessed_on", "feedback": "feedback_on"}


def record_lead_milestone(
    *, actor: Any, project: InvestmentProject, milestone: str, on: datetime.date
) -> InvestmentProject:
    """Record that a lead was answered (响应), assessed (研判) or given feedback (反馈) on `on`."""
    field = LEAD_MILESTONES.get(milestone)
    if field is None:
        raise ValidationError("未知的线索处理环节。")
    with transaction.atomic():
        project = InvestmentProject.objects.select_for_update().get(pk=project.pk)
        check_can_write(actor, project.unit)
        check_date(on, label="处理日期", not_before=project.lead_received_on)
        if getattr(project, field) is not None:
            return project  # already recorded: a double submit applies once
        setattr(project, field, on)
        project.version = F("version") + 1
        project.save(update_fields=[field, "version"])
        project.refresh_from_db()
        record_event(actor=actor, action=f"ledgers.lead.{milestone}", obj=project, after={field: on})
    return project


def add_follow_up(*, actor: Any, project: InvestmentProject, kind: str, text: str) -> FollowUp:
    if kind not in FollowUpKind.values:
        raise ValidationError("未知的记录类型。")
    if not text.strip() or len(text) > 2000:
        raise ValidationError({"text": ["请填写内容（2000字以内）。"]})
    check_can_write(actor, project.unit)
    with transaction.atomic():
        item = FollowUp.objects.create(project=project, kind=kind, text=text.strip(), actor_name=actor_name(actor))
        record_event(
            actor=actor, action="ledgers.followup.create", obj=project, after={"kind": kind, "text": text.strip()}
        )
    return item


def set_follow_up_status(*, actor: Any, item: FollowUp, status: str, expected_version: int | None = None) -> FollowUp:
    if status not in FollowUpStatus.values:
        raise ValidationError("未知的状态。")
    with transaction.atomic():
        item = FollowUp.objects.select_for_update().select_related("project__unit").get(pk=item.pk)
        check_version(item, expected_version)
        check_can_write(actor, item.project.unit)
        before = item.status
        item.status = status
        item.resolved_at = clock.now() if status == FollowUpStatus.RESOLVED else None
        item.version += 1
        item.save(update_fields=["status", "resolved_at", "version"])
        record_event(
            actor=actor,
            action="ledgers.followup.status",
            obj=item.project,
            before={"status": before},
            after={"status": status},
        )
    return item
