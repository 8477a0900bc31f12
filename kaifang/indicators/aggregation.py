"""Zero-lag aggregation: a unit's figure from the current data, computed on each request.

A unit's figure for an additive indicator is its own reported value when it reported one for
that month, otherwise the sum of its current child divisions' figures (the monthly rollups kept
with the figures, `kaifang.indicators.rollups`, or the SQL SUM) (a child that did not
report is itself summed from its children). Averaged indicators use the SQL AVG of the children's
values; non-aggregated indicators have only the unit's own value. Derived (formula) indicators
are evaluated over the figures of the indicators they reference. No visibility check here:
`kaifang.indicators.selectors` guards every public read.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q

from kaifang.indicators import expressions
from kaifang.indicators.cells import AVERAGE_OF_CHILDREN as AVERAGE_OF_CHILDREN
from kaifang.indicators.cells import COMPARABLE as COMPARABLE
from kaifang.indicators.cells import EMPTY as EMPTY
from kaifang.indicators.cells import FORMULA as FORMULA
from kaifang.indicators.cells import MAX_FORMULA_DEPTH as MAX_FORMULA_DEPTH
from kaifang.indicators.cells import MISSING as MISSING
from kaifang.indicators.cells import REPORTED as REPORTED
from kaifang.indicators.cells import SUM_OF_CHILDREN as SUM_OF_CHILDREN
from kaifang.indicators.cells import SUMMABLE_KINDS as SUMMABLE_KINDS
from kaifang.indicators.cells import Cell as Cell
from kaifang.indicators.cells import current_children_q as current_children_q
from kaifang.indicators.maths import NOT_COMPARABLE, Ratio
from kaifang.indicators.models import DataValue, Indicator, Source, UnitAggregation
from kaifang.indicators.periods import add_months
from kaifang.indicators.rollups import children_sums, usable
from kaifang.orgs.models import OrgUnit

Key = tuple[int, datetime.date]


Tree = dict[int, list[OrgUnit]]


def _subtree(units: list[OrgUnit], periods: list[datetime.date]) -> Tree:
    """Parent id → its child divisions that existed in any of `periods`, for every unit below
    `units` (one indexed query on the materialised path)."""
    first, last = min(periods), max(periods)
    roots = sorted({u.path for u in units})
    prefixes = [p for i, p in enumerate(roots) if not any(p.startswith(q) for q in roots[:i])]
    where = Q()
    for prefix in prefixes:
        where |= Q(path__startswith=prefix)
    descendants = (
        OrgUnit.objects.filter(where, kind__in=SUMMABLE_KINDS)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=last))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first))
        .only("id", "parent_id", "valid_from", "valid_to", "kind", "path", "code")
        .order_by()
    )
    out: Tree = defaultdict(list)
    for child in descendants:
        if child.parent_id is not None:
            out[child.parent_id].append(child)
    return out


def _counts(children: list[OrgUnit], period: datetime.date) -> int:
    return sum(
        1
        for c in children
        if (c.valid_from is None or c.valid_from <= period) and (c.valid_to is None or c.valid_to >= period)
    )


def _own(indicator: Indicator, unit_ids: list[int], periods: list[datetime.date]) -> dict[Key, Cell]:
    """The units' own reported rows (the unique (indicator, unit, period) index answers this)."""
    rows = (
        DataValue.objects.filter(indicator=indicator, unit_id__in=unit_ids, period__in=periods, reported__isnull=False)
        .order_by()
        .values_list("unit_id", "period", "month_value", "ytd_value")
    )
    return {(u, p): Cell(m, y, REPORTED) for u, p, m, y in rows}


def cells(
    indicator: Indicator, units: list[OrgUnit], periods: list[datetime.date], *, _depth: int = 0
) -> dict[Key, Cell]:
    """Figures for every (unit, month): reported, summed/averaged from children, or by formula."""
    if not units or not periods:
        return {}
    periods = sorted(set(periods))
    if indicator.source == Source.FORMULA:
        return _formula_cells(indicator, units, periods, depth=_depth)
    own = _own(indicator, [u.pk for u in units], periods)
    if indicator.unit_aggregation == UnitAggregation.NONE:
        return own
    if all((u.pk, p) in own for u in units for p in periods):
        return own
    return _resolve(indicator, units, periods, own, _subtree(units, periods))


def cells_many(
    indicators: list[Indicator], units: list[OrgUnit], periods: list[datetime.date], *, tree: Tree | None = None
) -> dict[int, dict[Key, Cell]]:
    """`cells` for several indicators at once (a dashboard): one query for every indicator's own
    rows and one for the tree (unless the caller has it: `tree` covering `units` and `periods`),
    then one SQL aggregate per indicator and level."""
    if not units or not periods or not indicators:
        return {}
    periods = sorted(set(periods))
    out: dict[int, dict[Key, Cell]] = {}
    plain = [i for i in indicators if i.source != Source.FORMULA]
    for indicator in indicators:
        if indicator.source == Source.FORMULA:
            out[indicator.pk] = cells(indicator, units, periods)
    if not plain:
        return out
    rows = (
        DataValue.objects.filter(
            indicator__in=[i.pk for i in plain],
            unit_id__in=[u.pk for u in units],
            period__in=periods,
            reported__isnull=False,
        )
        .order_by()
        .values_list("indicator_id", "unit_id", "period", "month_value", "ytd_value")
    )
    own: dict[int, dict[Key, Cell]] = {i.pk: {} for i in plain}
    for indicator_id, unit_id, period, month_value, ytd_value in rows:
        own[indicator_id][(unit_id, period)] = Cell(month_value, ytd_value, REPORTED)
    plan: Plan = {}
    for indicator in plain:
        mine = own[indicator.pk]
        if indicator.unit_aggregation == UnitAggregation.NONE or all((u.pk, p) in mine for u in units for p in periods):
            out[indicator.pk] = mine
        else:
            plan[indicator.pk] = (indicator, units, mine)
    if plan:
        out.update(_resolve_many(plan, periods, tree if tree is not None else _subtree(units, periods)))
    return out


def _resolve(
    indicator: Indicator, units: list[OrgUnit], periods: list[datetime.date], own: dict[Key, Cell], tree: Tree
) -> dict[Key, Cell]:
    """Fill the (unit, month) pairs without an own report from the children, one level at a time."""
    return _resolve_many({indicator.pk: (indicator, units, own)}, periods, tree)[indicator.pk]


Plan = dict[int, tuple[Indicator, list[OrgUnit], dict[Key, Cell]]]


def _resolve_many(
    plan: Plan, periods: list[datetime.date], tree: Tree, rolled: bool | None = None
) -> dict[int, dict[Key, Cell]]:
    """For each indicator (id → indicator, its units, their own rows), fill the (unit, month) pairs
    without an own report from the children: per level, one SQL aggregate for all the indicators
    (grouped by indicator, parent and month); children without a report of their own are
    themselves summed from theirs (the next level)."""
    results: dict[int, dict[Key, Cell]] = {}
    level: dict[int, tuple[set[int], dict[int, list[OrgUnit]], list[OrgUnit]]] = {}
    for pk, (_indicator, units, own) in plan.items():
        results[pk] = dict(own)
        missing = {u.pk for u in units for p in periods if (u.pk, p) not in own}
        children_of = {uid: tree[uid] for uid in missing if tree.get(uid)}
        kids = [c for group in children_of.values() for c in group]
        if kids:
            level[pk] = (missing, children_of, kids)
    if not level:
        return results
    # 1. The children's own values added up per parent and month: the rollups kept with the figures
    # (`kaifang.indicators.rollups`), or the SQL aggregate where they do not apply.
    rolled = usable() if rolled is None else rolled  # once per read, whatever the depth
    sums = children_sums(
        {pk: plan[pk][0] for pk in level},
        {pk: children_of for pk, (_m, children_of, _k) in level.items()},
        periods,
        rolled=rolled,
    )
    # 2. Children that did not report but have children of their own are summed from theirs.
    with_kids: dict[int, list[OrgUnit]] = {}
    for pk, (_missing, _children_of, kids) in level.items():
        if plan[pk][0].unit_aggregation != UnitAggregation.AVERAGE:
            found = [c for c in kids if tree.get(c.pk)]
            if found:
                with_kids[pk] = found
    kid_own: dict[int, dict[Key, Cell]] = {}
    to_fetch = []
    for pk, found in with_kids.items():
        known = {u.pk for u in plan[pk][1]}
        if all(c.pk in known for c in found):
            kid_own[pk] = plan[pk][2]
        else:
            to_fetch.append(pk)
            kid_own[pk] = {}
    if to_fetch:
        fetched = (
            DataValue.objects.filter(
                indicator_id__in=to_fetch,
                unit_id__in=sorted({c.pk for pk in to_fetch for c in with_kids[pk]}),
                period__in=periods,
                reported__isnull=False,
            )
            .order_by()
            .values_list("indicator_id", "unit_id", "period", "month_value", "ytd_value")
        )
        for indicator_id, unit_id, period, month_value, ytd_value in fetched:
            kid_own[indicator_id][(unit_id, period)] = Cell(month_value, ytd_value, REPORTED)
    sub_plan: Plan = {}
    for pk, found in with_kids.items():
        lacking = [c for c in found if any((c.pk, p) not in kid_own[pk] for p in periods)]
        if lacking:
            ids = {c.pk for c in lacking}
            sub_plan[pk] = (plan[pk][0], lacking, {k: v for k, v in kid_own[pk].items() if k[0] in ids})
    extra: dict[tuple[int, int, datetime.date], list[Cell]] = defaultdict(list)
    if sub_plan:
        sub = _resolve_many(sub_plan, periods, tree, rolled)
        for pk, (_indicator, lacking, _own) in sub_plan.items():
            for child in lacking:
                for period in periods:
                    cell = sub[pk].get((child.pk, period))
                    if (child.pk, period) not in kid_own[pk] and cell is not None and cell.has_value:
                        extra[(pk, child.parent_id or 0, period)].append(cell)
    for pk, (missing, children_of, _kids) in level.items():
        averaged = plan[pk][0].unit_aggregation == UnitAggregation.AVERAGE
        own = plan[pk][2]
        for unit_id in missing:
            group_kids = children_of.get(unit_id, [])
            if not group_kids:
                continue
            for period in periods:
                if (unit_id, period) in own:
                    continue
                month_value, ytd_value, count = sums.get((pk, unit_id, period), (None, None, 0))
                incomplete = 0
                for cell in extra.get((pk, unit_id, period), []):
                    month_value = _add(month_value, cell.month_value)
                    ytd_value = _add(ytd_value, cell.ytd_value)
                    count += 1
                    incomplete += cell.partial
                total = _counts(group_kids, period)
                if count == 0:
                    results[pk][(unit_id, period)] = Cell(None, None, MISSING, total, 0)
                    continue
                basis = AVERAGE_OF_CHILDREN if averaged else SUM_OF_CHILDREN
                results[pk][(unit_id, period)] = Cell(month_value, ytd_value, basis, total, count, incomplete)
    return results


Known = tuple[set[int], set[datetime.date], dict[int, dict[Key, Cell]]]


def comparable_bases(
    indicators: list[Indicator],
    units: list[OrgUnit],
    partial: dict[int, list[Key]],
    *,
    tree: Tree | None = None,
    known: Known | None = None,
) -> dict[int, dict[Key, Cell]]:
    """Last year's figure over the SAME children as this year's partial sums (可比口径).

    `partial` names, per indicator id, the (unit, month) pairs whose figure sums only some of the
    unit's children (`Cell.partial`); `units` holds those units. For each, the result is a cell
    whose values are the same month a year earlier added up over exactly the children that make
    up this year's figure (averaged for an averaged indicator): a child whose own figure is itself
    partial contributes its own comparable base, any other child its full figure of last year.
    `children` is how many children make up the figure, `reporting` how many of them have a
    figure last year. Set-based: the tree below `units` is read once (or passed in by the level
    above), then one `cells_many` per level for the children at both months whose cells the caller
    does not already have (`known`: the unit ids, months and cells it computed).
    """
    wanted = {pk: keys for pk, keys in partial.items() if keys}
    if not wanted or not units:
        return {}
    by_pk = {i.pk: i for i in indicators if i.pk in wanted}
    periods = sorted({p for keys in wanted.values() for _u, p in keys})
    before = {p: add_months(p, -12) for p in periods}
    if tree is None:  # the whole tree below `units` over both years: every level below uses it
        tree = _subtree(units, [*periods, *before.values()])
    children = {u.pk: tree.get(u.pk, []) for u in units}
    kids = list({c.pk: c for group in children.values() for c in group}.values())
    if not kids:
        return {}
    months = {*periods, *before.values()}
    reuse = known is not None and months <= known[1]
    fresh = [c for c in kids if not (reuse and known is not None and c.pk in known[0])]
    got = cells_many(list(by_pk.values()), fresh, sorted(months), tree=tree) if fresh else {}
    if reuse and known is not None:
        got = {pk: {**known[2].get(pk, {}), **got.get(pk, {})} for pk in by_pk}

    def contributors(pk: int, unit_id: int, period: datetime.date) -> list[OrgUnit]:
        """The children whose figure makes up this year's one (an average reads own reports only)."""
        mine = got.get(pk, {})
        own_only = by_pk[pk].unit_aggregation == UnitAggregation.AVERAGE
        found = []
        for c in children.get(unit_id, []):
            cell = mine.get((c.pk, period), EMPTY)
            if _counts([c], period) and cell.has_value and (cell.basis == REPORTED or not own_only):
                found.append(c)
        return found

    unit_ids = {c.pk for c in kids}
    nested: dict[int, list[Key]] = defaultdict(list)
    for pk, keys in wanted.items():
        for unit_id, period in keys:
            for c in contributors(pk, unit_id, period):
                if got[pk][(c.pk, period)].partial:
                    nested[pk].append((c.pk, period))
    deeper = (
        comparable_bases(list(by_pk.values()), kids, dict(nested), tree=tree, known=(unit_ids, months, got))
        if nested
        else {}
    )
    out: dict[int, dict[Key, Cell]] = {}
    for pk, keys in wanted.items():
        averaged = by_pk[pk].unit_aggregation == UnitAggregation.AVERAGE
        out[pk] = {}
        for unit_id, period in keys:
            parts = contributors(pk, unit_id, period)
            bases = [
                deeper.get(pk, {}).get((c.pk, period), EMPTY)
                if got[pk][(c.pk, period)].partial
                else got[pk].get((c.pk, before[period]), EMPTY)
                for c in parts
            ]
            month_value = _combine([b.month_value for b in bases], averaged=averaged)
            ytd_value = _combine([b.ytd_value for b in bases], averaged=averaged)
            with_base = sum(1 for b in bases if b.has_value)
            out[pk][(unit_id, period)] = Cell(month_value, ytd_value, COMPARABLE, len(parts), with_base)
    return out


def _combine(values: list[Decimal | Ratio | None], *, averaged: bool) -> Decimal | None:
    known = [v for v in values if isinstance(v, Decimal)]
    if not known:
        return None
    total = sum(known, Decimal(0))
    return total / len(known) if averaged else total


def _add(a: Decimal | Ratio | None, b: Decimal | Ratio | None) -> Decimal | None:
    if not isinstance(b, Decimal):
        return a if isinstance(a, Decimal) else None
    if not isinstance(a, Decimal):
        return b
    return a + b


def _formula_cells(
    indicator: Indicator, units: list[OrgUnit], periods: list[datetime.date], *, depth: int
) -> dict[Key, Cell]:
    if depth > MAX_FORMULA_DEPTH:
        return {}
    try:
        node = expressions.parse(indicator.formula)
    except expressions.ExpressionError:
        return {}
    codes = expressions.references(node)
    operands = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    wanted = set(periods)
    if expressions.uses_last_year(node):
        wanted |= {add_months(p, -12) for p in periods} | {add_months(p, -24) for p in periods}
    values = {code: cells(ind, units, sorted(wanted), _depth=depth + 1) for code, ind in operands.items()}
    out: dict[Key, Cell] = {}
    for unit in units:
        for period in periods:

            def lookup(
                code: str, years_back: int, *, field: str, _u: int = unit.pk, _p: datetime.date = period
            ) -> Decimal | None:
                cell = values.get(code, {}).get((_u, add_months(_p, -12 * years_back)))
                value = getattr(cell, field) if cell is not None else None
                return value if isinstance(value, Decimal) else None

            month_value = expressions.evaluate(node, lambda c, y: lookup(c, y, field="month_value"))
            ytd_value = expressions.evaluate(node, lambda c, y: lookup(c, y, field="ytd_value"))
            if month_value is None and ytd_value is None:
                continue
            out[(unit.pk, period)] = Cell(month_value, ytd_value, FORMULA)
    return out


def not_comparable_to_none(value: Decimal | Ratio | None) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


__all__ = ["EMPTY", "NOT_COMPARABLE", "Cell", "cells", "comparable_bases"]
