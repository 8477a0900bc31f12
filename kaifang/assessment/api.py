"""/api/v1/assessment: schemes, running and published results, simulation of a version, publishing —
scoped like the pages.

Result rows are filtered by the visibility rule (a unit sees its own row with its rank in the
group; the province every row). Every unit's `total` equals the sum of its items' `points`.
"""

import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from kaifang.assessment import engine, selectors, services
from kaifang.assessment.models import AssessmentScheme, AssessmentSnapshot
from kaifang.assessment.simulation import simulate
from kaifang.core.numbers import NUMBER_DESCRIPTION, RATIO_DESCRIPTION, figure_text, number_text, ratio_text
from kaifang.core.schemas import MAX_VERSION, ErrorOut, PathId
from kaifang.indicators.periods import parse_period

router = Router(tags=["assessment"])
PERIOD_PATTERN = r"^\d{4}-\d{2}$"
SchemeNumber = Annotated[int, Query(ge=1, le=MAX_VERSION, description="方案版本号")]


class ItemDefOut(Schema):
    code: str
    name: str
    kind: str
    weight: str
    params: dict[str, Any]
    indicator: str | None
    missing: str
    formula: str


class SchemeOut(Schema):
    code: str
    number: int
    name: str
    year: int
    group: str
    status: str
    tie_rule: str
    grading: dict[str, Any]
    change_reason: str
    items: list[ItemDefOut]


class ItemResultOut(Schema):
    code: str
    name: str
    kind: str
    weight: str
    points: str
    inputs: dict[str, Any] = Field(
        description=f"计算所用的数：指标数值按指标的小数位数；{RATIO_DESCRIPTION}（完成率、进度比、增速、占比）；"
        f"其他{NUMBER_DESCRIPTION}"
    )
    formula: str
    detail: str
    sources: list[dict[str, Any]]
    missing: bool
    excluded: bool
    flags: list[str]


class UnitResultOut(Schema):
    code: str
    name: str
    total: str
    rank: int
    grade: str
    vetoed: bool
    flags: list[str]
    items: list[ItemResultOut]


class ResultsOut(Schema):
    scheme: str
    scheme_number: int
    period: str
    published: bool
    snapshot_id: int | None = None
    snapshot_number: int | None = None
    digest: str | None = None
    rules: dict[str, str]
    group_size: int
    units: list[UnitResultOut]


class SnapshotOut(Schema):
    id: int
    scheme: str
    period: str
    number: int
    digest: str
    reason: str
    published_by: str
    published_at: datetime.datetime
    changed_units: int


class PeriodQuery(Schema):
    period: str = Field(..., pattern=PERIOD_PATTERN)


class PublishIn(Schema):
    period: str = Field(..., pattern=PERIOD_PATTERN)
    reason: str = Field("", max_length=500)


def _scheme_out(scheme: AssessmentScheme) -> dict[str, Any]:
    return {
        "code": scheme.code,
        "number": scheme.number,
        "name": scheme.name,
        "year": scheme.year,
        "group": scheme.group.code,
        "status": scheme.status,
        "tie_rule": scheme.tie_rule,
        "grading": scheme.grading,
        "change_reason": scheme.change_reason,
        "items": [
            {
                "code": i.code,
                "name": i.name,
                "kind": i.kind,
                "weight": str(i.weight),
                "params": i.params,
                "indicator": i.indicator.code if i.indicator else None,
                "missing": i.missing,
                "formula": engine.describe(i.to_engine()),
            }
            for i in scheme.items.all()
        ],
    }


def _snapshot_out(snapshot: AssessmentSnapshot) -> dict[str, Any]:
    return {
        "id": snapshot.pk,
        "scheme": snapshot.scheme_code,
        "period": f"{snapshot.period:%Y-%m}",
        "number": snapshot.number,
        "digest": snapshot.digest,
        "reason": snapshot.reason,
        "published_by": snapshot.published_by_name,
        "published_at": snapshot.published_at,
        "changed_units": len(snapshot.diff),
    }


# Inputs that are ratios, and inputs that are figures of the item's indicator (the rest: plain numbers).
RATIO_INPUTS = {"completion", "progress_ratio", "growth", "time_progress", "on_time_share", "share", "yoy", "rate"}
FIGURE_INPUTS = {"actual", "target", "base", "current", "value", "min", "max", "line"}


def _input_text(key: str, value: Any, decimals: int | None) -> Any:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal) or isinstance(value, int):
        return value
    if key in RATIO_INPUTS:
        return ratio_text(value) or value
    if key in FIGURE_INPUTS and decimals is not None:
        return figure_text(value, decimals) or value
    return number_text(value) or value


def formatted(results: dict[str, Any], scheme: AssessmentScheme | None) -> dict[str, Any]:
    """Results with their inputs written as the API writes numbers (kaifang.core.numbers): figures with
    the indicator's decimals, ratios with RATIO_PLACES places, no float noise anywhere. The stored
    results (a published snapshot) are not changed."""
    decimals = {
        i.code: i.indicator.decimals
        for i in (scheme.items.select_related("indicator") if scheme else [])
        if i.indicator
    }

    def item(row: dict[str, Any]) -> dict[str, Any]:
        d = decimals.get(row.get("code", ""))
        return {**row, "inputs": {k: _input_text(k, v, d) for k, v in (row.get("inputs") or {}).items()}}

    return {**results, "units": [{**u, "items": [item(i) for i in u.get("items", [])]} for u in results["units"]]}


def _period_for(scheme: AssessmentScheme, text: str) -> datetime.date:
    period = parse_period(text)
    if period.year != scheme.year:
        raise ValidationError({"period": f"期间应在{scheme.year}年内"})
    return period


@router.get("/schemes", response={200: list[SchemeOut], 401: ErrorOut}, summary="考核方案（使用中的版本）")
def list_schemes(request: HttpRequest) -> list[dict[str, Any]]:
    return [_scheme_out(s) for s in selectors.visible_schemes(request.user)]


@router.get("/schemes/{code}", response={200: SchemeOut, 401: ErrorOut, 404: ErrorOut}, summary="考核方案")
def get_scheme(
    request: HttpRequest, code: str, number: Annotated[int, Query(ge=1, le=MAX_VERSION)] | None = None
) -> dict[str, Any]:
    return _scheme_out(selectors.get_scheme_for_user(request.user, code[:32], number))


@router.get(
    "/schemes/{code}/results",
    response={200: ResultsOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
    summary="实时得分（按当前数据计算，未发布）",
)
def running_results(request: HttpRequest, code: str, query: Query[PeriodQuery]) -> dict[str, Any]:
    scheme = selectors.get_scheme_for_user(request.user, code[:32])
    results = selectors.running_results(scheme, _period_for(scheme, query.period))
    return {**formatted(selectors.visible_results(request.user, results), scheme), "published": False}


@router.post(
    "/schemes/{code}/publish",
    response={201: SnapshotOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="发布（冻结）考核结果",
)
def publish(request: HttpRequest, code: str, payload: PublishIn) -> Status:
    scheme = selectors.get_scheme_for_user(request.user, code[:32])
    snapshot = services.publish_assessment(
        actor=request.user, scheme=scheme, period=_period_for(scheme, payload.period), reason=payload.reason
    )
    return Status(201, _snapshot_out(snapshot))


@router.get("/snapshots", response={200: list[SnapshotOut], 401: ErrorOut}, summary="已发布的考核结果")
def list_snapshots(request: HttpRequest, scheme: str = "") -> list[dict[str, Any]]:
    if not selectors.visible_schemes(request.user):
        return []
    snapshots = AssessmentSnapshot.objects.defer("inputs", "results")
    if scheme:
        snapshots = snapshots.filter(scheme_code=scheme[:32])
    return [_snapshot_out(s) for s in snapshots.order_by("-period", "scheme_code", "-number")[:200]]


@router.get(
    "/snapshots/{int:snapshot_id}",
    response={200: ResultsOut, 401: ErrorOut, 404: ErrorOut},
    summary="已发布结果（冻结，不随数据变化）",
)
def get_snapshot(request: HttpRequest, snapshot_id: PathId) -> dict[str, Any]:
    snapshot = selectors.get_snapshot_for_user(request.user, snapshot_id)
    return {
        **formatted(selectors.visible_results(request.user, snapshot.results), snapshot.scheme),
        "published": True,
        "snapshot_id": snapshot.pk,
        "snapshot_number": snapshot.number,
        "digest": snapshot.digest,
    }


@router.get("/snapshots/{int:snapshot_id}/inputs", response={200: dict[str, Any], 401: ErrorOut, 404: ErrorOut})
def get_snapshot_inputs(request: HttpRequest, snapshot_id: PathId) -> dict[str, Any]:
    """The frozen inputs of the visible units (what the published scores were computed from)."""
    snapshot = selectors.get_snapshot_for_user(request.user, snapshot_id)
    codes = selectors.visible_unit_codes(request.user, [u["code"] for u in snapshot.inputs["units"]])
    units = [u for u in snapshot.inputs["units"] if u["code"] in codes]
    return {"units": [{**u, "items": _item_inputs(u.get("items"), snapshot.scheme)} for u in units]}


def _item_inputs(items: Any, scheme: AssessmentScheme | None) -> Any:
    """A snapshot's frozen inputs per item, numbers written like the results' inputs."""
    if not isinstance(items, dict):
        return items
    rows = [{"code": code, "inputs": values} for code, values in items.items() if isinstance(values, dict)]
    shown = formatted({"units": [{"items": rows}]}, scheme)["units"][0]["items"]
    return {**items, **{row["code"]: row["inputs"] for row in shown}}


class VersionOut(Schema):
    number: int
    status: str
    change_reason: str


class SideOut(Schema):
    total: str
    rank: int
    grade: str
    vetoed: bool
    flags: list[str]


class ItemComparisonOut(Schema):
    code: str
    name: str
    only_in: str = Field(description="base / candidate: the item exists in that version only; empty: in both")
    delta: str | None
    base: ItemResultOut | None
    candidate: ItemResultOut | None


class UnitComparisonOut(Schema):
    code: str
    name: str
    base: SideOut | None
    candidate: SideOut | None
    total_delta: str | None
    rank_delta: int | None = Field(description="places moved up (positive) or down (negative)")
    rank_changed: bool
    grade_changed: bool
    flagged: bool
    items: list[ItemComparisonOut]


class SimulationOut(Schema):
    scheme: str
    name: str
    period: str
    notice: str
    published: bool
    base: VersionOut
    candidate: VersionOut
    group_size: int
    flagged_units: int
    rules: dict[str, dict[str, str]]
    units: list[UnitComparisonOut]


class SimulateQuery(Schema):
    period: str = Field(..., pattern=PERIOD_PATTERN)
    base: int | None = Field(
        None, ge=1, le=MAX_VERSION, description="version to compare with (default: the version in use)"
    )


@router.get(
    "/schemes/{code}/versions/{int:number}/simulate",
    response={200: SimulationOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="模拟测算：本版本与使用中版本逐单位对比（不发布、不生效）",
)
def simulate_version(request: HttpRequest, code: str, number: PathId, query: Query[SimulateQuery]) -> dict[str, Any]:
    scheme = selectors.get_scheme_for_user(request.user, code[:32], number)
    base = selectors.get_scheme_for_user(request.user, code[:32], query.base) if query.base else None
    period = _period_for(scheme, query.period)
    return simulate(actor=request.user, scheme=scheme, period=period, base=base).to_dict()


# Bulletins, entries and scheme files register their routes on `router` when imported; they read the
# schemas and helpers above, so they are imported last.
from kaifang.assessment import api_bulletins, api_scheme_files  # noqa: E402, F401
