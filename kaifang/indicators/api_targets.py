"""Targets API: a unit's annual target (and its monthly phasing) for a year, read in scope and set
through `kaifang.indicators.services.targets.set_target` (the same service as the page)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from kaifang.accounts.permissions import user_of
from kaifang.core.context import change_context
from kaifang.core.numbers import figure_text
from kaifang.core.schemas import ErrorOut, Version
from kaifang.indicators import selectors
from kaifang.indicators.models import Target
from kaifang.indicators.services.targets import set_target
from kaifang.orgs.models import OrgUnit
from kaifang.orgs.scope import get_unit_for_user

targets_router = Router(tags=["targets"])
CODE = r"^[A-Za-z0-9_-]{1,32}$"

# --- Targets ---------------------------------------------------------------------------------------


class TargetOut(Schema):
    indicator: str
    unit: str
    unit_name: str
    year: int
    annual: str
    monthly: list[str] | None
    set_by: str | None
    version: int


def target_out(t: Target) -> dict[str, Any]:
    return {
        "indicator": t.indicator.code,
        "unit": t.unit.code,
        "unit_name": t.unit.name,
        "year": t.year,
        "annual": figure_text(t.annual, t.indicator.decimals) or "0",
        "monthly": [figure_text(m, t.indicator.decimals) or "0" for m in t.monthly] if t.monthly else t.monthly,
        "set_by": t.set_by.code if t.set_by_id else None,  # type: ignore[union-attr]
        "version": t.version,
    }


class TargetFilters(Schema):
    year: int = Field(ge=2000, le=2100)
    indicator: str | None = Field(None, pattern=CODE)
    unit: str | None = Field(None, pattern=CODE, description="该单位及其下级（默认本人可见范围）")


@targets_router.get("", response={200: list[TargetOut], 401: ErrorOut, 404: ErrorOut}, summary="年度目标")
def list_targets(request: HttpRequest, filters: Query[TargetFilters]) -> list[dict[str, Any]]:
    user = user_of(request)
    indicator = selectors.get_indicator(filters.indicator) if filters.indicator else None
    rows = selectors.visible_targets(user, year=filters.year, indicator=indicator)
    if filters.unit:
        unit = get_unit_for_user(user, filters.unit)
        rows = [t for t in rows if t.unit.path.startswith(unit.path)]
    return [target_out(t) for t in rows]


class TargetIn(Schema):
    indicator: str = Field(pattern=CODE)
    unit: str = Field(pattern=CODE)
    year: int = Field(ge=2000, le=2100)
    annual: str = Field(max_length=40)
    monthly: list[str] | None = Field(None, max_length=12)
    note: str = Field("", max_length=200)
    expected_version: Version | None = None


@targets_router.put(
    "",
    response={200: TargetOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="下达或修改目标（带版本）",
)
def put_target(request: HttpRequest, payload: TargetIn) -> Any:
    user = user_of(request)
    unit: OrgUnit = get_unit_for_user(user, payload.unit)
    indicator = selectors.get_indicator(payload.indicator)
    with change_context(channel="api"):  # a stale version answers 409 from the API's one handler
        target = set_target(
            actor=user,
            indicator=indicator,
            unit=unit,
            year=payload.year,
            annual=payload.annual,
            monthly=payload.monthly,  # type: ignore[arg-type]
            note=payload.note,
            expected_version=payload.expected_version,
        )
    return Status(200, target_out(target))
