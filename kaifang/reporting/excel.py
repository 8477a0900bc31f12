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
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kaifang.accounts.permissions import can_write_for_unit
from kaifang.core.spreadsheets import (
    Problem,
    SpreadsheetError,
    cell_text,
    read_workbook,
    to_decimal,
)
from kaifang.indicators.models import Indicator
from kaifang.indicators.periods import month_label
from kaifang.indicators.selectors import StoredEntry, stored_entries
from kaifang.orgs.models import OrgUnit
from kaifang.reporting.excel_apply import apply_plan, batch_changes, check_confirmed  # noqa: F401  (re-exported)
from kaifang.reporting.excel_layout import (  # noqa: F401  (the layout shared by template, check and apply)
    APPLY_CHUNK_VALUES,
    COMMENT_COL,
    HEADERS,
    IND_COL,
    INFO_SHEET,
    MAX_CELLS,
    SHEET,
    UNIT_COL,
    VALUE_COL,
    VERSION_COL,
    VERSION_HEADER,
    Progress,
)
from kaifang.reporting.excel_template import build_template, template_units  # noqa: F401  (re-exported)
from kaifang.reporting.models import ReportingRound, Submission
from kaifang.reporting.validation import ERROR, active_rules, check_values, load_history


def _plain(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


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
    # Every change old → new, in file order: {"key", "row", "unit", "unit_name", "indicator",
    # "indicator_name", "uom", "old", "new", "old_comment", "new_comment", "warnings", "stale", "why"}
    listing: list[dict[str, Any]] = field(default_factory=list)
    versioned: bool = False  # the file carries the versions seen at download (column J)
    seen: dict[tuple[str, str], int | None] = field(default_factory=dict)  # (unit, indicator) → version

    @property
    def changes(self) -> int:
        return sum(len(v) for v in self.units.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "units": {u: {i: list(t) for i, t in v.items()} for u, v in self.units.items()},
            "cells": self.cells,
            "rows": self.rows,
            "unchanged": self.unchanged,
            "changes": self.listing,
            "stale": [c["key"] for c in self.listing if c["stale"]],
            "versioned": self.versioned,
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
    plan.versioned = len(header) > VERSION_COL and header[VERSION_COL] == VERSION_HEADER
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
        if plan.versioned:
            seen = row[VERSION_COL] if len(row) > VERSION_COL else None
            plan.seen[(unit_code, ind_code)] = int(seen) if isinstance(seen, float) and seen.is_integer() else None
    if progress:
        progress(60)
    current = _stored(round_, units, indicators, parsed)
    _validate(round_, units, indicators, parsed, plan, current)
    if progress:
        progress(90)
    if not plan.problems:
        _capture_versions(units, indicators, parsed, plan, current)
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


# (unit code, indicator code) → the figure as stored now, with its version and who changed it last
Stored = dict[tuple[str, str], StoredEntry]


def _stored(
    round_: ReportingRound,
    units: dict[str, OrgUnit],
    indicators: dict[str, Indicator],
    parsed: dict[str, dict[str, tuple[Decimal | None, str, int]]],
) -> Stored:
    """The stored figures of the file's units and the round's typed indicators, read once for the
    rules and for the listing old → new (with the versions the apply will expect)."""
    typed = [i for i in indicators.values() if i.is_typed]
    return stored_entries(units=[units[c] for c in parsed], period=round_.period, indicators=typed)


def _validate(
    round_: ReportingRound,
    units: dict[str, OrgUnit],
    indicators: dict[str, Indicator],
    parsed: dict[str, dict[str, tuple[Decimal | None, str, int]]],
    plan: Plan,
    current: Stored,
) -> None:
    """The same rules as the form, per unit, on the stored figures overlaid with the file's."""
    unit_list = [units[c] for c in parsed]
    typed_indicators = [i for i in indicators.values() if i.is_typed]
    history = load_history(units=unit_list, indicators=typed_indicators, period=round_.period)
    rules = active_rules()
    stored: dict[str, dict[str, tuple[Decimal | None, str]]] = defaultdict(dict)
    for (unit_code, ind_code), entry in current.items():
        stored[unit_code][ind_code] = (entry.reported, entry.comment)
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
    units: dict[str, OrgUnit],
    indicators: dict[str, Indicator],
    parsed: dict[str, dict[str, tuple[Decimal | None, str, int]]],
    plan: Plan,
    current: Stored,
) -> None:
    """The plan (with the versions stored now, the apply's expected versions) and the listing of every
    change old → new. With a versioned template, a figure stored at another version than the one
    downloaded was changed by someone since: the row is stale and needs its own confirmation."""
    warned: dict[int, list[str]] = defaultdict(list)
    for w in plan.warnings:
        if w.row is not None:
            warned[w.row].append(w.message)
    for unit_code, figures in parsed.items():
        for ind_code, (value, comment, row) in sorted(figures.items(), key=lambda kv: kv[1][2]):
            stored = current.get((unit_code, ind_code))
            if stored is not None and stored[0] == value and stored[1] == comment:
                plan.unchanged += 1  # the same figure is already there: re-uploading applies nothing
                continue
            version = stored[2] if stored is not None else None
            new = None if value is None else str(value)
            plan.units.setdefault(unit_code, {})[ind_code] = (new, version, comment)
            why = _staleness(plan, unit_code, ind_code, stored)
            indicator = indicators[ind_code]
            plan.listing.append(
                {
                    "key": f"{unit_code}/{ind_code}",
                    "row": row,
                    "unit": unit_code,
                    "unit_name": units[unit_code].name,
                    "indicator": ind_code,
                    "indicator_name": indicator.name,
                    "uom": indicator.unit_of_measure,
                    "old": None if stored is None or stored[0] is None else _plain(stored[0]),
                    "new": None if value is None else _plain(value),
                    "old_comment": stored[1] if stored is not None else "",
                    "new_comment": comment,
                    "warnings": warned.get(row, []),
                    "stale": bool(why),
                    "why": why,
                }
            )
    plan.listing.sort(key=lambda c: c["row"])


def _staleness(plan: Plan, unit_code: str, ind_code: str, stored: StoredEntry | None) -> str:
    """Why a row is stale ("" when it is not): the stored figure is not the one the template showed."""
    if not plan.versioned:
        return ""
    seen = plan.seen.get((unit_code, ind_code))
    if stored is None:
        return "" if seen is None else f"下载模板时此数据为第 {seen} 版，其后已被清除。"
    _reported, _comment, version, who, when = stored
    if seen == version:
        return ""
    by = f"{who or '他人'}于{timezone.localtime(when):%m-%d %H:%M}" if when else (who or "他人")
    now = _plain(stored[0]) if stored[0] is not None else "空"
    if seen is None:
        return f"下载模板时此数据尚未填写，其后{by}填为 {now}（第 {version} 版）；导入将以文件中的值覆盖。"
    return f"下载模板时为第 {seen} 版，其后{by}改为 {now}（第 {version} 版）；导入将以文件中的值覆盖。"


def problems_json(problems: list[Problem]) -> list[dict[str, Any]]:
    return [
        {"sheet": p.sheet, "row": p.row, "column": p.column_letter, "message": p.message, "text": str(p)}
        for p in problems
    ]
