"""The Excel template of a round: one sheet "填报" in long form (one row per unit × indicator, codes
in locked columns, the version of each stored figure in a hidden locked column) and a sheet "说明"
carrying the round number."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied

from kaifang.accounts.permissions import can_write_for_unit
from kaifang.core.spreadsheets import Column, SheetSpec, write_workbook
from kaifang.indicators.periods import same_month_last_year
from kaifang.indicators.selectors import stored_rows
from kaifang.orgs.models import OrgUnit
from kaifang.reporting.excel_layout import INFO_SHEET, SHEET, VERSION_HEADER
from kaifang.reporting.models import ReportingRound

# --- Template ------------------------------------------------------------------------------------


def template_units(user: Any, round_: ReportingRound, scope: OrgUnit) -> list[OrgUnit]:
    """`scope` itself when it reports in the round, plus its reporting descendants (a city and all
    its counties) — only those the user may write for."""
    units = round_.units.filter(path__startswith=scope.path).order_by("path")
    return [u for u in units if can_write_for_unit(user, u)]


def build_template(user: Any, round_: ReportingRound, scope: OrgUnit) -> bytes:
    units = template_units(user, round_, scope)
    if not units:
        raise PermissionDenied("该单位不在本批次的报送范围内，或您无权为其填报。")
    indicators = [i for i in round_.indicators.order_by("sort_order", "code") if i.is_typed]
    period, last_year = round_.period, same_month_last_year(round_.period)
    stored = {
        (v.unit_id, v.indicator_id, v.period): v
        for v in stored_rows(units=units, indicators=indicators, periods=[period, last_year])
    }
    rows = []
    for unit in units:
        for ind in indicators:
            current = stored.get((unit.pk, ind.pk, period))
            base = stored.get((unit.pk, ind.pk, last_year))
            rows.append(
                [
                    unit.code,
                    unit.name,
                    ind.code,
                    ind.name,
                    ind.unit_of_measure,
                    ind.get_reported_as_display(),
                    base.reported if base else None,
                    current.reported if current else None,
                    current.comment if current else "",
                    current.version if current else None,  # hidden: the version seen at download
                ]
            )
    columns = [
        Column("单位代码", 10, locked=True),
        Column("单位名称", 14, locked=True),
        Column("指标代码", 12, locked=True),
        Column("指标名称", 18, locked=True),
        Column("计量单位", 8, locked=True),
        Column("口径", 8, locked=True),
        Column("上年同期", 12, locked=True, number=True),
        Column("本期数值", 14, number=True, min_value=Decimal(0)),
        Column("说明", 30),
        Column(VERSION_HEADER, 8, locked=True, number=True, decimals=0, hidden=True),
    ]
    info = SheetSpec(
        name=INFO_SHEET,
        columns=[Column("项目", 12, locked=True), Column("内容", 60, locked=True)],
        rows=[
            ["批次编号", str(round_.pk)],
            ["批次名称", round_.name],
            ["期间", f"{period:%Y-%m}"],
            [
                "填写方法",
                "只填写“本期数值”和“说明”两列；单位代码、指标代码等灰色列已锁定，请勿修改、插入或合并单元格。",
            ],
            ["口径", "“累计值”指1月至本月累计，“当月值”指本月发生额。金额单位以“计量单位”列为准。"],
        ],
        protect=True,
    )
    return write_workbook([SheetSpec(name=SHEET, columns=columns, rows=rows, protect=True), info])
