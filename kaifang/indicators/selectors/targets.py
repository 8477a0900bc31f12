"""Reading targets: the ones a user may see, and one indicator's hand-down for a unit and its
children (the targets page); `kaifang.indicators.selectors` re-exports them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kaifang.indicators.aggregation import (
    SUMMABLE_KINDS,
)
from kaifang.indicators.models import Indicator, Target
from kaifang.indicators.selectors.values import _guard as _guard
from kaifang.indicators.selectors.values import _number as _number
from kaifang.indicators.selectors.values import history_of as history_of
from kaifang.indicators.selectors.values import series as series
from kaifang.indicators.selectors.values import value_for as value_for
from kaifang.indicators.selectors.values import values_for_form as values_for_form
from kaifang.indicators.selectors.values import visible_values as visible_values
from kaifang.orgs.models import OrgUnit, UnitKind
from kaifang.orgs.scope import unit_scope_q


def visible_targets(user: Any, *, year: int, indicator: Indicator | None = None) -> list[Target]:
    qs = Target.objects.visible_to(user).filter(year=year).select_related("indicator", "unit", "set_by")
    if indicator is not None:
        qs = qs.filter(indicator=indicator)
    return list(qs.order_by("indicator__sort_order", "unit__path"))


@dataclass(frozen=True)
class HandDown:
    """A city's target beside the sum of its counties' targets (they may differ)."""

    unit: OrgUnit
    target: Target | None
    children: list[tuple[OrgUnit, Target | None]]

    @property
    def children_sum(self) -> Decimal | None:
        """Sum of the child divisions' targets (departments are listed but not added up)."""
        values = [t.annual for u, t in self.children if t is not None and u.kind in SUMMABLE_KINDS]
        return sum(values, Decimal(0)) if values else None

    @property
    def difference(self) -> Decimal | None:
        """Sum of the children's targets minus the unit's own (positive: handed down more)."""
        if self.target is None or self.children_sum is None:
            return None
        return self.children_sum - self.target.annual

    @property
    def missing_children(self) -> int:
        return sum(1 for u, t in self.children if t is None and u.kind in SUMMABLE_KINDS)


def hand_down(*, user: Any, indicator: Indicator, unit: OrgUnit, year: int) -> HandDown:
    _guard(user, unit)
    day = datetime.date(year, 1, 1)
    kids = list(
        OrgUnit.objects.filter(parent=unit, kind__in=[*SUMMABLE_KINDS, UnitKind.DEPARTMENT])
        .filter(unit_scope_q(user, prefix=""))
        .current(day)
        .order_by("sort_order", "path")
    )
    kids.sort(key=lambda u: (u.kind not in SUMMABLE_KINDS, u.sort_order, u.path))
    targets = {
        t.unit_id: t
        for t in Target.objects.filter(indicator=indicator, year=year, unit__in=[unit, *kids]).select_related("set_by")
    }
    return HandDown(unit=unit, target=targets.get(unit.pk), children=[(k, targets.get(k.pk)) for k in kids])
