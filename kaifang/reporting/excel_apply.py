"""The apply of a checked import: all or nothing, in one transaction, with the versions seen at the
check as expected versions; a stale row (changed by someone since the template was downloaded) is
written only when the uploader confirmed that very row."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from kaifang.audit.services import record_event
from kaifang.core import clock
from kaifang.core.bulk import collector_paused
from kaifang.indicators.figures import ValueEntry
from kaifang.reporting.excel_layout import APPLY_CHUNK_VALUES, Progress
from kaifang.reporting.models import ImportBatch, ImportStatus, Submission


def apply_plan(*, user: Any, batch: ImportBatch, progress: Progress | None = None) -> int:
    """Apply a checked batch, all or nothing; returns how many figures changed. A figure changed by
    someone since the preview raises `StaleValues` and nothing is applied."""
    with collector_paused():
        return _apply_plan(user=user, batch=batch, progress=progress)


def _apply_plan(*, user: Any, batch: ImportBatch, progress: Progress | None) -> int:
    from kaifang.reporting.services import save_submissions_values

    if batch.uploaded_by_id != getattr(user, "pk", None):
        raise PermissionDenied("只能导入自己上传的文件。")
    units = batch.plan.get("units", {})
    subs = {
        s.unit.code: s
        for s in Submission.objects.filter(round=batch.round, unit__code__in=list(units)).select_related(
            "unit", "round"
        )
    }
    changed = 0
    with transaction.atomic():
        # The state and the confirmed rows as they are now; the rest of the plan (the listing of
        # every change, megabytes of it) was fixed by the check and is not read again.
        locked = ImportBatch.objects.select_for_update().defer("content", "plan").get(pk=batch.pk)
        if locked.status == ImportStatus.APPLIED:
            return 0
        if locked.status != ImportStatus.CHECKED:
            raise ValidationError("该文件尚未通过检查，不能导入。", code="state")
        confirmed = ImportBatch.objects.filter(pk=batch.pk).values_list("plan__confirmed", flat=True).get() or []
        check_confirmed(batch, confirmed)
        items: list[tuple[Submission, list[ValueEntry]]] = []
        for unit_code, figures in sorted(units.items()):
            sub = subs.get(unit_code)
            if sub is None:
                raise ValidationError(f"单位 {unit_code} 不在本批次中。", code="scope")
            entries = [
                ValueEntry(code, None if value is None else Decimal(value), comment, version)
                for code, (value, version, comment) in sorted(figures.items())
            ]
            items.append((sub, entries))
        # A few thousand figures per call: a fixed number of queries each, and a progress bar that
        # moves; all calls share this transaction, so a problem anywhere still applies nothing.
        chunks = _chunks(items, APPLY_CHUNK_VALUES)
        done = 0
        for chunk in chunks:
            changed += sum(len(rows) for rows in save_submissions_values(actor=user, items=chunk))
            done += len(chunk)
            if progress:
                progress(int(100 * done / len(items)))
        locked.status = ImportStatus.APPLIED
        locked.applied_at = clock.now()
        locked.summary = f"已导入 {len(units)} 个单位的 {batch_changes(batch)} 个数据。"
        locked.save(update_fields=["status", "applied_at", "summary"])
        record_event(
            actor=user,
            action="reporting.import.apply",
            obj=locked,
            unit=getattr(user, "unit", None),
            after={
                "file": locked.filename,
                "sha256": locked.sha256,
                "units": len(units),
                "values": batch_changes(batch),
                "stale_overwritten": confirmed[:500] or None,  # the rows confirmed
                "stale_overwritten_count": len(confirmed) or None,
            },
        )
    return changed


def _chunks(
    items: list[tuple[Submission, list[ValueEntry]]], size: int
) -> list[list[tuple[Submission, list[ValueEntry]]]]:
    """Consecutive runs of whole units, each with about `size` figures."""
    chunks: list[list[tuple[Submission, list[ValueEntry]]]] = [[]]
    count = 0
    for item in items:
        if chunks[-1] and count + len(item[1]) > size:
            chunks.append([])
            count = 0
        chunks[-1].append(item)
        count += len(item[1])
    return [c for c in chunks if c]


def batch_changes(batch: ImportBatch) -> int:
    return sum(len(v) for v in batch.plan.get("units", {}).values())


def check_confirmed(batch: ImportBatch, confirmed: list[str]) -> list[str]:
    """The stale rows the uploader confirmed; refuses (naming each row and why) when any is not."""
    stale = set(batch.plan.get("stale", []))
    ok = stale & set(confirmed)
    unconfirmed = stale - ok
    missing = [c for c in batch.plan.get("changes", []) if c["key"] in unconfirmed] if unconfirmed else []
    if missing:
        rows = "；".join(f"第{c['row']}行 {c['unit_name']} {c['indicator_name']}：{c['why']}" for c in missing[:20])
        raise ValidationError(
            f"有 {len(missing)} 行数据在您下载模板后已被他人修改，须逐行确认是否以文件为准覆盖，"
            f"未确认前不导入任何数据。{rows}",
            code="stale_rows",
        )
    return sorted(ok)
