"""Manual bonus/penalty and veto entries (加减分、一票否决): proposed by a unit or the province,
decided by the province within the year's caps. Part of `kaifang.assessment.services`."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from kaifang.accounts.permissions import can_write_for_unit
from kaifang.assessment import engine
from kaifang.assessment.models import (
    AdjustmentState,
    ManualAdjustment,
    SchemeItem,
    SchemeStatus,
)
from kaifang.assessment.services import _check_version, _require_province
from kaifang.audit.services import record_event
from kaifang.core import clock
from kaifang.core.actors import actor_user as _actor_user
from kaifang.core.actors import is_system_actor
from kaifang.core.workflow import Step, Workflow
from kaifang.orgs.models import OrgUnit

# Who may decide is checked before (`_require_province`), so the steps list no actors.
ADJUSTMENT_TRANSITIONS = Workflow(
    {
        (AdjustmentState.DRAFT, "approve"): Step(AdjustmentState.APPROVED),
        (AdjustmentState.DRAFT, "reject"): Step(AdjustmentState.REJECTED),
    }
)


def _manual_item(scheme_code: str, item_code: str) -> SchemeItem:
    item = (
        SchemeItem.objects.filter(scheme__code=scheme_code, scheme__status=SchemeStatus.ACTIVE, code=item_code)
        .select_related("scheme")
        .first()
    )
    if item is None or item.kind not in (engine.MANUAL, engine.VETO):
        raise ValidationError({"item_code": "请选择使用中方案的加减分或一票否决考核项"})
    return item


def _check_caps(item: SchemeItem, unit: OrgUnit, points: Decimal, *, year: int, exclude: int | None = None) -> None:
    if item.kind == engine.VETO:
        if points != 0:
            raise ValidationError({"points": "一票否决事项不计分，分值应为0"})
        return
    if points == 0:
        raise ValidationError({"points": "分值不能为0"})
    engine_item = item.to_engine()
    max_bonus, max_penalty = engine_item.dparam("max_bonus"), engine_item.dparam("max_penalty")
    approved = ManualAdjustment.objects.approved().filter(
        scheme_code=item.scheme.code, item_code=item.code, unit=unit, period__year=year
    )
    if exclude:
        approved = approved.exclude(pk=exclude)
    bonus = sum((a.points for a in approved if a.points > 0), Decimal(0))
    penalty = -sum((a.points for a in approved if a.points < 0), Decimal(0))
    if points > 0 and bonus + points > max_bonus:
        raise ValidationError({"points": f"加分超出上限：本年已批准加分{bonus}分，上限{max_bonus}分"})
    if points < 0 and penalty - points > max_penalty:
        raise ValidationError({"points": f"扣分超出上限：本年已批准扣分{penalty}分，上限{max_penalty}分"})


def propose_adjustment(
    *,
    actor: Any,
    scheme_code: str,
    item_code: str,
    unit: OrgUnit,
    period: datetime.date,
    points: Decimal,
    reason: str,
    evidence: str = "",
    evidence_file: UploadedFile | None = None,
) -> ManualAdjustment:
    """A bonus/penalty (or veto) entry awaiting approval; its evidence text or file is required."""
    if not is_system_actor(actor) and not can_write_for_unit(actor, unit):
        raise PermissionDenied("无权为该单位登记加减分事项")
    item = _manual_item(scheme_code, item_code)
    if period.year != item.scheme.year or period.day != 1:
        raise ValidationError({"period": f"计入期间应为{item.scheme.year}年的某月"})
    if not reason.strip():
        raise ValidationError({"reason": "请填写事由"})
    if not evidence.strip() and evidence_file is None:
        raise ValidationError({"evidence": "请填写依据或上传依据材料"})
    _check_caps(item, unit, points, year=period.year)
    with transaction.atomic():
        adjustment = ManualAdjustment(
            scheme_code=scheme_code,
            item_code=item_code,
            unit=unit,
            period=period,
            points=points,
            reason=reason.strip()[:200],
            evidence=evidence.strip(),
            created_by=_actor_user(actor),
        )
        if evidence_file is not None:
            adjustment.evidence_file.save(evidence_file.name or "evidence", evidence_file, save=False)
        adjustment.save()
        record_event(
            actor=actor,
            action="assessment.adjustment.propose",
            obj=adjustment,
            unit=unit,
            after={"item": item_code, "points": points, "period": period, "reason": adjustment.reason},
        )
    return adjustment


def decide_adjustment(
    *, actor: Any, adjustment: ManualAdjustment, action: str, expected_version: int | None = None
) -> ManualAdjustment:
    """Approve or reject an entry (province only); approval re-checks the year's caps."""
    _require_province(actor)
    with transaction.atomic():
        adjustment = ManualAdjustment.objects.select_for_update().select_related("unit").get(pk=adjustment.pk)
        _check_version(adjustment, expected_version)
        target = ADJUSTMENT_TRANSITIONS.transition(
            adjustment.state, action, refused=f"当前状态“{adjustment.get_state_display()}”不能执行该操作"
        ).to
        if action == "approve" and adjustment.created_by_id and adjustment.created_by_id == getattr(actor, "pk", None):
            raise ValidationError("登记人不能审批自己登记的事项")
        if target == AdjustmentState.APPROVED:
            item = _manual_item(adjustment.scheme_code, adjustment.item_code)
            _check_caps(item, adjustment.unit, adjustment.points, year=adjustment.period.year, exclude=adjustment.pk)
        before = adjustment.state
        adjustment.state = target
        adjustment.approved_by = _actor_user(actor)
        adjustment.approved_at = clock.now()
        adjustment.version += 1
        adjustment.save(update_fields=["state", "approved_by", "approved_at", "version"])
        record_event(
            actor=actor,
            action=f"assessment.adjustment.{action}",
            obj=adjustment,
            unit=adjustment.unit,
            before={"state": before},
            after={"state": target, "points": adjustment.points},
        )
    return adjustment
