"""Batch actions of the approval queue in the API: 批量审核, 批量退回 and 催报 for one round.

All or nothing per request: the answer carries a result per unit; when any unit is refused the
status is 409 and nothing was applied (the body still lists every unit's result)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Schema, Status
from pydantic import Field

from kaifang.accounts.permissions import user_of
from kaifang.core.schemas import ErrorOut, PathId, Version
from kaifang.reporting import selectors
from kaifang.reporting.api import CODE, rounds_router
from kaifang.reporting.services.batches import MAX_BATCH, BatchItem, BatchOutcome, batch_transition, urge


class BatchItemIn(Schema):
    unit: str = Field(pattern=CODE)
    expected_version: Version | None = None
    reason: str = Field("", max_length=1000, description="本单位的退回原因（优先于统一原因）")


class SubmissionBatchIn(Schema):
    items: list[BatchItemIn] = Field(min_length=1, max_length=MAX_BATCH)
    reason: str = Field("", max_length=1000, description="统一退回原因")
    idempotency_key: str = Field("", max_length=40)


class ReportUrgeIn(Schema):
    units: list[str] = Field(min_length=1, max_length=MAX_BATCH)
    note: str = Field("", max_length=200)


class BatchUnitResultOut(Schema):
    unit: str
    unit_name: str
    ok: bool
    applied: bool
    status: str
    version: int | None
    message: str


class BatchOut(Schema):
    action: str
    applied: bool
    results: list[BatchUnitResultOut]


RESPONSES = {200: BatchOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: BatchOut}


def _answer(outcome: BatchOutcome) -> Status:
    body = {"action": outcome.action, "applied": outcome.applied, "results": [r.as_dict() for r in outcome.results]}
    return Status(200 if outcome.applied else 409, body)


def _batch(request: HttpRequest, round_id: int, action: str, payload: SubmissionBatchIn) -> Status:
    user = user_of(request)
    round_ = selectors.get_round_for_user(user, round_id)
    items = [BatchItem(i.unit, i.expected_version, i.reason) for i in payload.items]
    outcome = batch_transition(
        actor=user, round_=round_, action=action, items=items, reason=payload.reason, key=payload.idempotency_key
    )
    return _answer(outcome)


@rounds_router.post("/{round_id}/batch/approve", response=RESPONSES, summary="批量审核（整批执行或整批不执行）")
def batch_approve(request: HttpRequest, round_id: PathId, payload: SubmissionBatchIn) -> Status:
    return _batch(request, round_id, "approve", payload)


@rounds_router.post("/{round_id}/batch/return", response=RESPONSES, summary="批量退回（统一原因或逐个原因）")
def batch_return(request: HttpRequest, round_id: PathId, payload: SubmissionBatchIn) -> Status:
    return _batch(request, round_id, "return", payload)


@rounds_router.post("/{round_id}/batch/urge", response=RESPONSES, summary="催报（草稿、未填报或被退回的单位）")
def batch_urge(request: HttpRequest, round_id: PathId, payload: ReportUrgeIn) -> Status:
    user = user_of(request)
    round_ = selectors.get_round_for_user(user, round_id)
    return _answer(urge(actor=user, round_=round_, units=[u[:32] for u in payload.units], note=payload.note))
