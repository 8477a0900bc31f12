"""Last year's figures re-mapped onto today's tree after division changes (按可比口径).

When divisions merged, split, were recoded or moved between last year's month and this one, a
unit's figure this year covers a different territory from any unit's figure last year. Figures
stay as reported; only the base a year-on-year growth compares with is re-mapped, by the change's
own rule (`kaifang.orgs.models.DivisionLineage`: which share of each old unit went to each new
one). For a unit U, every lineage row whose successor lies in U's subtree and whose predecessor
does not adds share × the predecessor's figure of last year; every row whose predecessor lies in
U's subtree and whose successor does not takes it away. A city whose counties merged among
themselves is unchanged; a merged county gets the sum of its predecessors; a split gets each
part's share; a county moved to another city takes its history along.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from kaifang.indicators.aggregation import EMPTY, Cell, cells_many
from kaifang.indicators.maths import Ratio
from kaifang.indicators.models import Indicator
from kaifang.indicators.periods import add_months
from kaifang.orgs.models import OrgUnit
from kaifang.orgs.selectors import lineage_between

REMAPPED = "remapped"


def remapped_bases(
    indicators: list[Indicator],
    units: list[OrgUnit],
    period_to: datetime.date,
    base_of: Callable[[int, int], Cell],
    partial: set[int] | None = None,
) -> dict[int, dict[int, Cell]]:
    """Per indicator id and unit id, last year's base re-mapped onto today's tree, for the units a
    change between last year's `period_to` and this one touches. `bases` holds the base each unit
    would otherwise compare with (its own last-year figure, or its comparable partial base) is
    `base_of(indicator id, unit id)`. A unit in `partial` (ids whose base is already the comparable
    base over the children that reported, 可比口径) compares only those children: each of them that
    came out of a change adds share × its predecessor's figure of last year, wherever that lay."""
    last_year = add_months(period_to, -12)
    rows = lineage_between(last_year, period_to)
    if not rows or not units or not indicators:
        return {}
    plan: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    predecessors: dict[int, OrgUnit] = {}
    partial = partial or set()
    found_base: dict[int, set[int]] = defaultdict(set)  # partial: reporting children given a base here
    reported = _reporting_successors(indicators, [r.successor for r in rows], period_to) if partial else {}
    for unit in units:
        for row in rows:
            if unit.pk in partial:
                if row.successor.parent_id == unit.pk and row.successor_id in reported:
                    plan[unit.pk].append((row.predecessor_id, row.share))
                    found_base[unit.pk].add(row.successor_id)
                    predecessors[row.predecessor_id] = row.predecessor
                continue
            succ_in = row.successor.path.startswith(unit.path)
            pred_in = row.predecessor.path.startswith(unit.path)
            if succ_in == pred_in:
                continue
            plan[unit.pk].append((row.predecessor_id, row.share if succ_in else -row.share))
            predecessors[row.predecessor_id] = row.predecessor
    if not plan:
        return {}
    got = cells_many(indicators, list(predecessors.values()), [last_year])
    out: dict[int, dict[int, Cell]] = {}
    for indicator in indicators:
        if not indicator.is_additive:
            continue
        mine = got.get(indicator.pk, {})
        out[indicator.pk] = {}
        for unit_id, parts in plan.items():
            base = base_of(indicator.pk, unit_id)
            month = _shift(base.month_value, [(mine.get((p, last_year), EMPTY).month_value, s) for p, s in parts])
            ytd = _shift(base.ytd_value, [(mine.get((p, last_year), EMPTY).ytd_value, s) for p, s in parts])
            with_base = base.reporting + len(found_base.get(unit_id, ()))
            out[indicator.pk][unit_id] = Cell(month, ytd, REMAPPED, base.children, with_base)
    return out


def _reporting_successors(indicators: list[Indicator], successors: list[OrgUnit], period: datetime.date) -> set[int]:
    """The successors with a figure this month (those a partial sum of their parent is made of)."""
    got = cells_many(indicators, list({u.pk: u for u in successors}.values()), [period])
    return {unit_id for cells in got.values() for (unit_id, _p), cell in cells.items() if cell.has_value}


def _shift(value: Decimal | Ratio | None, parts: list[tuple[Decimal | Ratio | None, Decimal]]) -> Decimal | None:
    """`value` plus the signed shares of the predecessors' figures; None when nothing is known."""
    known = [(v, s) for v, s in parts if isinstance(v, Decimal)]
    if not known and not isinstance(value, Decimal):
        return None
    total = value if isinstance(value, Decimal) else Decimal(0)
    return total + sum((v * s for v, s in known), Decimal(0))
