"""Excel round trip for a round: the template, the dry-run check (preview) and the apply.

The template has one sheet "填报" in long form — one row per unit × indicator, codes in locked
columns — and a sheet "说明" carrying the round number. Uploading goes through
`kaifang.core.spreadsheets.read_workbook` (size, type, zip-bomb, formula and merged-cell checks
before parsing), then every row is checked for scope (the user may write for the unit, the unit
must report in the round, its submission must be open), the catalogue, the figure, and the same
validation rules as the form. The preview captures the version of every stored figure; the apply
passes those as expected versions to `save_submissions_values`, for all units in ONE transaction:
a single problem, or a figure changed since the preview, applies nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from kaifang.accounts.permissions import can_write_for_unit
from kaifang.audit.services import record_event
from kaifang.core import clock
from kaifang.core.spreadsheets import (
    Column,
    Problem,
    SheetSpec,
    SpreadsheetError,
    cell_text,
    read_workbook,
    to_decimal,
    write_workbook,
)
from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.models import DataValue, Indicator
from kaifang.indicators.periods import month_label, same_month_last_year
from kaifang.orgs.models import OrgUnit
from kaifang.reporting.models import ImportBatch, ImportStatus, ReportingRound, Submission
from kaifang.reporting.validation import ERROR, active_rules, check_values, load_history

SHEET = "填报"
INFO_SHEET = "说明"
HEADERS = ["单位代码", "单位名称", "指标代码", "指标名称", "计量单位", "口径", "上年同期", "本期数值", "说明"]
UNIT_COL, IND_COL, VALUE_COL, COMMENT_COL = 0, 2, 7, 8
MAX_CELLS = 300_000
APPLY_CHUNK_VALUES = 3000  # figures per service call while applying (progress steps; queries per call are fixed)
Progress = Callable[[int], None]


def _plain(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


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
        for v in DataValue.objects.filter(unit__in=units, indicator__in=indicators, period__in=[period, last_year])
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


# --- Check (preview) -----------------------------------------------------------------------------


@dataclass
class Plan:
    """What an apply would do: per unit code, per indicator code, (figure, version seen, comment)."""

    units: dict[str, dict[str, tuple[str | None, int | None, str]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    cells: int = 0
    rows: int = 0
    unchanged: int = 0

    @property
    def changes(self) -> int:
        return sum(len(v) for v in self.units.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "units": {u: {i: list(t) for i, t in v.items()} for u, v in self.units.items()},
            "cells": self.cells,
            "rows": self.rows,
            "unchanged": self.unchanged,
        }


def round_of_workbook(data: bytes, filename: str) -> int | None:
    """The round number written in the template's 说明 sheet (None when absent)."""
    book = read_workbook(data, filename=filename, max_cells=MAX_CELLS)
    info = book.sheet(INFO_SHEET)
    if info is None:
        return None
    for row in info.rows:
        if row and cell_text(row[0]) == "批次编号" and len(row) > 1:
            text = cell_text(row[1])
            return int(text) if text.isdigit() else None
    return None


def check_workbook(
    *, user: Any, round_: ReportingRound, data: bytes, filename: str, progress: Progress | None = None
) -> Plan:
    """The dry run: every problem located by sheet, row and column; nothing is written."""
    plan = Plan()
    try:
        book = read_workbook(data, filename=filename, max_cells=MAX_CELLS)
    except SpreadsheetError as exc:
        plan.problems = exc.problems
        return plan
    sheet = book.sheet(SHEET)
    if sheet is None:
        plan.problems.append(Problem(f"找不到名为“{SHEET}”的工作表，请使用本批次下载的模板。"))
        return plan
    plan.cells = book.cell_count
    header = [cell_text(v) for v in (sheet.rows[0] if sheet.rows else [])]
    for j, expected in enumerate(HEADERS):
        if j >= len(header) or header[j] != expected:
            plan.problems.append(Problem(f"表头应为“{expected}”，请勿改动模板的列。", SHEET, 1, j))
    if plan.problems:
        return plan
    units = {u.code: u for u in round_.units.all()}
    indicators = {i.code: i for i in round_.indicators.all()}
    subs = {s.unit.code: s for s in Submission.objects.filter(round=round_).select_related("unit", "round")}
    parsed: dict[str, dict[str, tuple[Decimal | None, str, int]]] = defaultdict(dict)  # unit → ind → (v, c, row)
    seen_units_ok: dict[str, bool] = {}
    total = max(len(sheet.rows) - 1, 1)
    for i, row in enumerate(sheet.rows[1:], start=2):
        if progress and i % 500 == 0:
            progress(int(60 * i / total))
        if all(v is None for v in row):
            continue
        plan.rows += 1
        unit_code = cell_text(row[UNIT_COL]) if len(row) > UNIT_COL else ""
        ind_code = cell_text(row[IND_COL]) if len(row) > IND_COL else ""
        if unit_code not in seen_units_ok:
            seen_units_ok[unit_code] = _unit_ok(user, unit_code, units, subs, plan, i, round_)
        if not seen_units_ok[unit_code]:
            continue
        indicator = indicators.get(ind_code)
        if indicator is None:
            plan.problems.append(Problem(f"指标代码“{ind_code[:20]}”不在本批次中。", SHEET, i, IND_COL))
            continue
        if not indicator.is_typed:
            plan.problems.append(
                Problem(f"“{indicator.name}”来自台账自动生成，不能导入，请留空。", SHEET, i, VALUE_COL)
            )
            continue
        if ind_code in parsed[unit_code]:
            first = parsed[unit_code][ind_code][2]
            plan.problems.append(Problem(f"与第{first}行重复（同一单位、同一指标）。", SHEET, i, IND_COL))
            continue
        raw = row[VALUE_COL] if len(row) > VALUE_COL else None
        try:
            value = to_decimal(raw)
        except ValueError:
            plan.problems.append(Problem(f"“{cell_text(raw)[:20]}”不是数字。", SHEET, i, VALUE_COL))
            continue
        comment = cell_text(row[COMMENT_COL]) if len(row) > COMMENT_COL else ""
        if value is None and not comment:
            continue  # left empty: nothing to import for this figure
        parsed[unit_code][ind_code] = (value, comment, i)
    if progress:
        progress(60)
    _validate(round_, units, indicators, parsed, plan)
    if progress:
        progress(90)
    if not plan.problems:
        _capture_versions(round_, units, indicators, parsed, plan)
    return plan


def _unit_ok(
    user: Any,
    code: str,
    units: dict[str, OrgUnit],
    subs: dict[str, Submission],
    plan: Plan,
    row: int,
    round_: ReportingRound,
) -> bool:
    """The preview's early word on a unit (scope, its submission still being filled in); whether a
    figure may be written is decided by the apply, in `save_many`."""
    unit = units.get(code)
    if unit is None:
        exists = OrgUnit.objects.filter(code=code[:32]).exists()
        why = "不在本批次的报送单位中" if exists else "不存在"
        plan.problems.append(Problem(f"单位代码“{code[:20]}”{why}。", SHEET, row, UNIT_COL))
        return False
    if not can_write_for_unit(user, unit):
        plan.problems.append(Problem(f"您无权为“{unit.name}”（{code}）填报数据。", SHEET, row, UNIT_COL))
        return False
    sub = subs.get(code)
    if sub is None or not sub.is_editable:
        status = sub.get_status_display() if sub else "无报送"
        month = month_label(round_.period)
        plan.problems.append(
            Problem(f"“{unit.name}”{month}的报送状态为“{status}”，数据只读，不能导入。", SHEET, row, UNIT_COL)
        )
        return False
    return True


def _validate(
    round_: ReportingRound,
    units: dict[str, OrgUnit],
    indicators: dict[str, Indicator],
    parsed: dict[str, dict[str, tuple[Decimal | None, str, int]]],
    plan: Plan,
) -> None:
    """The same rules as the form, per unit, on the stored figures overlaid with the file's."""
    unit_list = [units[c] for c in parsed]
    typed_indicators = [i for i in indicators.values() if i.is_typed]
    history = load_history(units=unit_list, indicators=typed_indicators, period=round_.period)
    rules = active_rules()
    stored: dict[str, dict[str, tuple[Decimal | None, str]]] = defaultdict(dict)
    for unit_code, ind_code, reported, comment in DataValue.objects.filter(
        unit__in=unit_list, period=round_.period, indicator__in=typed_indicators
    ).values_list("unit__code", "indicator__code", "reported", "comment"):
        stored[unit_code][ind_code] = (reported, comment)
    for unit_code, figures in parsed.items():
        typed: dict[str, Any] = {k: v[0] for k, v in stored[unit_code].items()}
        comments = {k: v[1] for k, v in stored[unit_code].items()}
        for ind_code, (value, comment, _row) in figures.items():
            typed[ind_code], comments[ind_code] = value, comment
        result = check_values(
            unit=units[unit_code],
            period=round_.period,
            indicators=typed_indicators,
            typed=typed,
            comments=comments,
            final=False,
            history=history,
            rules=rules,
        )
        for finding in result.findings:
            row = figures.get(finding.indicator, (None, "", None))[2]
            problem = Problem(finding.message, SHEET, row, VALUE_COL if row else None)
            if finding.severity == ERROR:
                plan.problems.append(problem)
            elif not finding.explained:
                plan.warnings.append(problem)


def _capture_versions(
    round_: ReportingRound,
    units: dict[str, OrgUnit],
    indicators: dict[str, Indicator],
    parsed: dict[str, dict[str, tuple[Decimal | None, str, int]]],
    plan: Plan,
) -> None:
    current = {
        (u, i): (reported, comment, version)
        for u, i, reported, comment, version in DataValue.objects.filter(
            unit__in=[units[c] for c in parsed], period=round_.period
        ).values_list("unit__code", "indicator__code", "reported", "comment", "version")
    }
    for unit_code, figures in parsed.items():
        for ind_code, (value, comment, _row) in figures.items():
            stored = current.get((unit_code, ind_code))
            if stored is not None and stored[0] == value and stored[1] == comment:
                plan.unchanged += 1  # the same figure is already there: re-uploading applies nothing
                continue
            version = stored[2] if stored is not None else None
            plan.units.setdefault(unit_code, {})[ind_code] = (None if value is None else str(value), version, comment)


# --- Apply ---------------------------------------------------------------------------------------


def apply_plan(*, user: Any, batch: ImportBatch, progress: Progress | None = None) -> int:
    """Apply a checked batch, all or nothing; returns how many figures changed. A figure changed by
    someone since the preview raises `StaleValues` and nothing is applied."""
    from kaifang.reporting.services import save_submissions_values

    if batch.uploaded_by_id != getattr(user, "pk", None):
        raise PermissionDenied("只能导入自己上传的文件。")
    units = batch.plan.get("units", {})
    subs = {
        s.unit.code: s
        for s in Submission.objects.filter(round=batch.round, unit__code__in=list(units)).select_related(
            "unit", "round"
        )
    }
    changed = 0
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == ImportStatus.APPLIED:
            return 0
        if locked.status != ImportStatus.CHECKED:
            raise ValidationError("该文件尚未通过检查，不能导入。", code="state")
        items: list[tuple[Submission, list[ValueEntry]]] = []
        for unit_code, figures in sorted(units.items()):
            sub = subs.get(unit_code)
            if sub is None:
                raise ValidationError(f"单位 {unit_code} 不在本批次中。", code="scope")
            entries = [
                ValueEntry(code, None if value is None else Decimal(value), comment, version)
                for code, (value, version, comment) in sorted(figures.items())
            ]
            items.append((sub, entries))
        # A few thousand figures per call: a fixed number of queries each, and a progress bar that
        # moves; all calls share this transaction, so a problem anywhere still applies nothing.
        chunks = _chunks(items, APPLY_CHUNK_VALUES)
        done = 0
        for chunk in chunks:
            changed += sum(len(rows) for rows in save_submissions_values(actor=user, items=chunk))
            done += len(chunk)
            if progress:
                progress(int(100 * done / len(items)))
        locked.status = ImportStatus.APPLIED
        locked.applied_at = clock.now()
        locked.summary = f"已导入 {len(units)} 个单位的 {batch_changes(locked)} 个数据。"
        locked.save(update_fields=["status", "applied_at", "summary"])
        record_event(
            actor=user,
            action="reporting.import.apply",
            obj=locked,
            unit=getattr(user, "unit", None),
            after={
                "file": locked.filename,
                "sha256": locked.sha256,
                "units": len(units),
                "values": batch_changes(locked),
            },
        )
    return changed


def _chunks(
    items: list[tuple[Submission, list[ValueEntry]]], size: int
) -> list[list[tuple[Submission, list[ValueEntry]]]]:
    """Consecutive runs of whole units, each with about `size` figures."""
    chunks: list[list[tuple[Submission, list[ValueEntry]]]] = [[]]
    count = 0
    for item in items:
        if chunks[-1] and count + len(item[1]) > size:
            chunks.append([])
            count = 0
        chunks[-1].append(item)
        count += len(item[1])
    return [c for c in chunks if c]


def batch_changes(batch: ImportBatch) -> int:
    return sum(len(v) for v in batch.plan.get("units", {}).values())


def problems_json(problems: list[Problem]) -> list[dict[str, Any]]:
    return [
        {"sheet": p.sheet, "row": p.row, "column": p.column_letter, "message": p.message, "text": str(p)}
        for p in problems
    ]
