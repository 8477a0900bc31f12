"""The demo catalogue: the indicators the Liaoning 2018 demo defines (codes, names, units, sources,
formulas), as one table; `kaifang.indicators.demo` loads them and plans their figures."""

from __future__ import annotations

from typing import Any

COLUMNS = ("code", "name", "unit_of_measure", "category", "authority", "decimals", "source")
LEDGER = {"reported_as": "period"}  # a ledger figure is counted per month
FORMULA = {"unit_aggregation": "none"}  # a ratio is never summed over units

# code, name, unit, category, authority, decimals (None: the catalogue's default), source, extra fields
TABLE: list[tuple[Any, ...]] = [
    ("FDI", "实际利用外资", "万美元", "利用外资", "commerce", 0, None, {}),
    ("FIE_NEW", "外商投资新设企业数", "个", "利用外资", "commerce", 0, None, {}),
    ("TRADE", "进出口总额", "亿元", "对外贸易", "customs", None, None, {}),
    ("EXPORT", "出口额", "亿元", "对外贸易", "customs", None, None, {}),
    ("IMPORT", "进口额", "亿元", "对外贸易", "customs", None, None, {}),
    ("DOMESTIC", "引进内资", "亿元", "招商引资", "commerce", None, None, {}),
    ("PROJ_SIGNED", "新签约亿元以上项目数", "个", "招商引资", "self", 0, "ledger", LEDGER),
    ("PROJ_STARTED", "新开工亿元以上项目数", "个", "招商引资", "self", 0, "ledger", LEDGER),
    ("CBEC", "跨境电商交易额", "亿元", "开放平台", "commerce", None, None, {}),
    ("TALENT", "引进人才数", "人", "招才引智", "self", 0, "ledger", LEDGER),
    ("ODI", "对外直接投资额", "万美元", "对外投资", "commerce", 0, None, {}),
    (
        "EXPORT_SHARE",
        "出口占进出口比重",
        "%",
        "对外贸易",
        "customs",
        1,
        "formula",
        {
            **FORMULA,
            "formula": "share(EXPORT, TRADE) * 100",
            "description": "出口额 ÷ 进出口总额 × 100，由系统按公式计算。",
        },
    ),
    (
        "TRADE_GROWTH",
        "进出口总额同比增速",
        "%",
        "对外贸易",
        "customs",
        1,
        "formula",
        {
            **FORMULA,
            "formula": "yoy(TRADE) * 100",
            "description": "进出口总额较上年同期增长百分比（累计），上年同期为零或缺失时为“不可比”。",
        },
    ),
]


def _spec(row: tuple[Any, ...]) -> dict[str, Any]:
    """One row as the keyword arguments of `save_indicator` (a column left None is not passed)."""
    *values, extra = row
    return {k: v for k, v in zip(COLUMNS, values, strict=True) if v is not None} | extra


INDICATORS: list[dict[str, Any]] = [_spec(row) for row in TABLE]
