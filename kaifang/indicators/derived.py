"""The derived columns of stored figures: `month_value` and `ytd_value`, exact for the whole year.

A unit types `reported` (a month value or a YTD, as the indicator says); both derived columns of
every month of that year follow from the reported figures of all its months. `plan_years` works
them out for a set of rows about to be written, in one read, before anything is written: the rows
carry their derived figures into the insert or update, and the other months whose figures move
(a later month's month value after an earlier YTD changed) come back as updates.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from kaifang.indicators import maths
from kaifang.indicators.models import DataValue, Indicator, ReportedAs, TimeAggregation

Derived = tuple[Decimal | None, Decimal | None]


class Moved(NamedTuple):
    """A stored month whose derived figures change because another month of its year is written."""

    pk: int
    unit_id: int
    indicator_id: int
    period: datetime.date
    month_value: Decimal | None
    ytd_value: Decimal | None


def derive_year(indicator: Indicator, reported_by_month: Sequence[Decimal | None]) -> list[Derived]:
    """(month_value, ytd_value) for months 1–12 from the reported figures (as typed) of one year."""
    if indicator.time_aggregation == TimeAggregation.STOCK:
        return [(v, v) for v in reported_by_month]
    if indicator.reported_as == ReportedAs.YTD:
        ytd = list(reported_by_month)
        return list(zip(maths.monthly_from_ytd(ytd), ytd, strict=True))
    monthly = list(reported_by_month)
    return list(zip(monthly, maths.ytd_from_monthly(monthly), strict=True))


def plan_years(rows: Sequence[DataValue], indicators: dict[int, Indicator]) -> list[Moved]:
    """Set `month_value`/`ytd_value` on `rows` (new or changed figures, not yet written) and return
    every other stored month of the same unit, indicator and year whose derived figures change as a
    result, with its new figures. One query, whatever the number of rows."""
    changing: dict[tuple[int, int, int], dict[int, DataValue]] = defaultdict(dict)
    for row in rows:
        changing[(row.unit_id, row.indicator_id, row.period.year)][row.period.month] = row
    if not changing:
        return []
    years = {year for _u, _i, year in changing}
    query = DataValue.objects.filter(
        unit_id__in={u for u, _i, _y in changing},
        indicator_id__in={i for _u, i, _y in changing},
        period__gte=datetime.date(min(years), 1, 1),
        period__lt=datetime.date(max(years) + 1, 1, 1),
    )
    written = {row.period for row in rows}
    if len(written) == 1:  # one month written (a save): its stored rows are `rows`, not read again
        query = query.exclude(period=written.pop())
    stored: dict[tuple[int, int, int], dict[int, tuple[Any, ...]]] = defaultdict(dict)
    for pk, unit_id, indicator_id, period, figure, month_value, ytd_value in query.values_list(
        "pk", "unit_id", "indicator_id", "period", "reported", "month_value", "ytd_value"
    ):
        key = (unit_id, indicator_id, period.year)
        if key in changing:
            stored[key][period.month] = (pk, figure, month_value, ytd_value)
    updates: list[Moved] = []
    for key, months in changing.items():
        others = stored.get(key, {})
        reported: list[Decimal | None] = [None] * 12
        for month, (_pk, figure, _m, _y) in others.items():
            reported[month - 1] = figure
        for month, row in months.items():
            reported[month - 1] = row.reported
        derived = derive_year(indicators[key[1]], reported)
        for month, row in months.items():
            row.month_value, row.ytd_value = derived[month - 1]
        for month, (pk, _figure, month_value, ytd_value) in others.items():
            if month not in months and (month_value, ytd_value) != derived[month - 1]:
                updates.append(Moved(pk, key[0], key[1], datetime.date(key[2], month, 1), *derived[month - 1]))
    return updates
