"""A figure's cell: the value and the basis it stands on (本级填报, 下级汇总, 平均, 公式, 缺报, 可比口径),
and which children count for a parent on a day. The vocabulary `kaifang.indicators.aggregation` computes with."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q

from kaifang.indicators.maths import Ratio
from kaifang.orgs.models import UnitKind

REPORTED = "reported"


SUM_OF_CHILDREN = "sum_of_children"


AVERAGE_OF_CHILDREN = "average_of_children"


FORMULA = "formula"


MISSING = "missing"


COMPARABLE = "comparable"  # last year over the same children as a partial sum (可比口径)


SUMMABLE_KINDS = (UnitKind.CITY, UnitKind.COUNTY)


MAX_FORMULA_DEPTH = 5


@dataclass(frozen=True)
class Cell:
    """One unit's figure for one indicator and month."""

    month_value: Decimal | Ratio | None
    ytd_value: Decimal | Ratio | None
    basis: str  # reported | sum_of_children | average_of_children | formula | missing
    children: int = 0  # current child divisions
    reporting: int = 0  # of which have a figure this month
    incomplete: int = 0  # of those, figures that are themselves sums of only some of their children

    @property
    def has_value(self) -> bool:
        return isinstance(self.ytd_value, Decimal) or isinstance(self.month_value, Decimal)

    @property
    def partial(self) -> bool:
        """A sum (or average) over only some of the children (n of m), or over a child that is one."""
        return self.basis in (SUM_OF_CHILDREN, AVERAGE_OF_CHILDREN) and (
            self.reporting < self.children or self.incomplete > 0
        )


EMPTY = Cell(None, None, MISSING)


def current_children_q(prefix: str = "unit__") -> Q:
    """A child division counts for a month when it existed on the first of that month."""
    return (
        Q(**{f"{prefix}kind__in": SUMMABLE_KINDS})
        & (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": F("period")}))
        & (Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": F("period")}))
    )
