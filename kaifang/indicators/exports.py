"""Excel export of the values explorer's view (the web page, the API and the CLI share it).

Text cells go through `kaifang.core.spreadsheets.safe_cell` (formula-injection escaping); the
export itself is an audited event: who took which unit's figures out, and when.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kaifang.audit.services import record_event
from kaifang.core import clock
from kaifang.core.spreadsheets import Column, SheetSpec, write_workbook
from kaifang.indicators import maths
from kaifang.indicators.demo import demo_loaded
from kaifang.indicators.models import Indicator
from kaifang.indicators.periods import range_label, ytd_label
from kaifang.indicators.selectors import Figure, children_figures
from kaifang.orgs.models import OrgUnit

LIGHTS = {"green": "正常", "yellow": "滞后", "red": "严重滞后", "grey": "无目标"}


def _pct(value: Any) -> Any:
    """A ratio as a percentage number with one decimal, or 不可比 as text."""
    if isinstance(value, Decimal):
        return (value * 100).quantize(Decimal("0.1"))
    return "不可比"


def _num(value: Any, decimals: int) -> Any:
    if isinstance(value, Decimal):
        return value.quantize(Decimal(1).scaleb(-decimals))
    if value is maths.NOT_COMPARABLE:
        return "不可比"
    return None


def figure_row(figure: Figure, *, is_total: bool = False) -> list[Any]:
    d = figure.indicator.decimals
    coverage = f"{figure.reporting}/{figure.children}" if figure.children else ""
    return [
        figure.unit.code,
        ("【合计】" if is_total else "") + figure.unit.name,
        _num(figure.month_value, d),
        _num(figure.ytd_value, d),
        _num(figure.range_value, d),
        _num(figure.target, d),
        _pct(figure.completion),
        _pct(figure.time_progress),
        _num(figure.progress_ratio, 3),
        LIGHTS.get(figure.light, figure.light),
        _pct(figure.yoy),
        figure.basis_label,
        coverage,
    ]


def explorer_workbook(
    *,
    user: Any,
    indicator: Indicator,
    unit: OrgUnit,
    period_from: datetime.date,
    period_to: datetime.date,
    actor: Any = None,
) -> tuple[bytes, int]:
    """The explorer view as .xlsx bytes and its row count (visibility enforced by the selector)."""
    top, rows = children_figures(
        user=user, indicator=indicator, unit=unit, period_from=period_from, period_to=period_to
    )
    d = indicator.decimals
    uom = indicator.unit_of_measure
    columns = [
        Column("单位代码", 12, locked=True),
        Column("单位", 20, locked=True),
        Column(f"{period_to.year}年{period_to.month}月（{uom}）", 14, number=True, decimals=d),
        Column(f"{ytd_label(period_to)}累计（{uom}）", 16, number=True, decimals=d),
        Column(f"{range_label(period_from, period_to)}合计（{uom}）", 18, number=True, decimals=d),
        Column(f"{period_to.year}年目标（{uom}）", 14, number=True, decimals=d),
        Column("完成率（%）", 10, number=True, decimals=1),
        Column("时序进度（%）", 10, number=True, decimals=1),
        Column("进度比", 8, number=True, decimals=3),
        Column("预警", 8),
        Column("累计同比（%）", 10, number=True, decimals=1),
        Column("数据来源", 10),
        Column("报送情况（已报/应报）", 12),
    ]
    data = [figure_row(top, is_total=True), *(figure_row(f) for f in rows)]
    notes = [
        ["指标", f"{indicator.name}（{indicator.code}，{uom}）"],
        ["单位", f"{unit.name}（{unit.code}）"],
        ["期间", range_label(period_from, period_to)],
        ["导出时间", timezone.localtime(clock.now()).strftime("%Y-%m-%d %H:%M")],
        ["导出人", str(actor or user)],
        ["说明", "合计行：本级填报的用本级数，否则为下级汇总；完成率 = 累计 ÷ 年度目标；时序进度 = 月份 ÷ 12。"],
    ]
    if demo_loaded():
        notes.append(["数据性质", "示例数据（演示用，非真实统计数据）"])
    content = write_workbook(
        [
            SheetSpec(name=f"{indicator.name}"[:31], columns=columns, rows=data),
            SheetSpec(name="说明", columns=[Column("项目", 12), Column("内容", 80)], rows=notes),
        ]
    )
    record_event(
        actor=actor or user,
        action="indicators.values.export",
        unit=unit,
        object_type="indicators.indicator",
        object_id=str(indicator.pk),
        object_repr=f"{unit.name} {indicator.name} {range_label(period_from, period_to)}",
        after={"rows": len(data), "from": f"{period_from:%Y-%m}", "to": f"{period_to:%Y-%m}"},
    )
    return content, len(data)
