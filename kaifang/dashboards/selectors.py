"""What the leaders' cockpit (驾驶舱) shows, for the unit at the top of the user's scope.

Everything is computed from the current data through the other areas' own selectors (indicator
figures, the assessment engine, task lights, forecasts); nothing here writes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from kaifang.assessment.forecast import Forecast, forecasts
from kaifang.assessment.links import default_period
from kaifang.assessment.models import AssessmentScheme
from kaifang.assessment.selectors import running_results
from kaifang.core import clock
from kaifang.core.catalogue_words import catalogue_name, measure
from kaifang.core.numbers import figure_display
from kaifang.indicators import maths
from kaifang.indicators.aggregation import cells
from kaifang.indicators.models import Indicator
from kaifang.indicators.selectors import Figure, figures, figures_many, indicators_with_targets, latest_period
from kaifang.orgs.models import OrgUnit, UnitKind
from kaifang.orgs.scope import can_see_unit, scope_root
from kaifang.supervision.models import OPEN_STATES
from kaifang.supervision.selectors import board_summary, task_queryset, task_rows

CARD_LIMIT = 6
MAP_KINDS = (UnitKind.CITY, UnitKind.COUNTY)


def cockpit_root(user: Any) -> OrgUnit | None:
    """The unit a user's cockpit is about: the province, the user's city, or the user's own unit."""
    return scope_root(user)


def data_period(year: int | None = None) -> datetime.date:
    """The latest month with figures, no later than the last complete month before today."""
    today = clock.today()
    ceiling = default_period(year or today.year)
    return latest_period(ceiling) or ceiling


def card_indicators(year: int) -> list[Indicator]:
    """The indicators with targets this year, in catalogue order (the cockpit's cards)."""
    with_targets = indicators_with_targets(year)
    return list(Indicator.objects.active().filter(pk__in=with_targets).order_by("sort_order", "code")[:CARD_LIMIT])


def _num(value: Any) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


def _pct(value: Any, places: int = 1) -> str:
    return maths.percent(value, places) if isinstance(value, Decimal) else "—"


@dataclass
class Card:
    indicator: Indicator
    ytd: str
    target: str
    completion: str
    time_progress: str
    light: str
    yoy: str
    width: int  # completion as a 0-100 bar (capped)
    status: str = ""  # "partial" (n of m children reported: 可比口径) | "missing" (未报) | ""
    coverage: str = ""  # "12/13 已报"
    basis: str = ""  # the basis in words (可比口径：…)


def cards(unit: OrgUnit, period: datetime.date) -> list[Card]:
    indicators = card_indicators(period.year)
    got = figures_many(indicators, [unit], period.replace(month=1), period) if indicators else {}
    out = []
    for indicator in indicators:
        f = got[indicator.pk][0]
        completion = _num(f.completion)
        out.append(
            Card(
                indicator=indicator,
                ytd=figure_display(f.ytd_value, indicator.decimals),
                target=figure_display(f.target, indicator.decimals),
                completion=_pct(f.completion),
                time_progress=_pct(f.time_progress),
                light=f.light,
                yoy=maths.signed_percent(f.yoy) if isinstance(f.yoy, Decimal) else _("不可比"),
                width=int(min(completion * 100, Decimal(100))) if completion is not None else 0,
                status=f.status,
                coverage=f.coverage_text,
                basis=f.basis_label,
            )
        )
    return out


def map_children(unit: OrgUnit, period: datetime.date) -> list[OrgUnit]:
    """The divisions drawn on the unit's map (a province's cities, a city's counties)."""
    return list(OrgUnit.objects.filter(parent=unit, kind__in=MAP_KINDS).current(period).order_by("path"))


def scheme_for_children(unit: OrgUnit, year: int) -> AssessmentScheme | None:
    """The scheme in use that ranks the unit's children (e.g. the 14 cities under the province)."""
    return (
        AssessmentScheme.objects.current()
        .filter(year=year, group__members__parent=unit)
        .select_related("group")
        .distinct()
        .order_by("code")
        .first()
    )


def map_data(user: Any, unit: OrgUnit, period: datetime.date, metric: str) -> dict[str, Any]:
    """Regions of the unit's map with a value each, a ranking and a trend, for the JS charts.

    metric "score": the running score of the scheme ranking the children (when there is one);
    an indicator code: each child's completion of its annual target (%).
    """
    children = [c for c in map_children(unit, period) if _visible(user, c)]
    scheme = scheme_for_children(unit, period.year)
    if metric == "score" and scheme is None:
        metric = ""
    indicators = card_indicators(period.year)
    if metric != "score" and not any(i.code == metric for i in indicators):
        metric = "score" if scheme else (indicators[0].code if indicators else "")
    regions: list[dict[str, Any]] = []
    if metric == "score" and scheme is not None:
        results = running_results(scheme, period)
        rows = {u["code"]: u for u in results["units"]}
        for child in children:
            row = rows.get(child.code)
            partial = _partial_items(row) if row else []
            regions.append(
                {
                    "code": child.code,
                    "name": child.name,
                    "value": float(row["total"]) if row else None,
                    "label": _score_label(row, partial) if row else _("不在考核组"),
                    "status": "partial" if partial else ("" if row else "outside"),
                    "coverage": partial[0][1] if partial else "",
                    "score_url": reverse("assessment:unit", args=[scheme.code, f"{period:%Y-%m}", child.code])
                    if row
                    else "",
                    "drill": child.kind == UnitKind.CITY,
                }
            )
        label = _("考核得分（实时）")
        value_name = _("得分")
    else:
        indicator = next((i for i in indicators if i.code == metric), None)
        rows_f = figures(indicator, children, period.replace(month=1), period) if indicator else []
        decimals = indicator.decimals if indicator else 2
        for f in rows_f:
            completion = _num(f.completion)
            regions.append(
                {
                    "code": f.unit.code,
                    "name": f.unit.name,
                    "value": float(round(completion * 100, 1)) if completion is not None else None,
                    "label": _figure_label(f, decimals),
                    "status": f.status,
                    "coverage": f.coverage_text,
                    "score_url": reverse("indicators:figure", args=[metric, f.unit.code, f"{period:%Y-%m}"]),
                    "drill": f.unit.kind == UnitKind.CITY,
                }
            )
        label = _("%(name)s完成率") % {"name": catalogue_name(indicator.name)} if indicator else ""
        value_name = _("完成率%")
    ranked = sorted((r for r in regions if r["value"] is not None), key=lambda r: -r["value"])
    # Units without a figure are never dropped from the ranking: they follow, unranked, as 未报
    # (units outside the scheme's group are not part of its ranking at all).
    unranked = [r for r in regions if r["value"] is None and r["status"] != "outside"]
    return {
        "unit": {"code": unit.code, "name": unit.name, "parent": unit.parent.code if unit.parent_id else None},  # type: ignore[union-attr]
        "period": f"{period:%Y-%m}",
        "metric": metric,
        "metric_label": label,
        "value_name": value_name,
        "metrics": ([{"code": "score", "name": _("考核得分")}] if scheme else [])
        + [{"code": i.code, "name": catalogue_name(i.name)} for i in indicators],
        "map": unit.code,
        "regions": regions,
        "ranking": [
            {
                "code": r["code"],
                "name": r["name"],
                "value": r["value"],
                "rank": i if r["value"] is not None else None,
                "status": r["status"],
                "coverage": r["coverage"],
                "text": _status_text(r["status"], r["coverage"]) or (_("无目标") if r["value"] is None else ""),
            }
            for i, r in enumerate([*ranked, *unranked], start=1)
        ],
        "trend": trend(unit, period, indicators[0] if metric == "score" and indicators else _find(indicators, metric)),
    }


def _status_text(status: str, coverage: str) -> str:
    """What a ranking row or map region says besides its value: 未报, 不完整 · 12/13 已报, 不在考核组."""
    if status == "missing":
        return _("未报")
    if status == "outside":
        return _("不在考核组")
    if status == "partial":
        return _("不完整 · %(coverage)s") % {"coverage": coverage}
    return ""


def _figure_label(f: Figure, decimals: int) -> str:
    if f.status == "missing":
        return _("未报（%(coverage)s）") % {"coverage": f.coverage_text} if f.coverage_text else _("未报")
    text = _("完成%(completion)s（累计%(ytd)s/目标%(target)s）") % {
        "completion": _pct(f.completion),
        "ytd": figure_display(f.ytd_value, decimals),
        "target": figure_display(f.target, decimals),
    }
    if f.partial:
        text += " · " + _("不完整：%(coverage)s，同比按相同单位计算（可比口径）") % {"coverage": f.coverage_text}
    return text


def _partial_items(row: dict[str, Any]) -> list[tuple[str, str]]:
    """The unit's scored items whose figure is a partial sum: (item name, "5/7 已报")."""
    found = []
    for item in row.get("items") or []:
        for source in item.get("sources") or []:
            if source.get("partial") and not source.get("comparable_base"):
                coverage = _("%(n)s/%(m)s 已报") % {"n": source.get("reporting"), "m": source.get("children")}
                found.append((str(item.get("name", "")), coverage))
                break
    return found


def _score_label(row: dict[str, Any], partial: list[tuple[str, str]]) -> str:
    text = _("%(total)s分 第%(rank)s名 %(grade)s") % {"total": row["total"], "rank": row["rank"], "grade": row["grade"]}
    if partial:
        names = "、".join(f"{name}（{coverage}）" for name, coverage in partial)
        text += " · " + _("不完整：%(items)s 按可比口径") % {"items": names}
    return text


def _find(indicators: list[Indicator], code: str) -> Indicator | None:
    return next((i for i in indicators if i.code == code), None)


def _visible(user: Any, unit: OrgUnit) -> bool:
    return can_see_unit(user, unit)


def trend(unit: OrgUnit, period: datetime.date, indicator: Indicator | None) -> dict[str, Any]:
    """YTD month by month this year against the same months of last year."""
    if indicator is None:
        return {}
    last = period.replace(year=period.year - 1)
    months = [datetime.date(period.year, m, 1) for m in range(1, 13)]
    last_months = [datetime.date(last.year, m, 1) for m in range(1, 13)]
    got = cells(indicator, [unit], [*months[: period.month], *last_months])
    return {
        "indicator": _("%(name)s（%(measure)s，累计）")
        % {"name": catalogue_name(indicator.name), "measure": measure(indicator.unit_of_measure)},
        "months": [_("%(m)s月") % {"m": m} for m in range(1, 13)],
        "this_year": [_float(got.get((unit.pk, m))) for m in months[: period.month]],
        "last_year": [_float(got.get((unit.pk, m))) for m in last_months],
        "labels": [str(period.year), str(last.year)],
    }


def _float(cell: Any) -> float | None:
    value = getattr(cell, "ytd_value", None)
    return float(value) if isinstance(value, Decimal) else None


def task_summary(user: Any, unit: OrgUnit) -> dict[str, Any]:
    """Task lights in the unit's subtree (as the user may see them)."""
    tasks = task_queryset().visible_to(user).filter(lead_unit__path__startswith=unit.path, state__in=OPEN_STATES)
    rows = task_rows(tasks)
    summary = board_summary(rows)
    order = {"red": 0, "yellow": 1, "green": 2, "grey": 3}
    worst = sorted(rows, key=lambda r: (order.get(r.light.color, 4), r.task.deadline))[:6]
    return {"by_light": summary["by_light"], "by_unit": summary["by_unit"][:6], "rows": worst, "total": len(rows)}


def warning_rows(unit: OrgUnit, period: datetime.date, limit: int = 10) -> list[dict[str, Any]]:
    """Children (a county: itself) forecast to miss their annual target, largest shortfall first.

    A row is a warning only as it reads: the forecast completion shown (one decimal) is under 100.0% and
    the gap shown (the indicator's decimals, in its unit of measure) is above zero; a forecast that
    rounds to 100% or a gap that rounds to 0 is not listed."""
    children = map_children(unit, period) or [unit]
    rows: list[tuple[Forecast, str, str]] = []
    for indicator in card_indicators(period.year)[:4]:
        for r in forecasts(indicator, children, period):
            if not r.will_miss:
                continue
            shown = _pct(r.forecast_completion, 1)
            gap = figure_display(r.gap, indicator.decimals)
            completion = r.forecast_completion
            if isinstance(completion, Decimal) and (completion * 100).quantize(Decimal("0.1")) >= 100:
                continue
            if not isinstance(r.gap, Decimal) or round(r.gap, indicator.decimals) <= 0:
                continue
            rows.append((r, shown, gap))
    rows.sort(key=lambda x: x[0].forecast_completion if isinstance(x[0].forecast_completion, Decimal) else Decimal(0))
    return [
        {"unit": r.unit, "indicator": r.indicator, "forecast": shown, "gap": gap, "curve": r.curve, "light": r.light}
        for r, shown, gap in rows[:limit]
    ]
