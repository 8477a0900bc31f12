"""Writes of correction requests (数据更正): asking, and each step of the transition table.

`create_correction` records what the unit asks (the figures as stored now, with their versions,
and the new values); `transition_correction` takes one step of `workflow.TRANSITIONS`. Approval
writes the new figures in the same transaction through the value writes with the request's
reference, expecting the versions recorded when the request was made: a figure changed since
then makes the approval fail and nothing is written. Every function validates, writes and records
its audit event in one transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kaifang.accounts.permissions import can_write_for_unit
from kaifang.audit.services import record_event
from kaifang.core import clock
from kaifang.core.actors import actor_name as _actor_name
from kaifang.core.versions import StaleVersion, check_version
from kaifang.corrections import workflow
from kaifang.corrections.models import CorrectionFigure, CorrectionRequest, CorrectionState, CorrectionStep
from kaifang.indicators import selectors as indicator_selectors
from kaifang.indicators.figures import StaleValues, ValueEntry, clean_figure, plain
from kaifang.indicators.models import Indicator
from kaifang.indicators.periods import check_period, month_label
from kaifang.indicators.services import save_many
from kaifang.notifications.services import notify_unit
from kaifang.orgs.models import OrgUnit

MAX_FIGURES = 50
MAX_REASON = 2000
EVIDENCE_SUFFIXES = {".pdf", ".ofd", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".zip"}
REFERENCE_RETRIES = 3


@dataclass(frozen=True)
class FigureChange:
    """One figure a unit asks to correct. `new_value` as typed (text or Decimal, never float);
    `seen_version` the version of the stored figure the user looked at (0: nothing stored; None:
    not checked, e.g. a program that did not read it first)."""

    indicator_code: str
    new_value: Any
    seen_version: int | None = None


def _text(value: Decimal | None) -> str:
    return _("空") if value is None else plain(value)


def next_reference(year: int) -> str:
    """GZ-2018-0001, GZ-2018-0002 … (the next free number of the year)."""
    stem = f"GZ-{year}-"
    taken = CorrectionRequest.objects.filter(reference__startswith=stem).values_list("reference", flat=True)
    numbers = [int(r[len(stem) :]) for r in taken if r[len(stem) :].isdigit()]
    return f"{stem}{(max(numbers) + 1 if numbers else 1):04d}"


def create_correction(
    *,
    actor: Any,
    unit: OrgUnit,
    period: datetime.date,
    figures: Sequence[FigureChange],
    reason: str,
    evidence_file: UploadedFile | None = None,
    submit: bool = True,
) -> CorrectionRequest:
    """Ask to correct figures of `unit` for the month `period` (submitted for approval at once, or
    kept as a draft). Records each figure as stored now (value and version) beside the new value."""
    if not can_write_for_unit(actor, unit):
        raise PermissionDenied(_("您无权为该单位申请数据更正。"))
    requester_unit: OrgUnit = actor.unit
    if not workflow.approving_units(unit, requester_unit):
        raise ValidationError(_("本单位没有上级审批单位，不能提出数据更正申请。"), code="no_approver")
    period = _clean_period(period)
    reason = _clean_reason(reason)
    _check_evidence(evidence_file)
    rows = _clean_figures(actor=actor, unit=unit, period=period, figures=figures)
    for attempt in range(REFERENCE_RETRIES):
        try:
            with transaction.atomic():
                correction = _insert(actor, unit, requester_unit, period, reason, rows, submit=submit)
                if evidence_file is not None:
                    correction.evidence_file.save(PurePath(evidence_file.name or "evidence").name, evidence_file)
                record_event(
                    actor=actor,
                    action="corrections.request.create",
                    obj=correction,
                    unit=unit,
                    after={
                        "reference": correction.reference,
                        "period": f"{period:%Y-%m}",
                        "state": correction.state,
                        "reason": reason,
                        "figures": {ind.code: [_plain(old), plain(new)] for ind, old, _v, new in rows},
                        "evidence": correction.evidence_file.name or "",
                    },
                )
                if submit:
                    _notify_approvers(correction)
                return correction
        except IntegrityError:
            # Two requests took the same reference number at the same moment: take the next one.
            if attempt == REFERENCE_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


Row = tuple[Indicator, Decimal | None, int | None, Decimal]


def _insert(
    actor: Any,
    unit: OrgUnit,
    requester_unit: OrgUnit,
    period: datetime.date,
    reason: str,
    rows: list[Row],
    *,
    submit: bool,
) -> CorrectionRequest:
    now = clock.now()
    correction = CorrectionRequest.objects.create(
        reference=next_reference(clock.today().year),
        unit=unit,
        period=period,
        reason=reason,
        state=CorrectionState.SUBMITTED if submit else CorrectionState.DRAFT,
        requester_unit=requester_unit,
        requested_by=actor,
        requested_by_name=_actor_name(actor),
        created_at=now,
        submitted_at=now if submit else None,
    )
    CorrectionFigure.objects.bulk_create(
        [
            CorrectionFigure(correction=correction, indicator=ind, old_value=old, old_version=version, new_value=new)
            for ind, old, version, new in rows
        ]
    )
    who = {"correction": correction, "actor": actor, "actor_name": _actor_name(actor), "at": now}
    steps = [CorrectionStep(action="create", to_state=CorrectionState.DRAFT, **who)]
    if submit:
        steps.append(
            CorrectionStep(action="submit", from_state=CorrectionState.DRAFT, to_state=CorrectionState.SUBMITTED, **who)
        )
    CorrectionStep.objects.bulk_create(steps)
    return correction


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else plain(value)


def _clean_period(period: datetime.date) -> datetime.date:
    try:
        period = check_period(period)
    except ValidationError as exc:
        raise ValidationError({"period": exc.messages}) from exc
    today = clock.today()
    if period > today.replace(day=1):
        raise ValidationError({"period": _("不能更正尚未到来的月份。")})
    return period


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写更正原因。")})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": _("更正原因不能超过 %(n)d 字。") % {"n": MAX_REASON}})
    return reason


def _check_evidence(upload: UploadedFile | None) -> None:
    """Evidence is optional; when given: one of the usual document or image types, within the size
    limit of every upload (KAIFANG_MAX_UPLOAD_BYTES)."""
    if upload is None:
        return
    limit = settings.KAIFANG_MAX_UPLOAD_BYTES
    if (upload.size or 0) > limit:
        raise ValidationError({"evidence_file": _("依据材料不能超过 %(mb)d MB。") % {"mb": limit // (1024 * 1024)}})
    name = PurePath(upload.name or "").name
    if PurePath(name.lower()).suffix not in EVIDENCE_SUFFIXES or len(name) > 120:
        raise ValidationError(
            {
                "evidence_file": _("依据材料应为 PDF、OFD、图片、Word、Excel 或 ZIP 文件，文件名不超过 120 字。"),
            }
        )


def _clean_figures(*, actor: Any, unit: OrgUnit, period: datetime.date, figures: Sequence[FigureChange]) -> list[Row]:
    """Each figure checked against the catalogue and the stored value; every problem is raised
    together, keyed by indicator code (or "figures" for the request as a whole)."""
    if not figures:
        raise ValidationError({"figures": _("请至少填写一项更正数据。")})
    if len(figures) > MAX_FIGURES:
        raise ValidationError({"figures": _("一次最多更正 %(n)d 项数据。") % {"n": MAX_FIGURES}})
    codes = [f.indicator_code for f in figures]
    if len(set(codes)) != len(codes):
        raise ValidationError({"figures": _("同一指标在一次申请中出现了多次。")})
    catalogue = {i.code: i for i in indicator_selectors.indicators(active_only=False)}
    stored = indicator_selectors.values_for_form(user=actor, unit=unit, period=period, codes=codes)
    errors: dict[str, list[Any]] = {}
    rows: list[Row] = []
    for change in figures:
        indicator = catalogue.get(change.indicator_code)
        if indicator is None or not indicator.is_active or not indicator.is_typed:
            errors.setdefault("figures", []).append(
                _("指标“%(code)s”不存在、已停用或不是填报指标，不能申请更正。") % {"code": change.indicator_code[:32]}
            )
            continue
        current = stored.get(indicator.code)
        old = current.reported if current is not None else None
        version = current.version if current is not None else None
        if change.seen_version is not None and change.seen_version != (version or 0):
            message = _("%(name)s：您打开页面后该数据已被修改，现值为 %(value)s，请核对后重新填写。")
            errors[indicator.code] = [StaleVersion(message % {"name": indicator.name, "value": _text(old)})]
            continue
        try:
            new = _clean_new_value(indicator, change.new_value, old)
        except ValidationError as exc:
            errors[indicator.code] = exc.messages
            continue
        rows.append((indicator, old, version, new))
    if errors:
        raise ValidationError(errors)
    return rows


def _clean_new_value(indicator: Indicator, raw: Any, old: Decimal | None) -> Decimal:
    new = clean_figure(raw, label=indicator.name)
    if new is None:
        raise ValidationError(_("%(name)s：请填写更正后的数值。") % {"name": indicator.name})
    if new == old:
        raise ValidationError(_("%(name)s：更正值与现值相同，无需更正。") % {"name": indicator.name})
    return new


def transition_correction(
    *, actor: Any, correction: CorrectionRequest, action: str, expected_version: int | None = None, reason: str = ""
) -> CorrectionRequest:
    """Take one step of the table (see `workflow.TRANSITIONS`); anything else is refused with a
    clear message and changes nothing. Approval writes the new figures in the same transaction."""
    reason = (reason or "").strip()
    with transaction.atomic():
        correction = (
            CorrectionRequest.objects.select_for_update().select_related("unit", "requester_unit").get(pk=correction.pk)
        )
        check_version(
            correction,
            expected_version,
            _("该申请已被他人处理（当前版本 %(v)d，您提交的是版本 %(e)d），本次操作未生效。请刷新后重试。"),
            params={"v": correction.version, "e": expected_version},
        )
        label = workflow.action_label(action)
        step = workflow.TRANSITIONS.transition(
            correction.state,
            action,
            workflow.parts_of(actor, correction),
            refused=_("当前状态为“%(s)s”，不能执行“%(a)s”。") % {"s": correction.get_state_display(), "a": label},
            forbidden=_("您无权对该更正申请执行“%(a)s”。") % {"a": label},
        )
        if step.needs_reason and not reason:
            raise ValidationError({"reason": _("请填写“%(a)s”的理由。") % {"a": step.label}})
        if len(reason) > MAX_REASON:
            raise ValidationError({"reason": _("理由不能超过 %(n)d 字。") % {"n": MAX_REASON}})
        if action == "approve":
            _apply_figures(actor, correction)
        _apply_step(correction, action, step.to, actor=actor, reason=reason)
    return correction


def _apply_figures(actor: Any, correction: CorrectionRequest) -> None:
    """Write the new figures as the approver, expecting the versions recorded when requested."""
    figures = list(correction.figures.select_related("indicator"))
    # Stored text stays in the official Chinese form whatever the approver's language.
    note = f"数据更正 {correction.reference}：{correction.reason}"[:2000]
    entries = [ValueEntry(f.indicator.code, f.new_value, note, f.old_version) for f in figures]
    try:
        save_many(
            actor=actor,
            period=correction.period,
            batches=[(correction.unit, entries)],
            correction=correction.reference,
        )
    except StaleValues as exc:
        requested = {f.indicator.code: f for f in figures}
        changed = "、".join(
            _("%(name)s（申请时 %(old)s，现为 %(now)s）")
            % {
                "name": c.indicator_name,
                "old": _text(requested[c.indicator_code].old_value),
                "now": _text(c.current_value),
            }
            for c in exc.conflicts
        )
        raise StaleVersion(
            _("申请提出后以下数据已被修改，不能按本申请更正，未写入任何数据：%(changed)s。请驳回后按现值重新申请。")
            % {"changed": changed},
        ) from exc


def _apply_step(correction: CorrectionRequest, action: str, to_state: str, *, actor: Any, reason: str) -> None:
    """Inside the caller's transaction, with `correction` locked: move, stamp, record, notify, audit."""
    now = clock.now()
    before = {"state": correction.state, "version": correction.version}
    from_state = correction.state
    correction.state = to_state
    if action == "submit":
        correction.submitted_at = now
    if action in ("approve", "reject"):
        correction.decided_by, correction.decided_by_name, correction.decided_at = actor, _actor_name(actor), now
        correction.decision_reason = reason
    correction.version += 1
    correction.save()
    CorrectionStep.objects.create(
        correction=correction,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        actor=actor if getattr(actor, "pk", None) is not None else None,
        actor_name=_actor_name(actor),
        at=now,
    )
    if action == "submit":
        _notify_approvers(correction)
    elif action in ("approve", "reject"):
        _notify_requester(correction, action)
    record_event(
        actor=actor,
        action=f"corrections.request.{action}",
        obj=correction,
        unit=correction.unit,
        before=before,
        after={"state": to_state, "version": correction.version, "reference": correction.reference, "reason": reason},
    )


def _title(correction: CorrectionRequest) -> str:
    return f"{correction.unit.name} {month_label(correction.period)}"


def _notify_approvers(correction: CorrectionRequest) -> None:
    """The nearest level above hears of a request waiting for its decision."""
    above = workflow.approving_units(correction.unit, correction.requester_unit)
    if above:
        notify_unit(
            unit=above[0],
            kind="correction",
            title=f"数据更正待审批：{_title(correction)}（{correction.reference}）",
            dedup_key=f"correction:{correction.pk}:submitted:v{correction.version}",
            url=f"/corrections/{correction.pk}/",
        )


def _notify_requester(correction: CorrectionRequest, action: str) -> None:
    outcome = "已批准" if action == "approve" else "被驳回"
    title = f"数据更正{outcome}：{_title(correction)}（{correction.reference}）"
    notify_unit(
        unit=correction.requester_unit,
        kind="correction",
        title=title,
        body=correction.decision_reason,
        dedup_key=f"correction:{correction.pk}:{action}",
        url=f"/corrections/{correction.pk}/",
    )
