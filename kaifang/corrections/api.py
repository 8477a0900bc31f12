"""/api/v1/corrections: correction requests (数据更正) through the same services and guard as the pages.

Figures travel as text (never floats). A request made through the API carries no evidence file;
the page takes one. Every step needs the `expected_version` the client read (409 when stale).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from kaifang.accounts.permissions import user_of
from kaifang.core.numbers import figure_text
from kaifang.core.schemas import MAX_VERSION, ErrorOut, PathId, UnitRef
from kaifang.corrections import selectors, services, workflow
from kaifang.corrections.models import CorrectionRequest, CorrectionState
from kaifang.indicators.periods import parse_period
from kaifang.orgs.scope import get_unit_for_user

router = Router(tags=["corrections"])
CODE = r"^[A-Za-z0-9_-]{1,32}$"
PERIOD = r"^\d{4}-\d{2}$"
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class FigureOut(Schema):
    indicator: str
    name: str
    old_value: str | None
    old_version: int | None
    new_value: str


class StepOut(Schema):
    action: str
    from_state: str
    to_state: str
    reason: str
    actor: str
    at: datetime.datetime


class AffectedOut(Schema):
    kind: str  # "snapshot" | "bulletin"
    id: int
    scheme: str
    period: str
    number: int | None = None
    status: str  # needs_republish | republished | would_affect


class CorrectionOut(Schema):
    id: int
    reference: str
    unit: UnitRef
    period: str
    state: str
    state_label: str
    requested_by: str
    created_at: datetime.datetime
    decided_by: str
    decided_at: datetime.datetime | None
    version: int


class CorrectionDetailOut(CorrectionOut):
    reason: str
    decision_reason: str
    has_evidence: bool
    figures: list[FigureOut]
    steps: list[StepOut]
    affected: list[AffectedOut]
    allowed_actions: list[str]


class FiltersIn(Schema):
    state: CorrectionState | None = None
    unit: str | None = Field(None, pattern=CODE)
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=100_000)


class FigureIn(Schema):
    indicator: str = Field(..., pattern=CODE)
    new_value: str = Field(..., min_length=1, max_length=40)
    seen_version: int | None = Field(None, ge=0, le=MAX_VERSION)


class CorrectionIn(Schema):
    unit: str = Field(..., pattern=CODE)
    period: str = Field(..., pattern=PERIOD)
    figures: list[FigureIn] = Field(..., min_length=1, max_length=services.MAX_FIGURES)
    reason: str = Field(..., max_length=services.MAX_REASON)
    submit: bool = True


class StepIn(Schema):
    expected_version: int = Field(..., ge=1, le=MAX_VERSION)
    reason: str = Field("", max_length=services.MAX_REASON)


def _out(correction: CorrectionRequest) -> dict[str, Any]:
    return {
        "id": correction.pk,
        "reference": correction.reference,
        "unit": {"code": correction.unit.code, "name": correction.unit.name},
        "period": f"{correction.period:%Y-%m}",
        "state": correction.state,
        "state_label": correction.get_state_display(),
        "requested_by": correction.requested_by_name,
        "created_at": correction.created_at,
        "decided_by": correction.decided_by_name,
        "decided_at": correction.decided_at,
        "version": correction.version,
    }


def _detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    user = user_of(request)
    correction = selectors.get_correction_for_user(user, pk)
    affected = selectors.affected_results(user, correction)
    return {
        **_out(correction),
        "reason": correction.reason,
        "decision_reason": correction.decision_reason,
        "has_evidence": bool(correction.evidence_file),
        "figures": [
            {
                "indicator": f.indicator.code,
                "name": f.indicator.name,
                "old_value": figure_text(f.old_value, f.indicator.decimals),
                "old_version": f.old_version,
                "new_value": figure_text(f.new_value, f.indicator.decimals),
            }
            for f in selectors.figures_of(correction)
        ],
        "steps": [
            {
                "action": s.action,
                "from_state": s.from_state,
                "to_state": s.to_state,
                "reason": s.reason,
                "actor": s.actor_name,
                "at": s.at,
            }
            for s in selectors.steps_of(correction)
        ],
        "affected": [
            {
                "kind": "snapshot",
                "id": r.snapshot.pk,
                "scheme": r.snapshot.scheme_code,
                "period": f"{r.snapshot.period:%Y-%m}",
                "number": r.snapshot.number,
                "status": r.status,
            }
            for r in affected.results
        ]
        + [
            {"kind": "bulletin", "id": b.pk, "scheme": b.scheme_code, "period": f"{b.period:%Y-%m}", "status": s}
            for b, s in affected.bulletins
        ],
        "allowed_actions": [action for action, _step in workflow.allowed_actions(user, correction)],
    }


@router.get("", response={200: list[CorrectionOut], **ERRORS}, summary="可见的数据更正申请（分页：limit ≤ 200）")
def list_corrections(request: HttpRequest, filters: Query[FiltersIn]) -> list[dict[str, Any]]:
    qs = selectors.visible_corrections(user_of(request), state=filters.state or "", unit_code=filters.unit or "")
    return [_out(c) for c in qs[filters.offset : filters.offset + filters.limit]]


@router.get("/{int:correction_id}", response={200: CorrectionDetailOut, **ERRORS}, summary="单个数据更正申请")
def get_correction(request: HttpRequest, correction_id: PathId) -> dict[str, Any]:
    return _detail(request, correction_id)


@router.post("", response={201: CorrectionDetailOut, **ERRORS}, summary="申请数据更正（默认直接提交上级审批）")
def create_correction(request: HttpRequest, payload: CorrectionIn) -> Status:
    user = user_of(request)
    correction = services.create_correction(  # stale figures answer 409 (kaifang.api)
        actor=user,
        unit=get_unit_for_user(user, payload.unit),
        period=parse_period(payload.period),
        figures=[services.FigureChange(f.indicator, f.new_value, f.seen_version) for f in payload.figures],
        reason=payload.reason,
        submit=payload.submit,
    )
    return Status(201, _detail(request, correction.pk))


def _step(request: HttpRequest, correction_id: PathId, action: str, payload: StepIn) -> dict[str, Any]:
    user = user_of(request)
    correction = selectors.get_correction_for_user(user, correction_id)
    services.transition_correction(  # a stale version answers 409 (kaifang.api)
        actor=user,
        correction=correction,
        action=action,
        expected_version=payload.expected_version,
        reason=payload.reason,
    )
    return _detail(request, correction_id)


@router.post("/{int:correction_id}/approve", response={200: CorrectionDetailOut, **ERRORS}, summary="批准并写入更正值")
def approve(request: HttpRequest, correction_id: PathId, payload: StepIn) -> dict[str, Any]:
    return _step(request, correction_id, "approve", payload)


@router.post("/{int:correction_id}/reject", response={200: CorrectionDetailOut, **ERRORS}, summary="驳回（须说明理由）")
def reject(request: HttpRequest, correction_id: PathId, payload: StepIn) -> dict[str, Any]:
    return _step(request, correction_id, "reject", payload)


@router.post("/{int:correction_id}/submit", response={200: CorrectionDetailOut, **ERRORS}, summary="提交草稿")
def submit(request: HttpRequest, correction_id: PathId, payload: StepIn) -> dict[str, Any]:
    return _step(request, correction_id, "submit", payload)


@router.post("/{int:correction_id}/withdraw", response={200: CorrectionDetailOut, **ERRORS}, summary="撤回申请")
def withdraw(request: HttpRequest, correction_id: PathId, payload: StepIn) -> dict[str, Any]:
    return _step(request, correction_id, "withdraw", payload)
