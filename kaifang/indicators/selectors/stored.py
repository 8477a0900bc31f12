"""The stored monthly rows and targets as other areas read them (the reporting form, its API and
Excel round trip, validation and the review queue, the ledgers): one query each, in the shapes those
callers need, so no area queries `DataValue`, `DataValueHistory` or `Target` itself.

No visibility filter here: each caller passes units it has already guarded (a submission's unit, the
round's units in the user's scope, the user's own unit, a system job's units). Pages that start
from what a user asks for use the guarded reads in `kaifang.indicators.selectors`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Prefetch

from kaifang.indicators.models import DataValue, DataValueHistory, Indicator, Target
from kaifang.orgs.models import OrgUnit


class StoredFigure(NamedTuple):
    """One stored month of one unit's indicator, as plain values."""

    unit_id: int
    indicator_id: int
    period: datetime.date
    reported: Decimal | None
    month_value: Decimal | None
    ytd_value: Decimal | None
    comment: str
    version: int


class StoredEntry(NamedTuple):
    """One stored figure as typed, with its version and who changed it last (the import's view)."""

    reported: Decimal | None
    comment: str
    version: int
    updated_by: str | None
    updated_at: datetime.datetime | None


def stored_figures(
    *,
    units: Iterable[OrgUnit | int] | None = None,
    indicators: Iterable[Indicator | int] | None = None,
    periods: Iterable[datetime.date] | None = None,
) -> list[StoredFigure]:
    """The stored rows of these units × indicators × months (None: any), one query."""
    rows = DataValue.objects.all()
    if units is not None:
        rows = rows.filter(unit__in=units)
    if indicators is not None:
        rows = rows.filter(indicator__in=indicators)
    if periods is not None:
        rows = rows.filter(period__in=periods)
    return [StoredFigure(*row) for row in rows.values_list(*StoredFigure._fields)]


def stored_entries(
    *, units: Iterable[OrgUnit], period: datetime.date, indicators: Iterable[Indicator] | None = None
) -> dict[tuple[str, str], StoredEntry]:
    """(unit code, indicator code) → the stored figure of one month, one query."""
    rows = DataValue.objects.filter(unit__in=units, period=period)
    if indicators is not None:
        rows = rows.filter(indicator__in=indicators)
    return {
        (unit_code, indicator_code): StoredEntry(reported, comment, version, who, when)
        for unit_code, indicator_code, reported, comment, version, who, when in rows.values_list(
            "unit__code", "indicator__code", "reported", "comment", "version", "updated_by__username", "updated_at"
        )
    }


def stored_rows(
    *,
    units: Iterable[OrgUnit],
    indicators: Iterable[Indicator],
    periods: Iterable[datetime.date],
    history: bool = False,
) -> list[DataValue]:
    """The stored rows themselves, in catalogue order, with their indicator and last author, and with
    `history=True` their changes newest first (`row.history.all()`, one more query)."""
    rows = DataValue.objects.filter(unit__in=units, indicator__in=indicators, period__in=periods)
    rows = rows.select_related("indicator", "updated_by").order_by("indicator__sort_order", "indicator__code", "period")
    if history:
        changes = DataValueHistory.objects.select_related("actor").order_by("-at", "-id")
        rows = rows.prefetch_related(Prefetch("history", queryset=changes))
    return list(rows)


def annual_targets(*, unit: OrgUnit, year: int, indicators: Iterable[Indicator]) -> dict[int, Decimal]:
    """indicator id → the unit's annual target of `year`, one query."""
    rows = Target.objects.filter(unit=unit, year=year, indicator__in=indicators)
    return dict(rows.values_list("indicator_id", "annual"))
