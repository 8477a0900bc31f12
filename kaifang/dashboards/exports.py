"""The cockpit as Excel: the panels a user sees on one unit's cockpit (cards, ranking, 督办事项, warnings),
one sheet each, with the units of measure in the headers."""

from __future__ import annotations

import datetime
from typing import Any

from kaifang.core.spreadsheets import Column, SheetSpec, write_workbook
from kaifang.dashboards import selectors
from kaifang.orgs.models import OrgUnit


def cockpit_workbook(user: Any, unit: OrgUnit, period: datetime.date) -> tuple[bytes, int]:
    """The workbook and how many rows it holds in all (for the audit record)."""
    cards = selectors.cards(unit, period)
    card_rows = [
        [c.indicator.name, c.indicator.unit_of_measure, c.ytd, c.target, c.completion, c.time_progress, c.yoy,
         c.coverage or ("未报" if c.status == "missing" else "")]
        for c in cards
    ]  # fmt: skip
    card_cols = [
        Column("指标", 20), Column("计量单位", 10), Column("本年累计", 14), Column("年度目标", 14), Column("完成", 10),
        Column("时序进度", 10), Column("同比", 10), Column("报送情况", 16),
    ]  # fmt: skip
    sheets = [SheetSpec("主要指标", card_cols, card_rows)]
    if selectors.map_children(unit, period):
        data = selectors.map_data(user, unit, period, "score")
        ranking = [[r["rank"] or "", r["name"], r["value"], r["text"]] for r in data["ranking"]]
        sheets.append(
            SheetSpec(
                "排名",
                [
                    Column("名次", 6),
                    Column("单位", 14),
                    Column(data["value_name"], 12, number=True),
                    Column("说明", 20),
                ],
                ranking,
            )
        )
    tasks = selectors.task_summary(user, unit)
    task_rows = [
        [r.light.label, r.task.code, r.task.title, r.task.lead_unit.name, r.task.deadline, r.light.rule]
        for r in tasks["rows"]
    ]
    sheets.append(
        SheetSpec(
            "督办事项",
            [
                Column("灯", 8),
                Column("编号", 16),
                Column("事项", 40),
                Column("牵头单位", 14),
                Column("办理时限", 12),
                Column("灯色依据", 40),
            ],
            task_rows,
        )
    )
    warnings = selectors.warning_rows(unit, period)
    warning_rows = [
        [w["unit"].name, w["indicator"].name, w["forecast"], w["gap"], w["indicator"].unit_of_measure] for w in warnings
    ]
    sheets.append(
        SheetSpec(
            "预警",
            [
                Column("单位", 14),
                Column("指标", 20),
                Column("预计完成", 10),
                Column("缺口", 12),
                Column("计量单位", 10),
            ],
            warning_rows,
        )
    )
    count = len(card_rows) + len(task_rows) + len(warning_rows) + (len(sheets[1].rows) if len(sheets) == 4 else 0)
    return write_workbook(sheets), count
