"""The board as an Excel workbook (text cells escaped against formula injection)."""

from __future__ import annotations

from kaifang.core.spreadsheets import Column, SheetSpec, write_workbook
from kaifang.supervision.selectors import TaskRow


def board_workbook(rows: list[TaskRow]) -> bytes:
    columns = [
        Column("编号", 16),
        Column("事项名称", 40),
        Column("类别", 12),
        Column("牵头单位", 16),
        Column("配合单位", 24),
        Column("责任领导", 12),
        Column("办理时限", 12),
        Column("状态", 10),
        Column("灯色", 8),
        Column("亮灯原因", 40),
        Column("进度（%）", 10, number=True, decimals=0),
        Column("缺报月数", 10, number=True, decimals=0),
        Column("来源", 30),
    ]
    data = [
        [
            r.task.code,
            r.task.title,
            r.task.get_category_display(),
            r.task.lead_unit.name,
            "、".join(u.name for u in r.task.co_units.all()),
            r.task.responsible_leader,
            r.task.deadline,
            r.task.get_state_display(),
            r.light.label,
            r.light.rule,
            r.progress,
            len(r.missing),
            r.task.source_title,
        ]
        for r in rows
    ]
    return write_workbook([SheetSpec(name="督办事项", columns=columns, rows=data)])
