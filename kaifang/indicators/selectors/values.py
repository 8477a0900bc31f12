"""Reading stored values (one unit's values, a form's values, a value's history, a series, the
explorer's trend chart) behind the one visibility guard; `kaifang.indicators.selectors` re-exports
them."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils.translation import gettext

from kaifang.indicators import maths
from kaifang.indicators.aggregation import (
    EMPTY,
    Cell,
    cells,
)
from kaifang.indicators.models import DataValue, DataValueHistory, Indicator, Target
from kaifang.indicators.periods import add_months, months_between
from kaifang.orgs.models import OrgUnit
from kaifang.orgs.scope import can_see_unit


def visible_values(user: Any) -> Any:
    return DataValue.objects.visible_to(user)


def value_for(*, user: Any, indicator: Indicator, unit: OrgUnit, period: datetime.date) -> DataValue | None:
    """The unit's own stored row (as typed), or None; 404 outside scope."""
    _guard(user, unit)
    return (
        DataValue.objects.visible_to(user)
        .filter(indicator=indicator, unit=unit, period=period)
        .select_related("updated_by")
        .first()
    )


def values_for_form(*, user: Any, unit: OrgUnit, period: datetime.date, codes: list[str]) -> dict[str, DataValue]:
    """The unit's rows of one month by indicator code (for the entry form and its versions)."""
    _guard(user, unit)
    rows = DataValue.objects.visible_to(user).filter(unit=unit, period=period, indicator__code__in=codes)
    return {row.indicator.code: row for row in rows.select_related("indicator", "updated_by")}


def history_of(*, user: Any, value_id: int) -> list[DataValueHistory]:
    value = DataValue.objects.visible_to(user).filter(pk=value_id).first()
    if value is None:
        raise Http404("value not found")
    return list(value.history.select_related("actor").order_by("-at", "-id"))


def series(
    *, user: Any, indicator: Indicator, unit: OrgUnit, period_from: datetime.date, period_to: datetime.date
) -> list[tuple[datetime.date, Cell]]:
    """One unit's figure month by month (reported, or summed from its children)."""
    _guard(user, unit)
    months = months_between(period_from, period_to)[:120]
    got = cells(indicator, [unit], months)
    return [(p, got.get((unit.pk, p), EMPTY)) for p in months]


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, Decimal) else None


def _guard(user: Any, unit: OrgUnit) -> None:
    if not can_see_unit(user, unit):
        raise Http404("unit not found")


def trend(*, user: Any, indicator: Indicator, unit: OrgUnit, period_to: datetime.date) -> dict[str, Any]:
    """The explorer's chart for one unit: month values of January … `period_to` this year beside the
    same months last year, the YTD, and the path to the annual target — the unit's own monthly
    phasing (分月目标) when it has one, otherwise the straight time-progress path (annual × m/12; a
    stock's target is flat). Numbers are floats for drawing only; tables keep the exact figures."""
    _guard(user, unit)
    year_start = period_to.replace(month=1)
    now = series(user=user, indicator=indicator, unit=unit, period_from=year_start, period_to=period_to)
    before = series(
        user=user,
        indicator=indicator,
        unit=unit,
        period_from=add_months(year_start, -12),
        period_to=add_months(period_to, -12),
    )
    target = Target.objects.visible_to(user).filter(indicator=indicator, unit=unit, year=period_to.year).first()
    path: list[float | None] = []
    if target is not None:
        for month in range(1, period_to.month + 1):
            if target.monthly:
                path.append(float(Decimal(target.monthly[month - 1])))
            else:
                path.append(float(target.annual * maths.time_progress(month, indicator.time_aggregation)))
    return {
        "months": [gettext("%(m)s月") % {"m": p.month} for p, _c in now],
        "this_year": [_number(c.month_value) for _p, c in now],
        "last_year": [_number(c.month_value) for _p, c in before],
        "ytd": [_number(c.ytd_value) for _p, c in now],
        "target_path": path,
        "phased": bool(target is not None and target.monthly),
        # the phased cumulative target up to `period_to`, exact (shown beside the YTD)
        "phased_to_date": Decimal(target.monthly[period_to.month - 1])
        if target is not None and target.monthly
        else None,
        "year": period_to.year,
        "unit": indicator.unit_of_measure,
        "is_stock": not indicator.is_flow,
    }
