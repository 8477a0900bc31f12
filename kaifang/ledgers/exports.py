"""Excel exports of the ledgers (through `kaifang.core.spreadsheets`, so text cannot run formulas).

The project sheet uses the same columns the import reads, so an export edited and re-imported
updates nothing twice (rows are matched by 台账编号).
"""

from __future__ import annotations

from collections.abc import Iterable

from kaifang.core.spreadsheets import Column, SheetSpec, write_workbook, xlsx_response
from kaifang.ledgers.models import InvestmentProject, TalentRecord
from kaifang.ledgers.reference import Industry, TalentKind, TalentLevel

__all__ = ["projects_workbook", "talents_workbook", "xlsx_response"]

PROJECT_COLUMNS = [
    Column("台账编号", 18),
    Column("项目名称", 28),
    Column("投资方", 24),
    Column("世界500强", 8),
    Column("来源国家/地区", 12),
    Column("行业门类", 8),
    Column("责任单位代码", 12),
    Column("责任单位", 12),
    Column("所在平台", 20),
    Column("包保领导", 10),
    Column("币种", 8),
    Column("协议投资额", 14, number=True),
    Column("线索获得日期", 12),
    Column("阶段", 8),
    Column("首次签约日期", 12),
    Column("首次开工日期", 12),
    Column("实际到位资金", 14, number=True),
]
TALENT_COLUMNS = [
    Column("台账编号", 18),
    Column("姓名/团队名称", 18),
    Column("类型", 8),
    Column("人数", 6, number=True, decimals=0),
    Column("专业领域", 16),
    Column("人才层次", 8),
    Column("人才计划", 16),
    Column("用人单位", 24),
    Column("责任单位代码", 12),
    Column("责任单位", 12),
    Column("引进日期", 12),
    Column("来源地", 12),
]


def projects_workbook(projects: Iterable[InvestmentProject]) -> bytes:
    rows = [
        [
            p.external_id,
            p.name,
            p.investor.name,
            "是" if p.investor.is_fortune500 else "",
            p.origin_name,
            p.industry,
            p.unit.code,
            p.unit.name,
            p.platform.name if p.platform else "",
            p.leader,
            p.get_currency_display(),
            p.agreed_amount,
            p.lead_received_on,
            p.get_stage_display(),
            p.first_signed_on,
            p.first_started_on,
            p.funds_in_place,
        ]
        for p in projects
    ]
    legend = [[code, str(label)] for code, label in Industry.choices]
    return write_workbook(
        [
            SheetSpec("项目台账", PROJECT_COLUMNS, rows),
            SheetSpec("行业门类", [Column("代码", 8), Column("门类", 36)], legend),
        ]
    )


def talents_workbook(records: Iterable[TalentRecord]) -> bytes:
    rows = [
        [
            t.external_id,
            t.name,
            TalentKind(t.kind).label,
            t.headcount,
            t.field,
            TalentLevel(t.level).label,
            t.programme,
            t.employer,
            t.unit.code,
            t.unit.name,
            t.introduced_on,
            t.source_name,
        ]
        for t in records
    ]
    return write_workbook([SheetSpec("人才台账", TALENT_COLUMNS, rows)])
