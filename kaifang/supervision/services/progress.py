"""The lead unit's side: progress reports, milestones, optional attachments."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kaifang.audit.services import record_event
from kaifang.core import clock
from kaifang.supervision import workflow
from kaifang.supervision.models import OPEN_STATES, Milestone, ProgressReport, Task, TaskAttachment, TaskState
from kaifang.supervision.services.tasks import _actor_user, _apply_step, _check_version, _is_system


def submit_progress_report(
    *,
    actor: Any,
    task: Task,
    text: str,
    percent: int,
    problems: str = "",
    help_needed: str = "",
    period: datetime.date | None = None,
    expected_version: int | None = None,
    on: datetime.date | None = None,
) -> ProgressReport:
    """The lead unit reports progress. It fills the oldest missing month first (a late report still
    counts for its month); on an acknowledged or returned task it also starts the work."""
    from kaifang.supervision.selectors import missing_periods_of

    day = on or clock.today()
    errors: dict[str, str] = {}
    if not text.strip():
        errors["text"] = _("请填写进展情况。")
    if not isinstance(percent, int) or not 0 <= percent <= 100:
        errors["percent"] = _("完成进度应为0到100之间的整数。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        task = Task.objects.select_for_update().select_related("lead_unit", "issuer_unit").get(pk=task.pk)
        _check_version(task, expected_version)
        if not _is_system(actor) and workflow.LEAD not in workflow.actor_kinds(actor, task):
            raise PermissionDenied(_("只有牵头单位可以报送进展。"))
        if task.state == TaskState.ISSUED:
            raise ValidationError(_("请先签收该事项，再报送进展。"))
        if task.state not in OPEN_STATES:
            raise ValidationError(
                _("事项当前状态为“%(s)s”，不能报送进展。") % {"s": task.get_state_display()}, code="invalid_transition"
            )
        if period is None:
            missing = missing_periods_of(task, today=day)
            period = missing[0] if missing else day.replace(day=1)
        report = ProgressReport.objects.create(
            task=task,
            unit=task.lead_unit,
            period=period.replace(day=1),
            text=text.strip(),
            percent=percent,
            problems=problems.strip(),
            help_needed=help_needed.strip(),
            reported_on=day,
            reported_by=_actor_user(actor),
        )
        if task.state == TaskState.ACKNOWLEDGED:
            _apply_step(task, "start", TaskState.IN_PROGRESS, actor=actor, reason="", day=day)
        elif task.state == TaskState.RETURNED:
            _apply_step(task, "resume", TaskState.IN_PROGRESS, actor=actor, reason="", day=day)
        before = {"progress": task.progress, "version": task.version}
        task.progress = percent
        task.version, task.updated_at = task.version + 1, clock.now()
        task.save(update_fields=["progress", "version", "updated_at"])
        record_event(
            actor=actor,
            action="supervision.report.submit",
            obj=task,
            unit=task.lead_unit,
            before=before,
            after={"progress": percent, "period": report.period, "report": report.pk, "version": task.version},
        )
    return report


def set_milestone_done(*, actor: Any, milestone: Milestone, done: bool, on: datetime.date | None = None) -> Milestone:
    """The lead unit ticks a milestone off (or back on)."""
    day = on or clock.today()
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=milestone.task_id)
        if not _is_system(actor) and workflow.LEAD not in workflow.actor_kinds(actor, task):
            raise PermissionDenied(_("只有牵头单位可以更新工作节点。"))
        if task.state not in OPEN_STATES:
            raise ValidationError(_("事项当前状态不能更新工作节点。"))
        milestone = Milestone.objects.get(pk=milestone.pk)
        before = {"done": milestone.done}
        milestone.done, milestone.done_on = done, (day if done else None)
        milestone.save()
        task.version, task.updated_at = task.version + 1, clock.now()
        task.save(update_fields=["version", "updated_at"])
        record_event(
            actor=actor,
            action="supervision.milestone.update",
            obj=task,
            unit=task.lead_unit,
            before=before,
            after={"milestone": milestone.title, "done": done},
        )
    return milestone


# Optional files (a plan, a signed document). Never required: "过度留痕" (screenshots as proof of
# work) is a prohibited pattern, so nothing in the lifecycle asks for an attachment.
ATTACHMENT_TYPES = {
    ".pdf": b"%PDF",
    ".docx": b"PK\x03\x04",
    ".xlsx": b"PK\x03\x04",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
    ".png": b"\x89PNG",
}


def add_attachment(*, actor: Any, task: Task, name: str, data: bytes) -> TaskAttachment:
    """Attach a file the lead unit or a supervisor chooses to share. Type checked by extension and
    magic bytes, size capped, stored under a generated name."""
    from django.conf import settings
    from django.core.files.base import ContentFile

    kinds = workflow.actor_kinds(actor, task) if not _is_system(actor) else {workflow.SUPERVISOR}
    if not kinds:
        raise PermissionDenied(_("只有牵头单位和督查人员可以上传附件。"))
    clean = name.replace("\\", "/").rsplit("/", 1)[-1].strip()[:200] or "file"
    suffix = "." + clean.rsplit(".", 1)[-1].lower() if "." in clean else ""
    magic = ATTACHMENT_TYPES.get(suffix)
    if magic is None:
        raise ValidationError({"file": _("只能上传 PDF、Word（docx）、Excel（xlsx）或图片（jpg、png）。")})
    if not data:
        raise ValidationError({"file": _("文件是空的。")})
    if len(data) > settings.KAIFANG_MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"file": _("文件过大（上限 %(m)d MB）。") % {"m": settings.KAIFANG_MAX_UPLOAD_BYTES // 1048576}}
        )
    if not data.startswith(magic):
        raise ValidationError({"file": _("文件内容与扩展名不符。")})
    with transaction.atomic():
        attachment = TaskAttachment(task=task, name=clean, uploaded_by=_actor_user(actor))
        attachment.file.save(clean, ContentFile(data), save=False)
        attachment.save()
        record_event(
            actor=actor,
            action="supervision.attachment.add",
            obj=task,
            unit=task.lead_unit,
            after={"attachment": attachment.pk, "name": clean, "bytes": len(data)},
        )
    return attachment
