"""Annual targets from Excel: the template for a unit's hand-down (the province to its cities, a city
to its counties), and its import through `targets.set_target`, the service of the targets page.

The dry run checks every row (the indicator, the unit and the user's right to set its target, the
figure, the optional monthly phasing) and shows, for every unit whose children appear, its own
target beside the sum of its children's targets after the import, with the difference (层层分解:
a city may hand down more than it was given). The apply is all or nothing; a target equal to the
stored one is not touched, so a second import of the same file changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

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
from kaifang.indicators.aggregation import SUMMABLE_KINDS
from kaifang.indicators.models import Indicator, Source, Target
from kaifang.indicators.services.file_imports import sort_rows, write_rows
from kaifang.indicators.services.targets import can_set_target, clean_monthly, set_target
from kaifang.orgs.models import OrgUnit, UnitKind

SHEET = "目标"
MONTHS = [f"{m}月" for m in range(1, 13)]
COLUMNS = ["年度", "单位代码", "单位名称", "指标代码", "指标名称", "计量单位", "年度目标", *MONTHS]
REQUIRED = ["年度", "单位代码", "指标代码", "年度目标"]
MAX_ROWS = 20_000


def _children(parent: OrgUnit, year: int) -> list[OrgUnit]:
    kinds = [*SUMMABLE_KINDS, UnitKind.DEPARTMENT] if parent.kind == UnitKind.PROVINCE else list(SUMMABLE_KINDS)
    return list(
        OrgUnit.objects.filter(parent=parent, kind__in=kinds)
        .current(datetime.date(year, 1, 1))
        .order_by("sort_order", "path")
    )


def target_indicators() -> list[Indicator]:
    """Indicators that take a target: typed and ledger ones (a formula's target follows its inputs)."""
    return list(Indicator.objects.active().exclude(source=Source.FORMULA))


def target_template(*, user: Any, parent: OrgUnit, year: int) -> bytes:
    """The workbook to fill in: the parent's own row and one per child unit, for each indicator,
    prefilled with the targets already set (monthly columns only where phased)."""
    units = [u for u in [parent, *_children(parent, year)] if can_set_target(user, u) or u == parent]
    indicators = target_indicators()
    stored = {
        (t.indicator_id, t.unit_id): t
        for t in Target.objects.filter(year=year, unit__in=units, indicator__in=indicators)
    }
    rows = []
    for indicator in indicators:
        for unit in units:
            target = stored.get((indicator.pk, unit.pk))
            monthly = [Decimal(v) for v in target.monthly] if target and target.monthly else [None] * 12
            annual = target.annual if target else None
            rows.append(
                [
                    year,
                    unit.code,
                    unit.name,
                    indicator.code,
                    indicator.name,
                    indicator.unit_of_measure,
                    annual,
                    *monthly,
                ]
            )
    columns = [Column(c, 12, locked=c in COLUMNS[:6], number=c in COLUMNS[6:], decimals=2) for c in COLUMNS]
    guide = [
        ["年度目标", "全年目标值（计量单位见 F 列），不能为负数。"],
        ["1月…12月", "可选：分月累计目标（1月到该月的累计），12个月须全部填写、逐月不减少，12月等于年度目标。"],
        ["单位", f"{parent.name}本级和下级单位；下级目标之和可以不等于本级目标，导入前的检查会列出差额。"],
        ["权限", "省级用户为各市（及省直部门）下达目标，市级用户为本市各县（市、区）下达目标。"],
    ]
    return write_workbook(
        [
            SheetSpec(SHEET, columns, rows, protect=True),
            SheetSpec("说明", [Column("项目", 12), Column("说明", 90)], guide),
        ]
    )


@dataclass
class TargetRow:
    row: int
    indicator: Indicator
    unit: OrgUnit
    year: int
    annual: Decimal
    monthly: list[Any] | None
    current: Target | None


@dataclass
class Gap:
    """A unit's target beside the sum of its children's after the import."""

    indicator: Indicator
    unit: OrgUnit
    year: int
    own: Decimal | None
    children_sum: Decimal
    with_target: int
    children: int

    @property
    def difference(self) -> Decimal | None:
        return None if self.own is None else self.children_sum - self.own


@dataclass
class TargetImportResult:
    filename: str
    sha256: str = ""
    rows: int = 0
    new: list[TargetRow] = field(default_factory=list)
    changed: list[TargetRow] = field(default_factory=list)
    unchanged: list[TargetRow] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            return _("发现 %(n)d 个问题，未导入任何目标。请修改后重新上传。") % {"n": len(self.problems)}
        verb = _("已导入") if self.committed else _("检查通过（尚未导入）")
        return _("%(verb)s：共 %(rows)d 行，新增 %(c)d 个目标，修改 %(u)d 个，%(s)d 个与现有相同。") % {
            "verb": verb,
            "rows": self.rows,
            "c": len(self.new),
            "u": len(self.changed),
            "s": len(self.unchanged),
        }


def _read_rows(actor: Any, data: bytes, filename: str, result: TargetImportResult) -> list[TargetRow]:
    book = read_workbook(data, filename=filename)
    result.sha256 = book.sha256
    sheet = book.sheet(SHEET)
    if sheet is None:
        raise SpreadsheetError([Problem(_("找不到“%(s)s”工作表（请使用下载的模板）。") % {"s": SHEET})])
    header = [cell_text(v) for v in (sheet.rows[0] if sheet.rows else [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise SpreadsheetError([Problem(_("缺少列：%(c)s。") % {"c": "、".join(missing)}, sheet.name, 1)])
    if len(sheet.rows) - 1 > MAX_ROWS:
        raise SpreadsheetError([Problem(_("一次最多导入 %(n)d 行。") % {"n": MAX_ROWS}, sheet.name)])
    cols = {c: header.index(c) for c in COLUMNS if c in header}
    indicators = {i.code: i for i in target_indicators()}
    units = {u.code: u for u in OrgUnit.objects.all()}
    rows: list[TargetRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number in range(2, len(sheet.rows) + 1):
        cells = _Cells(sheet.name, number, sheet.rows[number - 1], cols, result.problems)
        if all(cells.text(c) == "" for c in COLUMNS):
            continue
        result.rows += 1
        row = _read_row(actor, cells, indicators, units)
        key = (cells.text("指标代码").upper(), cells.text("单位代码"), cells.text("年度"))
        if key in seen:
            cells.problem("单位代码", _("与第 %(r)d 行重复（同一年度、单位和指标）。") % {"r": seen[key]})
        elif row is not None:
            rows.append(row)
        seen.setdefault(key, number)
    return rows


@dataclass
class _Cells:
    """One row of the sheet: its cells by column name, and a way to file a problem at one."""

    sheet: str
    number: int
    raw: list[Any]
    cols: dict[str, int]
    problems: list[Problem]

    def value(self, name: str) -> Any:
        index = self.cols.get(name)
        return self.raw[index] if index is not None and index < len(self.raw) else None

    def text(self, name: str) -> str:
        return cell_text(self.value(name))

    def problem(self, name: str, message: str) -> None:
        self.problems.append(Problem(message, self.sheet, self.number, self.cols.get(name)))


def _read_row(
    actor: Any, cells: _Cells, indicators: dict[str, Indicator], units: dict[str, OrgUnit]
) -> TargetRow | None:
    before = len(cells.problems)
    year_text = cells.text("年度")
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 else None
    if year is None:
        cells.problem("年度", _("年度“%(v)s”不正确（如 2019）。") % {"v": year_text[:10]})
    unit = units.get(cells.text("单位代码"))
    if unit is None:
        cells.problem("单位代码", _("单位代码“%(c)s”不存在。") % {"c": cells.text("单位代码")[:32]})
    elif not can_set_target(actor, unit):
        cells.problem("单位代码", _("您无权为“%(u)s”下达目标。") % {"u": unit.name})
    indicator = indicators.get(cells.text("指标代码").upper())
    if indicator is None:
        cells.problem(
            "指标代码",
            _("指标代码“%(c)s”不存在、已停用或为公式计算指标（不下达目标）。") % {"c": cells.text("指标代码")[:32]},
        )
    annual: Decimal | None = None
    try:
        annual = to_decimal(cells.value("年度目标"))
    except ValueError:
        cells.problem("年度目标", _("年度目标应为数字。"))
    else:
        if annual is None:
            cells.problem("年度目标", _("请填写年度目标。"))
        elif annual < 0:
            cells.problem("年度目标", _("年度目标不能为负数。"))
    monthly: list[Any] | None = None
    if any(cells.text(m) for m in MONTHS):
        monthly = []
        for name in MONTHS:
            try:
                monthly.append(to_decimal(cells.value(name)))
            except ValueError:
                cells.problem(name, _("%(m)s的分月累计目标应为数字。") % {"m": name})
    if len(cells.problems) > before or unit is None or indicator is None or year is None or annual is None:
        return None
    if monthly is not None:
        try:
            clean_monthly(monthly, annual, indicator.name)
        except ValidationError as exc:
            for message in exc.messages:
                cells.problem(MONTHS[0], message)
            return None
    return TargetRow(cells.number, indicator, unit, year, annual, monthly, None)


def _gaps(rows: list[TargetRow]) -> list[Gap]:
    """For each unit the file sets, or whose children it sets: its own target beside the sum of
    its children's, both as they will be after the import (stored targets overlaid with the file)."""
    typed = {(r.indicator.pk, r.unit.pk, r.year): r.annual for r in rows}
    parents = {(r.indicator, r.unit.pk, r.year) for r in rows} | {
        (r.indicator, r.unit.parent_id, r.year) for r in rows if r.unit.parent_id
    }
    gaps = []
    for indicator, unit_pk, year in parents:
        unit = OrgUnit.objects.get(pk=unit_pk)
        kids = [u for u in _children(unit, year) if u.kind in SUMMABLE_KINDS]
        if not kids:
            continue
        after = {
            t.unit_id: t.annual for t in Target.objects.filter(indicator=indicator, year=year, unit__in=[unit, *kids])
        }
        after.update({u: v for (i, u, y), v in typed.items() if i == indicator.pk and y == year})
        values = [after[k.pk] for k in kids if k.pk in after]
        if values:
            own = after.get(unit.pk)
            gaps.append(Gap(indicator, unit, year, own, sum(values, Decimal(0)), len(values), len(kids)))
    return sorted(gaps, key=lambda g: (g.indicator.sort_order, g.indicator.code, g.year, g.unit.path))


def import_targets(*, actor: Any, data: bytes, filename: str, commit: bool) -> TargetImportResult:
    """Check a targets workbook; with `commit` and no problem, set every new or changed target
    through `set_target` in one transaction."""
    result = TargetImportResult(filename=(filename or "targets.xlsx")[:200])
    try:
        rows = _read_rows(actor, data, result.filename, result)
    except SpreadsheetError as exc:
        result.problems = list(exc.problems)
        return result
    if result.problems:
        return result
    stored = {
        (t.indicator_id, t.unit_id, t.year): t
        for t in Target.objects.filter(
            indicator__in={r.indicator.pk for r in rows},
            unit__in={r.unit.pk for r in rows},
            year__in={r.year for r in rows},
        )
    }
    for r in rows:
        r.current = stored.get((r.indicator.pk, r.unit.pk, r.year))
    result.new, result.unchanged, result.changed = sort_rows(
        rows,
        stored=lambda r: r.current,
        same=lambda r, current: current.annual == r.annual and _same_monthly(current.monthly, _phased(r)),
    )
    result.gaps = _gaps(rows)
    if not commit:
        return result
    write_rows(
        actor=actor,
        result=result,
        rows=[*result.new, *result.changed],
        write=lambda r: set_target(
            actor=actor,
            indicator=r.indicator,
            unit=r.unit,
            year=r.year,
            annual=r.annual,
            monthly=r.monthly,
            note=r.current.note if r.current else "",
            expected_version=r.current.version if r.current else None,
        ),
        action="indicators.target.import",
        after={"sha256": result.sha256, "new": len(result.new), "changed": len(result.changed)},
    )
    return result


def _phased(r: TargetRow) -> list[str] | None:
    return [format(Decimal(v).normalize(), "f") for v in r.monthly] if r.monthly else None


def _same_monthly(stored: list[str] | None, typed: list[str] | None) -> bool:
    if stored is None or typed is None:
        return stored is None and typed is None
    return [Decimal(v) for v in stored] == [Decimal(v) for v in typed]
