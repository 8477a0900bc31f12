"""The demo's history months (2017 to the month before the open round): which units report which
typed figure, and the batches `kaifang.reporting.demo` types through closed rounds, and the
ledger-derived figures of those months."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from kaifang.indicators.demo import CITIES, CITY_REPORTERS, LAST_LOADED, _months, _tree, monthly_plan, planned_value
from kaifang.indicators.demo.catalogue import INDICATORS as INDICATORS
from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.models import Indicator, ReportedAs, Source
from kaifang.indicators.services import set_computed_values
from kaifang.orgs.models import OrgUnit


def history_months() -> list[datetime.date]:
    """The months loaded as history: 2017-01 … 2018-05."""
    return [m for m in _months() if m <= LAST_LOADED]


def _reporting_units(indicator: Indicator) -> list[str]:
    """Who holds a figure: every county; 大连, 营口 and 锦州 also type their own city figures."""
    out: list[str] = []
    for city in CITIES:
        out.extend(_tree()[city])
        if city in CITY_REPORTERS and indicator.source == Source.REPORTED:
            out.append(city)
    return out


def _figure(indicator: Indicator, unit_code: str, period: datetime.date) -> Decimal:
    """The figure as the indicator is reported: the month's own value, or the YTD (a stock's value)."""
    if indicator.time_aggregation == "stock" or indicator.reported_as != ReportedAs.YTD:
        return monthly_plan()[(indicator.code, unit_code, period)]
    return planned_value(indicator.code, unit_code, period) or Decimal(0)


def history_units() -> list[OrgUnit]:
    """The units that report history: every county, and the cities that report their own figures."""
    codes = {c for kids in _tree().values() for c in kids} | set(CITY_REPORTERS)
    return list(OrgUnit.objects.filter(code__in=codes).order_by("path"))


def history_indicators() -> list[Indicator]:
    """The demo indicators whose figures are stored (typed and ledger-derived), catalogue order."""
    codes = [s["code"] for s in INDICATORS if s.get("source", "reported") != "formula"]
    return list(Indicator.objects.filter(code__in=codes).order_by("sort_order", "code"))


def history_batches(period: datetime.date) -> list[tuple[OrgUnit, list[ValueEntry]]]:
    """Every unit's typed figures of one history month, as `save_many` takes them."""
    indicators = [i for i in history_indicators() if i.is_typed]
    units = {u.code: u for u in history_units()}
    entries: dict[str, list[ValueEntry]] = {}
    for indicator in indicators:
        for unit_code in _reporting_units(indicator):
            entries.setdefault(unit_code, []).append(ValueEntry(indicator.code, _figure(indicator, unit_code, period)))
    return [(units[code], entries[code]) for code in sorted(entries, key=lambda c: units[c].path)]


def _load_computed(actor: Any, indicators: dict[str, Indicator], units: dict[str, OrgUnit]) -> int:
    """The ledger-derived figures of the history months, through `set_computed_values` (the same
    figures the demo ledgers count; the ledger demo's recompute then finds nothing to change)."""
    changed = 0
    for indicator in indicators.values():
        if indicator.source != Source.LEDGER:
            continue
        rows = [
            (units[unit_code], period, _figure(indicator, unit_code, period))
            for unit_code in _reporting_units(indicator)
            for period in history_months()
        ]
        changed += set_computed_values(actor=actor, indicator=indicator, rows=rows)
    return changed
