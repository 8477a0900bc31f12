"""Small builders for indicator tests (the org tree and personas come from the root conftest)."""

from __future__ import annotations

from typing import Any

from kaifang.indicators.models import Indicator


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
