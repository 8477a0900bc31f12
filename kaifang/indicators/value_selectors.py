"""Reading stored values (one unit's values, a form's values, a value's history, a series) behind
the one visibility guard; `kaifang.indicators.selectors` re-exports them."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import Http404

from kaifang.indicators.aggregation import (
    EMPTY,
    Cell,
    cells,
)
from kaifang.indicators.models import DataValue, DataValueHistory, Indicator
from kaifang.indicators.periods import months_between
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
