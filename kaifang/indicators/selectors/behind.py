"""The figure behind a point (a chart's point, a score item, a cockpit card): the unit's figure for
the year to date, the row as reported with its last changes, the visible children's rows and the
unit's annual target."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from kaifang.indicators.models import DataValue, DataValueHistory, Indicator, Target
from kaifang.indicators.selectors import Figure, figures
from kaifang.orgs.models import OrgUnit

HISTORY_SHOWN = 20


@dataclass(frozen=True)
class FigureBehind:
    figure: Figure
    value: DataValue | None
    history: list[DataValueHistory]
    children: list[DataValue]
    target: Target | None


def figure_behind(*, user: Any, indicator: Indicator, unit: OrgUnit, period: datetime.date) -> FigureBehind:
    """What stands behind `unit`'s figure of `period`; `unit` comes through the visibility guard,
    and only the children `user` may see are listed."""
    value = DataValue.objects.filter(indicator=indicator, unit=unit, period=period).first()
    children = (
        DataValue.objects.filter(indicator=indicator, period=period, unit__parent=unit)
        .filter(unit__in=OrgUnit.objects.visible_to(user))
        .select_related("unit")
        .order_by("unit__path")
    )
    return FigureBehind(
        figure=figures(indicator, [unit], period.replace(month=1), period)[0],
        value=value,
        history=list(value.history.all()[:HISTORY_SHOWN]) if value else [],
        children=list(children),
        target=Target.objects.filter(indicator=indicator, unit=unit, year=period.year).first(),
    )
