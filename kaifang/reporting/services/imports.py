"""The life of an uploaded workbook: upload → check (a background task, with progress) → apply.

Views, the API and `kaifang import_values` all go through these functions.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404

from kaifang.accounts.permissions import is_read_only
from kaifang.audit.services import record_event
from kaifang.core.bulk import collector_paused
from kaifang.core.context import change_context
from kaifang.core.spreadsheets import DEFAULT_MAX_BYTES, Problem
from kaifang.indicators.figures import StaleValues
from kaifang.reporting.excel import apply_plan, batch_changes, check_confirmed, check_workbook, problems_json
from kaifang.reporting.excel_layout import Progress
from kaifang.reporting.models import ImportBatch, ImportStatus, ReportingRound


def get_batch_for_user(user: Any, pk: int) -> ImportBatch:
    batch = ImportBatch.objects.visible_to(user).select_related("round").filter(pk=pk).first()
    if batch is None:
        raise Http404("import not found")
    return batch


def upload_workbook(
    *, user: Any, round_: ReportingRound, data: bytes, filename: str, run_now: bool = False
) -> ImportBatch:
    """Store the upload and queue its check (`run_now`: check in this process, as the CLI does)."""
    from kaifang.reporting.jobs import check_import

    if is_read_only(user):
        raise PermissionDenied("只读账号不能导入数据。")
    if len(data) > DEFAULT_MAX_BYTES:
        raise ValidationError("文件超过 10 MB。", code="size")
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            round=round_,
            uploaded_by=user,
            filename=(filename or "upload.xlsx")[:200],
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            content=data,
        )
        record_event(
            actor=user,
            action="reporting.import.upload",
            obj=batch,
            unit=getattr(user, "unit", None),
            after={"file": batch.filename, "sha256": batch.sha256, "size": batch.size},
        )
    if run_now:
        return run_check(batch.pk)
    check_import.enqueue(batch.pk)
    batch.refresh_from_db()
    return batch


def set_progress(batch_id: int, percent: int) -> None:
    ImportBatch.objects.filter(pk=batch_id).update(progress=max(0, min(100, percent)))


PROGRESS_STEP = 10  # percent: each progress write is a commit of its own


def progress_of(batch_id: int) -> Progress:
    """Records a running check's progress when it has moved by `PROGRESS_STEP` since the last write."""
    written = [0]

    def record(percent: int) -> None:
        if percent - written[0] >= PROGRESS_STEP:
            written[0] = percent
            set_progress(batch_id, percent)

    return record


def run_check(batch_id: int) -> ImportBatch:
    """The dry run of a stored upload; records problems, warnings and the plan (with versions)."""
    batch = ImportBatch.objects.select_related("round", "uploaded_by").get(pk=batch_id)
    ImportBatch.objects.filter(pk=batch_id).update(status=ImportStatus.CHECKING, progress=1)
    with change_context(channel="import"), collector_paused():
        plan = check_workbook(
            user=batch.uploaded_by,
            round_=batch.round,
            data=bytes(batch.content),
            filename=batch.filename,
            progress=progress_of(batch_id),
        )
    batch.problems = problems_json(plan.problems) + [{**w, "warning": True} for w in problems_json(plan.warnings)]
    batch.plan = plan.as_json()
    if plan.problems:
        batch.status = ImportStatus.FAILED
        batch.summary = f"发现 {len(plan.problems)} 个问题，未导入任何数据。请修改后重新上传。"
    else:
        batch.status = ImportStatus.CHECKED
        earlier = ImportBatch.objects.filter(round=batch.round, sha256=batch.sha256, status=ImportStatus.APPLIED)
        again = "（同一文件此前已导入过）" if earlier.exclude(pk=batch.pk).exists() else ""
        changes, same = batch_changes(batch), plan.unchanged
        batch.summary = f"检查通过：{plan.rows} 行，其中 {changes} 个数据将更新，{same} 个与现有数据相同{again}。"
        stale = len(batch.plan["stale"])
        if stale:
            batch.summary += f"其中 {stale} 行在您下载模板后已被他人修改，须逐行确认后才能导入。"
        elif not plan.versioned:
            batch.summary += "此文件不含下载时的数据版本（旧模板），无法判断期间是否有人修改，请核对下列变更。"
    batch.progress = 100
    fields = ["problems", "plan", "status", "summary", "progress"]
    if batch.status == ImportStatus.FAILED:
        batch.content = b""  # a refused file is not kept
        fields.append("content")
    batch.save(update_fields=fields)
    return batch


def request_apply(*, user: Any, batch: ImportBatch, confirmed: list[str] | None = None) -> ImportBatch:
    """Queue the apply of a checked batch (the uploader only). Every stale row (changed by someone
    since the template was downloaded) must be in `confirmed` ("unit/indicator"), else nothing is
    applied and the refusal names each row and why."""
    from kaifang.reporting.jobs import apply_import

    if batch.status == ImportStatus.APPLIED and batch.uploaded_by_id == getattr(user, "pk", None):
        return batch
    confirm_rows(user=user, batch=batch, confirmed=confirmed)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.APPLYING, progress=0)
    apply_import.enqueue(batch.pk)
    batch.refresh_from_db()
    return batch


def confirm_rows(*, user: Any, batch: ImportBatch, confirmed: list[str] | None = None) -> ImportBatch:
    """Record which stale rows the uploader confirmed (以文件为准) on a checked batch, refusing — naming
    each row and why — when a stale row is not among them. The page and the CLI both come here."""
    if batch.uploaded_by_id != getattr(user, "pk", None):
        raise PermissionDenied("只能导入自己上传的文件。")
    if batch.status != ImportStatus.CHECKED:
        raise ValidationError("该文件未通过检查，不能导入。", code="state")
    ok = check_confirmed(batch, confirmed or [])
    batch.plan = {**batch.plan, "confirmed": ok}
    ImportBatch.objects.filter(pk=batch.pk).update(plan=batch.plan)
    return batch


def stale_rows(batch: ImportBatch) -> list[str]:
    """The rows ("unit/indicator") of a checked batch whose stored figure changed since the download."""
    return list(batch.plan.get("stale", []))


def run_apply(batch_id: int) -> ImportBatch:
    batch = ImportBatch.objects.select_related("round", "uploaded_by").get(pk=batch_id)
    if batch.status == ImportStatus.APPLYING:
        ImportBatch.objects.filter(pk=batch_id).update(status=ImportStatus.CHECKED)
        batch.status = ImportStatus.CHECKED
    try:
        with change_context(channel="import"):
            apply_plan(user=batch.uploaded_by, batch=batch)
    except StaleValues as exc:
        _fail(
            batch,
            [Problem(m) for m in exc.messages],
            "数据在预览后已被他人修改，本次未导入任何数据。请重新上传以获取最新版本。",
        )
    except (ValidationError, PermissionDenied) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        _fail(batch, [Problem(m) for m in messages], "导入未通过，未导入任何数据。")
    batch.refresh_from_db()
    return batch


def _fail(batch: ImportBatch, problems: list[Problem], summary: str) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.FAILED, problems=problems_json(problems), summary=summary, progress=100
    )
