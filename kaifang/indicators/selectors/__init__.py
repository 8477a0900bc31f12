"""Reads of indicators, targets and values — always through the visibility guard.

`aggregate` gives one unit's figure for a period range (which basis: reported or summed from
children, with coverage), with year-to-date, year on year, target, completion, time progress,
progress ratio and the warning light; `children_figures` the same for a unit's visible children,
`ranking` for a group. Other areas read stored rows and targets through `stored`, never the models.
"""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext, gettext_noop

from kaifang.indicators import maths
from kaifang.indicators.aggregation import (
    AVERAGE_OF_CHILDREN,
    EMPTY,
    FORMULA,
    MISSING,
    REPORTED,
    SUM_OF_CHILDREN,
    SUMMABLE_KINDS,
    Cell,
    cells_many,
    comparable_bases,
)
from kaifang.indicators.maths import NOT_COMPARABLE, Ratio
from kaifang.indicators.models import Indicator, Source, Target
from kaifang.indicators.periods import add_months, months_between
from kaifang.indicators.remap import remapped_bases
from kaifang.indicators.selectors.catalogue import get_indicator as get_indicator
from kaifang.indicators.selectors.catalogue import indicators as indicators
from kaifang.indicators.selectors.stored import StoredEntry as StoredEntry
from kaifang.indicators.selectors.stored import StoredFigure as StoredFigure
from kaifang.indicators.selectors.stored import annual_targets as annual_targets
from kaifang.indicators.selectors.stored import stored_entries as stored_entries
from kaifang.indicators.selectors.stored import stored_figures as stored_figures
from kaifang.indicators.selectors.stored import stored_rows as stored_rows
from kaifang.indicators.selectors.targets import HandDown as HandDown
from kaifang.indicators.selectors.targets import hand_down as hand_down
from kaifang.indicators.selectors.targets import visible_targets as visible_targets
from kaifang.indicators.selectors.values import _guard as _guard
from kaifang.indicators.selectors.values import _number as _number
from kaifang.indicators.selectors.values import history_of as history_of
from kaifang.indicators.selectors.values import indicators_with_targets as indicators_with_targets
from kaifang.indicators.selectors.values import latest_period as latest_period
from kaifang.indicators.selectors.values import own_ytd as own_ytd
from kaifang.indicators.selectors.values import series as series
from kaifang.indicators.selectors.values import trend as trend
from kaifang.indicators.selectors.values import unit_targets as unit_targets
from kaifang.indicators.selectors.values import value_for as value_for
from kaifang.indicators.selectors.values import values_for_form as values_for_form
from kaifang.indicators.selectors.values import visible_values as visible_values
from kaifang.orgs.models import OrgUnit, UnitGroup
from kaifang.orgs.scope import get_unit_for_user, unit_scope_q

BASIS_LABELS = {
    REPORTED: gettext_noop("本级填报"),
    SUM_OF_CHILDREN: gettext_noop("下级汇总"),
    AVERAGE_OF_CHILDREN: gettext_noop("下级平均"),
    FORMULA: gettext_noop("公式计算"),
    MISSING: gettext_noop("未报"),
}

PARTIAL = gettext_noop("可比口径：%(n)s/%(m)s个下级已报，同比按相同%(n)s个单位计算")
PARTIAL_NESTED = gettext_noop("可比口径：%(n)s/%(m)s个下级已报（其中%(k)s个本身未报齐），同比按相同范围计算")
PARTIAL_NO_BASE = gettext_noop("（其中%(k)s个上年无数据）")
REMAPPED_NOTE = gettext_noop("；同比按可比口径（上年数据按区划调整折算）")


@dataclass(frozen=True)
class Figure:
    """One unit's figure for one indicator over a period range, with everything pages show.

    A partial sum (`partial`: only n of the unit's m children reported, or a child's own figure is
    itself partial) is compared like for like (可比口径): `last_year_ytd`/`last_year_month` are the
    same children's figures a year earlier, and `yoy` compares with those; the full last-year
    figure stays in `last_year_full_ytd`. Completion is still against the unit's full target.
    """

    unit: OrgUnit
    indicator: Indicator
    period_from: datetime.date
    period_to: datetime.date
    month_value: Decimal | Ratio | None  # the month `period_to`
    ytd_value: Decimal | Ratio | None  # 1 – m of `period_to`'s year (a stock: its value)
    range_value: Decimal | Ratio | None  # sum of month values over the range (a stock: last value)
    basis: str
    children: int
    reporting: int
    last_year_ytd: Decimal | Ratio | None  # the base `yoy` compares with (comparable when partial)
    last_year_month: Decimal | Ratio | None
    yoy: Ratio  # YTD against the same months of last year
    month_yoy: Ratio
    target: Decimal | None
    completion: Ratio
    time_progress: Decimal
    progress_ratio: Ratio
    light: str
    rank: int | None = None
    incomplete: int = 0  # reporting children whose own figure is itself partial
    last_year_full_ytd: Decimal | Ratio | None = None  # last year's figure over all children
    base_reporting: int = 0  # partial: of the `reporting` children, how many have last year's figure
    remapped: bool = False  # last year's base re-mapped onto today's tree after a division change

    @property
    def partial(self) -> bool:
        """Only some of the children are in this figure (n of m), so it is compared like for like."""
        return self.basis in (SUM_OF_CHILDREN, AVERAGE_OF_CHILDREN) and (
            self.reporting < self.children or self.incomplete > 0
        )

    @property
    def coverage_text(self) -> str:
        """ "5/7 已报" for a figure from children ("14/14 已报，1个未报齐" when a child is itself
        partial); "" for a unit's own report or a formula."""
        if not self.children or self.basis not in (SUM_OF_CHILDREN, AVERAGE_OF_CHILDREN, MISSING):
            return ""
        values = {"n": self.reporting, "m": self.children, "k": self.incomplete}
        if self.incomplete:
            return gettext("%(n)s/%(m)s 已报，%(k)s个未报齐") % values
        return gettext("%(n)s/%(m)s 已报") % values

    @property
    def basis_label(self) -> str:
        return self.basis_text(translate=True)

    def basis_text(self, *, translate: bool = True) -> str:
        """Which basis the figure is on, in words: 本级填报, 下级汇总, or for a partial sum
        "可比口径：5/7个下级已报，同比按相同5个单位计算". `translate=False` gives the Chinese source
        text (what an assessment stores, whatever the reader's language)."""
        tr = gettext if translate else str
        text = self._partial_text(tr) if self.partial else tr(BASIS_LABELS.get(self.basis, self.basis))
        return f"{text}{tr(REMAPPED_NOTE)}" if self.remapped else text

    def _partial_text(self, tr: Any) -> str:
        values = {"n": self.reporting, "m": self.children, "k": self.incomplete}
        text = tr(PARTIAL_NESTED if self.incomplete else PARTIAL) % values
        lacking = self.reporting - self.base_reporting
        if 0 < lacking < self.reporting:
            text += tr(PARTIAL_NO_BASE) % {"k": lacking}
        return text

    @property
    def status(self) -> str:
        """ "missing" (未报: no figure at all), "partial" (n of m), or "" for a whole figure."""
        if not self.has_value:
            return "missing"
        return "partial" if self.partial else ""

    @property
    def coverage(self) -> Ratio:
        return maths.share(Decimal(self.reporting), Decimal(self.children)) if self.children else NOT_COMPARABLE

    @property
    def has_value(self) -> bool:
        return isinstance(self.ytd_value, Decimal) or isinstance(self.month_value, Decimal)


# --- Figures ---------------------------------------------------------------------------------------


def red_margin() -> Decimal:
    return Decimal(getattr(settings, "KAIFANG_RED_MARGIN_POINTS", 10))


def figures(
    indicator: Indicator, units: list[OrgUnit], period_from: datetime.date, period_to: datetime.date
) -> list[Figure]:
    """Figures of many units at once (no visibility check: callers pass visible units only)."""
    if period_from > period_to:
        period_from, period_to = period_to, period_from
    return figures_many([indicator], units, period_from, period_to)[indicator.pk]


def figures_many(
    indicators: list[Indicator], units: list[OrgUnit], period_from: datetime.date, period_to: datetime.date
) -> dict[int, list[Figure]]:
    """`figures` for several indicators (dashboards): shared queries for rows, tree and targets."""
    if period_from > period_to:
        period_from, period_to = period_to, period_from
    months = months_between(period_from, period_to)[-120:]
    last_year = add_months(period_to, -12)
    got_all = cells_many(indicators, units, [*months, last_year])
    targets: dict[tuple[int, int], Decimal] = {
        (t.indicator_id, t.unit_id): t.annual
        for t in Target.objects.filter(indicator__in=indicators, unit__in=units, year=period_to.year).order_by()
    }
    partial = {
        pk: [(u.pk, period_to) for u in units if got.get((u.pk, period_to), EMPTY).partial]
        for pk, got in got_all.items()
    }
    partial_units = [u for u in units if any((u.pk, period_to) in keys for keys in partial.values())]
    known = ({u.pk for u in units}, {*months, last_year}, got_all)  # the cells of `units` are computed
    bases = comparable_bases(indicators, partial_units, partial, known=known) if partial_units else {}

    def base_of(pk: int, unit_id: int) -> Cell:
        return bases.get(pk, {}).get((unit_id, period_to)) or got_all.get(pk, {}).get((unit_id, last_year), EMPTY)

    partial_ids = {u.pk for u in partial_units}
    remapped = remapped_bases(indicators, units, period_to, base_of, partial_ids)  # after division changes
    return {
        i.pk: _figures_of(
            i,
            units,
            period_from,
            period_to,
            months,
            got_all.get(i.pk, {}),
            targets,
            bases.get(i.pk, {}),
            remapped.get(i.pk, {}),
        )
        for i in indicators
    }


def _figures_of(
    indicator: Indicator,
    units: list[OrgUnit],
    period_from: datetime.date,
    period_to: datetime.date,
    months: list[datetime.date],
    got: dict[tuple[int, datetime.date], Cell],
    all_targets: dict[tuple[int, int], Decimal],
    bases: dict[tuple[int, datetime.date], Cell],
    remapped: dict[int, Cell],
) -> list[Figure]:
    last_year = add_months(period_to, -12)
    targets = {
        unit.pk: all_targets[(indicator.pk, unit.pk)] for unit in units if (indicator.pk, unit.pk) in all_targets
    }
    progress = maths.time_progress(period_to.month, indicator.time_aggregation)
    margin = red_margin()
    out = []
    for unit in units:
        cell = got.get((unit.pk, period_to), EMPTY)
        full_base = got.get((unit.pk, last_year), EMPTY)
        base = bases.get((unit.pk, period_to), full_base)  # the same children a year earlier
        base = remapped.get(unit.pk, base)  # re-mapped onto today's tree after a division change
        if indicator.is_flow:
            month_cells = [got.get((unit.pk, m), EMPTY).month_value for m in months]
            known = [v for v in month_cells if isinstance(v, Decimal)]
            range_value: Decimal | Ratio | None = sum(known, Decimal(0)) if known else None
        else:
            range_value = cell.month_value
        ytd = cell.ytd_value
        target = targets.get(unit.pk)
        done = maths.completion(ytd if isinstance(ytd, Decimal) else None, target)
        ratio = maths.progress_ratio(done, progress)
        out.append(
            Figure(
                unit=unit,
                indicator=indicator,
                period_from=period_from,
                period_to=period_to,
                month_value=cell.month_value,
                ytd_value=ytd,
                range_value=range_value,
                basis=cell.basis,
                children=cell.children,
                reporting=cell.reporting,
                last_year_ytd=base.ytd_value,
                last_year_month=base.month_value,
                yoy=_yoy(ytd, base.ytd_value),
                month_yoy=_yoy(cell.month_value, base.month_value),
                target=target,
                completion=done,
                time_progress=progress,
                progress_ratio=ratio,
                light=maths.light(done, progress, margin),
                incomplete=cell.incomplete,
                last_year_full_ytd=full_base.ytd_value,
                base_reporting=base.reporting if base is not full_base else 0,
                remapped=unit.pk in remapped,
            )
        )
    return out


def _yoy(current: Decimal | Ratio | None, base: Decimal | Ratio | None) -> Ratio:
    if not isinstance(current, Decimal) or not isinstance(base, Decimal):
        return NOT_COMPARABLE
    return maths.yoy_growth(current, base)


def aggregate(
    *,
    user: Any,
    indicator: Indicator,
    unit: OrgUnit,
    period_from: datetime.date,
    period_to: datetime.date,
) -> Figure:
    """The unit's figure: its own report, else the sum (or average) of its current child divisions."""
    _guard(user, unit)
    return figures(indicator, [unit], period_from, period_to)[0]


def _visible_children(user: Any, unit: OrgUnit, on: datetime.date) -> list[OrgUnit]:
    """The unit's current children the user may see: divisions first, then departments/platforms."""
    _guard(user, unit)
    children = list(
        OrgUnit.objects.filter(parent=unit)
        .filter(unit_scope_q(user, prefix=""))
        .current(on)
        .order_by("sort_order", "path")
    )
    children.sort(key=lambda u: (u.kind not in SUMMABLE_KINDS, u.sort_order, u.path))
    return children


def children_figures(
    *,
    user: Any,
    indicator: Indicator,
    unit: OrgUnit,
    period_from: datetime.date,
    period_to: datetime.date,
) -> tuple[Figure, list[Figure]]:
    """The unit's figure and each visible child's (divisions first, then departments/platforms)."""
    children = _visible_children(user, unit, period_to)
    rows = figures(indicator, [unit, *children], period_from, period_to)
    return rows[0], rows[1:]


def children_figures_many(
    *,
    user: Any,
    indicators: list[Indicator],
    unit: OrgUnit,
    period_from: datetime.date,
    period_to: datetime.date,
) -> dict[int, tuple[Figure, list[Figure]]]:
    """`children_figures` for several indicators at once (a dashboard), by indicator id."""
    children = _visible_children(user, unit, period_to)
    got = figures_many(indicators, [unit, *children], period_from, period_to)
    return {pk: (rows[0], rows[1:]) for pk, rows in got.items()}


def ranking(
    *,
    user: Any,
    indicator: Indicator,
    group_or_parent: UnitGroup | OrgUnit | str,
    period: datetime.date,
    order_by: str = "ytd",
) -> list[Figure]:
    """Units of a group (or a parent's child divisions) ranked by YTD, completion or year on year.

    Only units the user may see are ranked; units without a figure come last, unranked.
    """
    if isinstance(group_or_parent, str):
        group = UnitGroup.objects.filter(code=group_or_parent).first()
        holder: UnitGroup | OrgUnit = group if group is not None else get_unit_for_user(user, group_or_parent)
    else:
        holder = group_or_parent
    if isinstance(holder, UnitGroup):
        units_qs = holder.members.all()
    else:
        _guard(user, holder)
        units_qs = OrgUnit.objects.filter(parent=holder, kind__in=SUMMABLE_KINDS)
    units = list(units_qs.filter(unit_scope_q(user, prefix="")).current(period).order_by("sort_order", "path"))
    rows = figures(indicator, units, period.replace(month=1), period)
    key = {"ytd": lambda f: f.ytd_value, "completion": lambda f: f.completion, "yoy": lambda f: f.yoy}[order_by]
    reverse = indicator.direction == "higher"
    ranked = sorted((f for f in rows if isinstance(key(f), Decimal)), key=key, reverse=reverse)
    rest = [f for f in rows if not isinstance(key(f), Decimal)]
    out = [_with_rank(f, i) for i, f in enumerate(ranked, start=1)]
    return out + rest


def _with_rank(figure: Figure, rank: int) -> Figure:
    from dataclasses import replace

    return replace(figure, rank=rank)


def figures_stamp(indicators: list[Indicator], period_from: datetime.date, period_to: datetime.date) -> str:
    """Changes whenever a figure the indicators' figures of these months are made of may have changed
    (formula indicators: their operands too) — what a stored result computed from them is checked
    against (`kaifang.indicators.rollups.figures_stamp`)."""
    from kaifang.indicators import expressions, rollups

    ids = {i.pk for i in indicators}
    codes = set()
    for indicator in indicators:
        if indicator.source == Source.FORMULA:
            with contextlib.suppress(expressions.ExpressionError):
                codes |= set(expressions.references(expressions.parse(indicator.formula)))
    if codes:
        ids |= set(Indicator.objects.filter(code__in=codes).values_list("pk", flat=True))
    return rollups.figures_stamp(ids, period_from, period_to)
