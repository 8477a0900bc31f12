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
) -> dict[int, dict[int, Cell]]:
    """Per indicator id and unit id, last year's base re-mapped onto today's tree, for the units a
    change between last year's `period_to` and this one touches. `bases` holds the base each unit
    would otherwise compare with (its own last-year figure, or its comparable partial base) is
    `base_of(indicator id, unit id)`."""
    last_year = add_months(period_to, -12)
    rows = lineage_between(last_year, period_to)
    if not rows or not units or not indicators:
        return {}
    plan: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    predecessors: dict[int, OrgUnit] = {}
    for unit in units:
        for row in rows:
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
            out[indicator.pk][unit_id] = Cell(month, ytd, REMAPPED, base.children, base.reporting)
    return out


def _shift(value: Decimal | Ratio | None, parts: list[tuple[Decimal | Ratio | None, Decimal]]) -> Decimal | None:
    """`value` plus the signed shares of the predecessors' figures; None when nothing is known."""
    known = [(v, s) for v, s in parts if isinstance(v, Decimal)]
    if not known and not isinstance(value, Decimal):
        return None
    total = value if isinstance(value, Decimal) else Decimal(0)
    return total + sum((v * s for v, s in known), Decimal(0))
