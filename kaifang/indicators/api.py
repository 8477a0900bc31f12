"""/api/v1/indicators, /api/v1/values, /api/v1/targets — the same selectors, services and guard as the pages."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from kaifang.accounts.permissions import user_of
from kaifang.core import clock
from kaifang.core.context import change_context
from kaifang.core.numbers import FIGURE_DESCRIPTION, RATIO_DESCRIPTION, figure_text, ratio_text
from kaifang.core.schemas import ErrorOut, PathId, Version
from kaifang.indicators import selectors
from kaifang.indicators.api_targets import CODE, targets_router  # targets_router is mounted with the others
from kaifang.indicators.figures import StaleValues, ValueEntry
from kaifang.indicators.maths import NOT_COMPARABLE
from kaifang.indicators.models import DataValue, DataValueHistory, Indicator
from kaifang.indicators.periods import parse_period
from kaifang.indicators.selectors import Figure
from kaifang.indicators.services import save_values
from kaifang.orgs.scope import get_unit_for_user, scope_root

PERIOD = r"^\d{4}-\d{1,2}$"
MAX_ROWS = 5000

indicators_router = Router(tags=["indicators"])
values_router = Router(tags=["values"])


def _figure(value: Any, decimals: int) -> str | None:
    """A figure with exactly its indicator's decimals; not comparable as "不可比"."""
    return "不可比" if value is NOT_COMPARABLE else figure_text(value, decimals)


def _ratio(value: Any) -> str | None:
    """A ratio with RATIO_PLACES places; not comparable as "不可比"."""
    return "不可比" if value is NOT_COMPARABLE else ratio_text(value)


# --- Indicators ------------------------------------------------------------------------------------


class IndicatorOut(Schema):
    code: str
    name: str
    unit_of_measure: str
    category: str
    direction: str
    time_aggregation: str
    reported_as: str
    unit_aggregation: str
    decimals: int
    source: str
    authority: str
    formula: str
    allow_negative: bool
    is_active: bool
    version: int


@indicators_router.get("", response={200: list[IndicatorOut], 401: ErrorOut}, summary="指标目录")
def list_indicators(request: HttpRequest, include_inactive: bool = False) -> list[Indicator]:
    return selectors.indicators(active_only=not include_inactive)


@indicators_router.get("/{code}", response={200: IndicatorOut, 401: ErrorOut, 404: ErrorOut}, summary="单个指标")
def get_indicator(request: HttpRequest, code: str) -> Indicator:
    return selectors.get_indicator(code)


# --- Values ----------------------------------------------------------------------------------------


class ValueOut(Schema):
    id: int
    indicator: str
    unit: str
    unit_name: str
    period: str
    reported: str | None = Field(description=FIGURE_DESCRIPTION)
    month_value: str | None = Field(description=FIGURE_DESCRIPTION)
    ytd_value: str | None = Field(description=FIGURE_DESCRIPTION)
    comment: str
    version: int
    updated_by: str | None
    updated_at: datetime.datetime


def value_out(row: DataValue) -> dict[str, Any]:
    places = row.indicator.decimals
    return {
        "id": row.pk,
        "indicator": row.indicator.code,
        "unit": row.unit.code,
        "unit_name": row.unit.name,
        "period": f"{row.period:%Y-%m}",
        "reported": figure_text(row.reported, places),
        "month_value": figure_text(row.month_value, places),
        "ytd_value": figure_text(row.ytd_value, places),
        "comment": row.comment,
        "version": row.version,
        "updated_by": row.updated_by.username if row.updated_by_id else None,  # type: ignore[union-attr]
        "updated_at": row.updated_at,
    }


class AggregateOut(Schema):
    unit: str
    unit_name: str
    indicator: str
    period_from: str
    period_to: str
    month_value: str | None
    ytd_value: str | None
    range_value: str | None
    basis: str = Field(description="reported | sum_of_children | average_of_children | formula | missing")
    basis_label: str
    children: int
    reporting: int
    last_year_ytd: str | None
    yoy: str | None = Field(description=f"同比增长（本年累计÷上年同期累计−1）；{RATIO_DESCRIPTION}；或“不可比”")
    target: str | None = Field(description=FIGURE_DESCRIPTION)
    completion: str | None = Field(description=f"完成率（累计÷年度目标）；{RATIO_DESCRIPTION}")
    time_progress: str = Field(description=f"时序进度（月份数÷12）；{RATIO_DESCRIPTION}")
    progress_ratio: str | None = Field(description=f"完成率÷时序进度；{RATIO_DESCRIPTION}")
    light: str


def aggregate_out(f: Figure) -> dict[str, Any]:
    places = f.indicator.decimals
    return {
        "unit": f.unit.code,
        "unit_name": f.unit.name,
        "indicator": f.indicator.code,
        "period_from": f"{f.period_from:%Y-%m}",
        "period_to": f"{f.period_to:%Y-%m}",
        "month_value": _figure(f.month_value, places),
        "ytd_value": _figure(f.ytd_value, places),
        "range_value": _figure(f.range_value, places),
        "basis": f.basis,
        "basis_label": f.basis_label,
        "children": f.children,
        "reporting": f.reporting,
        "last_year_ytd": _figure(f.last_year_ytd, places),
        "yoy": _ratio(f.yoy),
        "target": _figure(f.target, places),
        "completion": _ratio(f.completion),
        "time_progress": _ratio(f.time_progress) or "",
        "progress_ratio": _ratio(f.progress_ratio),
        "light": f.light,
    }


class ValuesOut(Schema):
    values: list[ValueOut]
    aggregates: list[AggregateOut]
    truncated: bool


class ValueFilters(Schema):
    indicator: str | None = Field(None, pattern=CODE)
    unit: str | None = Field(None, pattern=CODE, description="默认为本人所在单位")
    subtree: bool = Field(False, description="包含下级单位的数据")
    period_from: str | None = Field(None, alias="from", pattern=PERIOD)
    period_to: str | None = Field(None, alias="to", pattern=PERIOD)
    aggregates: bool = Field(False, description="同时返回该单位及其下级的汇总数（需指定指标）")


def _range(filters: ValueFilters) -> tuple[datetime.date | None, datetime.date | None]:
    start = parse_period(filters.period_from) if filters.period_from else None
    end = parse_period(filters.period_to) if filters.period_to else None
    if start and end and start > end:
        raise ValidationError("起始月份不能晚于截止月份。")
    return start, end


@values_router.get(
    "", response={200: ValuesOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut}, summary="指标数据（含汇总）"
)
def list_values(request: HttpRequest, filters: Query[ValueFilters]) -> dict[str, Any]:
    user = user_of(request)
    root = scope_root(user)
    if root is None:
        raise Http404
    unit = get_unit_for_user(user, filters.unit) if filters.unit else root
    start, end = _range(filters)
    indicator = selectors.get_indicator(filters.indicator) if filters.indicator else None
    qs = DataValue.objects.visible_to(user).select_related("indicator", "unit", "updated_by")
    qs = qs.filter(unit__path__startswith=unit.path) if filters.subtree else qs.filter(unit=unit)
    if indicator is not None:
        qs = qs.filter(indicator=indicator)
    if start:
        qs = qs.filter(period__gte=start)
    if end:
        qs = qs.filter(period__lte=end)
    rows = list(qs.order_by("indicator__sort_order", "unit__path", "period")[: MAX_ROWS + 1])
    aggregates: list[dict[str, Any]] = []
    if filters.aggregates:
        if indicator is None:
            raise ValidationError("返回汇总数时须指定指标（indicator）。")
        last = end or (max((r.period for r in rows), default=None)) or clock.today().replace(day=1)
        top, children = selectors.children_figures(
            user=user, indicator=indicator, unit=unit, period_from=start or last.replace(month=1), period_to=last
        )
        aggregates = [aggregate_out(f) for f in [top, *children]]
    return {
        "values": [value_out(r) for r in rows[:MAX_ROWS]],
        "aggregates": aggregates,
        "truncated": len(rows) > MAX_ROWS,
    }


class EntryIn(Schema):
    indicator: str = Field(pattern=CODE)
    value: str | None = Field(None, max_length=40, description='数值以字符串传递，如 "400.50"；null 表示清空')
    comment: str = Field("", max_length=2000)
    expected_version: Version | None = Field(None, description="读取时的版本；null 表示此前尚无数据")


class BatchIn(Schema):
    unit: str = Field(pattern=CODE)
    period: str = Field(pattern=PERIOD)
    entries: list[EntryIn] = Field(max_length=500)


class ConflictOut(Schema):
    indicator: str
    indicator_name: str
    current_value: str | None
    current_version: int
    your_value: str | None
    updated_by: str


class StaleOut(Schema):
    detail: str
    conflicts: list[ConflictOut]


@values_router.post(
    "",
    response={200: list[ValueOut], 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: StaleOut},
    summary="批量保存指标数据（带版本，全部成功或全部不保存）",
)
def save(request: HttpRequest, payload: BatchIn) -> Any:
    user = user_of(request)
    unit = get_unit_for_user(user, payload.unit)
    entries = [
        ValueEntry(
            indicator_code=e.indicator,
            value=e.value,  # type: ignore[arg-type]  # cleaned to Decimal by the service
            comment=e.comment,
            expected_version=e.expected_version,
        )
        for e in payload.entries
    ]
    try:
        with change_context(channel="api"):
            rows = save_values(actor=user, unit=unit, period=parse_period(payload.period), entries=entries)
    except StaleValues as exc:
        catalogue = Indicator.objects.filter(code__in=[e.indicator for e in payload.entries])  # scope: province-wide
        places = dict(catalogue.values_list("code", "decimals"))
        return Status(
            409,
            {
                "detail": exc.messages[0],
                "conflicts": [
                    {
                        "indicator": c.indicator_code,
                        "indicator_name": c.indicator_name,
                        "current_value": figure_text(c.current_value, places.get(c.indicator_code, 0)),
                        "current_version": c.current_version,
                        "your_value": figure_text(c.your_value, places.get(c.indicator_code, 0)),
                        "updated_by": c.updated_by,
                    }
                    for c in exc.conflicts
                ],
            },
        )
    fresh = (
        DataValue.objects.visible_to(user)
        .select_related("indicator", "unit", "updated_by")
        .filter(pk__in=[r.pk for r in rows])
    )
    by_id = {r.pk: r for r in fresh}
    return Status(200, [value_out(by_id[r.pk]) for r in rows])


class HistoryOut(Schema):
    at: datetime.datetime
    actor: str
    channel: str
    old_value: str | None
    new_value: str | None
    comment: str
    version: int


@values_router.get(
    "/{value_id}/history", response={200: list[HistoryOut], 401: ErrorOut, 404: ErrorOut}, summary="数据修改记录"
)
def value_history(request: HttpRequest, value_id: PathId) -> list[dict[str, Any]]:
    rows: list[DataValueHistory] = selectors.history_of(user=user_of(request), value_id=value_id)
    places = rows[0].value.indicator.decimals if rows else 0
    return [
        {
            "at": h.at,
            "actor": h.actor.username if h.actor_id else h.actor_name,  # type: ignore[union-attr]
            "channel": h.channel,
            "old_value": figure_text(h.old_reported, places),
            "new_value": figure_text(h.new_reported, places),
            "comment": h.new_comment,
            "version": h.version,
        }
        for h in rows
    ]


def _mount_file_routes() -> None:
    """The catalogue and targets file routes live in `file_api`; they hang under these routers."""
    from kaifang.indicators.file_api import catalogue_files_router, target_files_router

    indicators_router.add_router("/catalogue", catalogue_files_router)
    targets_router.add_router("/", target_files_router)


_mount_file_routes()


__all__ = ["indicators_router", "targets_router", "values_router"]
