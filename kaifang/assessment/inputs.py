"""Gathering the engine's inputs from the platform's data (indicators, tasks, reports, entries).

One query per item (never one per unit), so a group of thousands of units is gathered quickly.
Every figure carries its source reference (indicator + unit + period, task ids, submission ids,
entry ids) so a point on a result page links straight back to what produced it.

A city that did not report an additive indicator itself gets the sum of its children's figures
(the indicators' own rule, `kaifang.indicators.selectors.figures`); every value source says which
basis it is on (本级填报, 下级汇总 with n of m, 可比口径), and a growth item's base for a partial sum
is the same children a year earlier.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from kaifang.assessment import engine
from kaifang.assessment.models import AdjustmentState, AssessmentScheme, ManualAdjustment, SchemeItem
from kaifang.core import clock
from kaifang.indicators import maths
from kaifang.indicators.aggregation import COMPARABLE, REPORTED
from kaifang.indicators.models import Indicator, Source
from kaifang.indicators.selectors import BASIS_LABELS, Figure, figures, own_ytd, unit_targets
from kaifang.orgs.models import OrgUnit, UnitGroup
from kaifang.reporting.selectors import reporting_record
from kaifang.supervision.selectors import task_counts


@dataclass
class Gathered:
    units: list[OrgUnit]
    data: list[engine.UnitData]

    def as_json(self) -> dict[str, Any]:
        return engine.to_jsonable(
            {"units": [{"code": u.code, "name": u.name, "items": dict(u.items)} for u in self.data]}
        )

    @property
    def unit_ids(self) -> list[int]:
        return [u.pk for u in self.units]


def period_window(period: datetime.date) -> tuple[datetime.date, datetime.date]:
    """January 1 to the last day of the period's month: the year-to-date window of a running score."""
    start = period.replace(month=1, day=1)
    following = datetime.date(period.year + (period.month == 12), period.month % 12 + 1, 1)
    return start, following - datetime.timedelta(days=1)


def group_units(scheme: AssessmentScheme, period: datetime.date) -> list[OrgUnit]:
    return list(scheme.group.members.current(on=period).order_by("path"))


def _decimal(value: Any) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


COMPARABLE_BASE = "上年同期为相同%(n)s个下级之和（可比口径）"


def _value_source(
    indicator: Indicator,
    unit: OrgUnit,
    period: datetime.date | str,
    figure: Figure | None = None,
    *,
    base: bool = False,
) -> dict[str, Any]:
    """The reference to one figure, saying which basis it is on (DESIGN "Comparable basis"):
    "basis" (reported by the unit itself / sum of children / …), for a sum "reporting" of "children",
    "partial" when only some of them reported, and a Chinese "note" for the breakdown page. With
    `base`, the source is a growth item's last-year base: for a partial sum it is the same children
    a year earlier ("comparable_base")."""
    source: dict[str, Any] = {
        "type": "value",
        "indicator": indicator.code,
        "name": indicator.name,
        "unit": unit.code,
        "unit_name": unit.name,
        "period": period if isinstance(period, str) else f"{period:%Y-%m}",
    }
    if figure is None:  # the unit's own reported row
        source.update(basis=REPORTED, note=BASIS_LABELS[REPORTED])
        return source
    source.update(basis=figure.basis, note=figure.basis_text(translate=False))
    if figure.children:
        source.update(reporting=figure.reporting, children=figure.children, partial=figure.partial)
    if base and figure.partial:
        source.update(
            basis=COMPARABLE,
            comparable_base=True,
            base_reporting=figure.base_reporting,
            note=COMPARABLE_BASE % {"n": figure.reporting},
        )
    return source


UnitFilter = Callable[[str], Q]


def unit_filter(units: list[OrgUnit], group: UnitGroup | None = None) -> UnitFilter:
    """A Q builder restricting rows to the units, through a relation prefix ("unit__", "lead_unit__").

    For a whole group it is a join on the group's membership (one small subquery, not thousands of
    bound ids); rows of units outside `units` (e.g. historic members) are ignored by the callers.
    """
    if group is not None:
        return lambda prefix: Q(**{f"{prefix}groups": group})
    ids = [u.pk for u in units]
    return lambda prefix: Q(**{f"{prefix}id__in": ids})


def _indicator_inputs(
    item: SchemeItem, units: list[OrgUnit], period: datetime.date, where: UnitFilter
) -> dict[int, dict[str, Any]]:
    """Each unit's own reported figure (one query for the whole group); units without one of their
    own get the indicators' rule through `figures` (summed from children, or by formula)."""
    indicator = item.indicator
    assert indicator is not None
    growth = item.kind == engine.GROWTH
    needs_target = item.kind in (engine.COMPLETION, engine.STEP) or (
        item.kind == engine.THRESHOLD and (item.params or {}).get("basis") == "target"
    )
    base_period = period.replace(year=period.year - 1)
    own: dict[tuple[int, datetime.date], Decimal] = {}
    if indicator.source == Source.REPORTED:
        own = own_ytd(indicator, [period, base_period] if growth else [period], units=where("unit__"))
    targets: dict[int, Decimal] = {}
    if needs_target:
        targets = unit_targets(indicator, period.year, units=where("unit__"))
    lacking = [u for u in units if (u.pk, period) not in own or (growth and (u.pk, base_period) not in own)]
    derived = {f.unit.pk: f for f in figures(indicator, lacking, period, period)} if lacking else {}
    progress = maths.time_progress(period.month, indicator.time_aggregation)
    period_text, base_text = f"{period:%Y-%m}", f"{base_period:%Y-%m}"
    out: dict[int, dict[str, Any]] = {}
    for unit in units:
        f = derived.get(unit.pk)
        if f is None:
            value, base = own.get((unit.pk, period)), own.get((unit.pk, base_period))
        else:  # for a partial sum, last_year_ytd is the same children's figure a year earlier
            value, base = _decimal(f.ytd_value), _decimal(f.last_year_ytd)
        source = _value_source(indicator, unit, period_text, f)
        if needs_target:
            key = "value" if item.kind == engine.THRESHOLD else "actual"
            out[unit.pk] = {
                key: value,
                "target": targets.get(unit.pk),
                "time_progress": progress,
                "sources": [
                    source,
                    {"type": "target", "indicator": indicator.code, "unit": unit.code, "year": period.year},
                ],
            }
        elif growth:
            out[unit.pk] = {
                "current": value,
                "base": base,
                "sources": [source, _value_source(indicator, unit, base_text, f, base=True)],
            }
        else:  # ranking, efficacy, absolute threshold: the figure itself
            out[unit.pk] = {"value": value, "sources": [source]}
    return out


def _task_inputs(
    units: list[OrgUnit], period: datetime.date, where: UnitFilter, as_of: datetime.datetime
) -> dict[int, dict[str, Any]]:
    """Tasks due from January 1 to the period's end — but never past the day of computation: a task
    whose deadline has not come yet is not due (the item's rule text says so)."""
    start, end = period_window(period)
    return task_counts(units, start, min(end, timezone.localtime(as_of).date()), where)


def _reporting_inputs(
    item: SchemeItem, units: list[OrgUnit], period: datetime.date, as_of: datetime.datetime
) -> dict[int, dict[str, Any]]:
    """Reporting rounds of the year up to `period` whose deadline plus grace has passed at `as_of`, as
    the item's rule text says (`kaifang.reporting.selectors.reporting_record`)."""
    answers_for = str(item.to_engine().param("answers_for"))
    return reporting_record(units, period=period, as_of=as_of, answers_for=answers_for)


def _entry_inputs(
    item: SchemeItem, units: list[OrgUnit], period: datetime.date, where: UnitFilter
) -> dict[int, dict[str, Any]]:
    entries = ManualAdjustment.objects.filter(
        where("unit__"),
        scheme_code=item.scheme.code,
        item_code=item.code,
        state=AdjustmentState.APPROVED,
        period__year=period.year,
        period__lte=period,
    ).order_by("period", "pk")
    out: dict[int, dict[str, Any]] = defaultdict(lambda: {"entries": [], "sources": []})
    for entry in entries:
        data = out[entry.unit_id]
        data["entries"].append({"id": entry.pk, "points": entry.points, "reason": entry.reason})
        data["sources"].append({"type": "adjustment", "id": entry.pk, "period": f"{entry.period:%Y-%m}"})
        if item.kind == engine.VETO:
            data["triggered"] = True
            data["reason"] = entry.reason
    return out


def gather(
    scheme: AssessmentScheme,
    period: datetime.date,
    *,
    units: Iterable[OrgUnit] | None = None,
    as_of: datetime.datetime | None = None,
) -> Gathered:
    """The engine's inputs for every unit of the scheme's group (or `units`) at `period`, as known at
    `as_of` (default: now on the app clock): rounds and tasks not yet due then are not counted."""
    as_of = as_of or clock.now()
    members = list(units) if units is not None else group_units(scheme, period)
    where = unit_filter(members, scheme.group if units is None else None)
    per_item = other_inputs(scheme, period, members, where, as_of)
    for item in scheme.items.select_related("indicator", "scheme"):
        if item.kind in engine.INDICATOR_KINDS:
            per_item[item.code] = _indicator_inputs(item, members, period, where)
    order = [item.code for item in scheme.items.all()]
    data = [
        engine.UnitData(
            unit.code,
            unit.name,
            {code: per_item[code][unit.pk] for code in order if code in per_item and unit.pk in per_item[code]},
        )
        for unit in members
    ]
    return Gathered(units=members, data=data)


def other_inputs(
    scheme: AssessmentScheme,
    period: datetime.date,
    members: list[OrgUnit],
    where: UnitFilter,
    as_of: datetime.datetime,
) -> dict[str, dict[int, dict[str, Any]]]:
    """Item code → unit id → inputs, for every item that is not an indicator's figure (tasks, reporting,
    entries): small grouped queries, cheap enough to gather on every read of a running score."""
    per_item: dict[str, dict[int, dict[str, Any]]] = {}
    cached: dict[str, dict[int, dict[str, Any]]] = {}
    for item in scheme.items.select_related("indicator", "scheme"):
        if item.kind in engine.INDICATOR_KINDS:
            continue
        if item.kind == engine.TASKS:
            if "tasks" not in cached:
                cached["tasks"] = _task_inputs(members, period, where, as_of)
            per_item[item.code] = cached["tasks"]
        elif item.kind == engine.REPORTING:
            key = f"reporting:{item.to_engine().param('answers_for')}"
            if key not in cached:
                cached[key] = _reporting_inputs(item, members, period, as_of)
            per_item[item.code] = cached[key]
        else:
            per_item[item.code] = _entry_inputs(item, members, period, where)
    return per_item
