"""The demo catalogue: the indicators the Liaoning 2018 demo defines (codes, names, units, sources,
formulas), as data; `kaifang.indicators.demo` loads them and plans their figures."""

from __future__ import annotations

from typing import Any

INDICATORS: list[dict[str, Any]] = [
    dict(
        code="FDI", name="实际利用外资", unit_of_measure="万美元", category="利用外资", authority="commerce", decimals=0
    ),
    dict(
        code="FIE_NEW",
        name="外商投资新设企业数",
        unit_of_measure="个",
        category="利用外资",
        authority="commerce",
        decimals=0,
    ),
    dict(code="TRADE", name="进出口总额", unit_of_measure="亿元", category="对外贸易", authority="customs"),
    dict(code="EXPORT", name="出口额", unit_of_measure="亿元", category="对外贸易", authority="customs"),
    dict(code="IMPORT", name="进口额", unit_of_measure="亿元", category="对外贸易", authority="customs"),
    dict(code="DOMESTIC", name="引进内资", unit_of_measure="亿元", category="招商引资", authority="commerce"),
    dict(
        code="PROJ_SIGNED",
        name="新签约亿元以上项目数",
        unit_of_measure="个",
        category="招商引资",
        authority="self",
        decimals=0,
        source="ledger",
        reported_as="period",
    ),
    dict(
        code="PROJ_STARTED",
        name="新开工亿元以上项目数",
        unit_of_measure="个",
        category="招商引资",
        authority="self",
        decimals=0,
        source="ledger",
        reported_as="period",
    ),
    dict(code="CBEC", name="跨境电商交易额", unit_of_measure="亿元", category="开放平台", authority="commerce"),
    dict(
        code="TALENT",
        name="引进人才数",
        unit_of_measure="人",
        category="招才引智",
        authority="self",
        decimals=0,
        source="ledger",
        reported_as="period",
    ),
    dict(
        code="ODI",
        name="对外直接投资额",
        unit_of_measure="万美元",
        category="对外投资",
        authority="commerce",
        decimals=0,
    ),
    dict(
        code="EXPORT_SHARE",
        name="出口占进出口比重",
        unit_of_measure="%",
        category="对外贸易",
        authority="customs",
        decimals=1,
        source="formula",
        unit_aggregation="none",
        formula="share(EXPORT, TRADE) * 100",
        description="出口额 ÷ 进出口总额 × 100，由系统按公式计算。",
    ),
    dict(
        code="TRADE_GROWTH",
        name="进出口总额同比增速",
        unit_of_measure="%",
        category="对外贸易",
        authority="customs",
        decimals=1,
        source="formula",
        unit_aggregation="none",
        formula="yoy(TRADE) * 100",
        description="进出口总额较上年同期增长百分比（累计），上年同期为零或缺失时为“不可比”。",
    ),
]
