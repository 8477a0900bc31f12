"""Small builders for indicator tests (the org tree and personas come from the root conftest)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from kaifang.core.actors import SystemActor
from kaifang.indicators.models import Indicator

TEST_ACTOR = SystemActor(name="test")


def make_indicator(code: str = "T_EXPORT", **fields: Any) -> Indicator:
    defaults: dict[str, Any] = {
        "name": "出口额",
        "unit_of_measure": "万美元",
        "category": "外贸",
        "time_aggregation": "flow",
        "reported_as": "ytd",
        "unit_aggregation": "sum",
        "decimals": 2,
        "source": "reported",
        "authority": "customs",
    }
    defaults.update(fields)
    indicator, _ = Indicator.objects.update_or_create(code=code, defaults=defaults)
    return indicator


def open_figures(indicators: Iterable[Indicator | str], units: Iterable[Any], *periods: datetime.date) -> None:
    """Open the write windows of these figures for each month, as a reporting round would (a test's
    set-up writes only where a round asks for figures). `units`: OrgUnits or their codes."""
    from kaifang.indicators.services.windows import open_windows
    from kaifang.orgs.models import OrgUnit

    wanted = [i if isinstance(i, Indicator) else Indicator.objects.get(code=i) for i in indicators]
    unit_list = [u if isinstance(u, OrgUnit) else OrgUnit.objects.get(code=u) for u in units]
    for period in periods:
        open_windows(actor=TEST_ACTOR, units=unit_list, indicators=wanted, period=period, reason="测试")
