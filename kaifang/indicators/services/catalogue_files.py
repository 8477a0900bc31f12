"""The indicator catalogue as a file: export (Excel, JSON), a validated import, and the starter
catalogue a new province adopts and edits.

An import is checked as a whole before anything is written: codes, names, units of measure, every
choice (Chinese label or code), decimals, formulas that parse and reference indicators of the
catalogue or of the file, and no cycle among formulas. Then, in one transaction, each indicator of
the file is created or changed through `catalogue.save_indicator` (audited; formulas after what
they reference); indicators missing from the file are left alone, and an indicator equal to the
stored one is not touched, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from kaifang.accounts.permissions import is_admin
from kaifang.core.actors import is_system_actor
from kaifang.core.spreadsheets import (
    Problem,
    SpreadsheetError,
    cell_text,
    read_workbook,
    to_decimal,
)
from kaifang.indicators import expressions
from kaifang.indicators.catalogue_format import DEFAULTS as DEFAULTS
from kaifang.indicators.catalogue_format import FORMAT as FORMAT
from kaifang.indicators.catalogue_format import HEADERS as HEADERS
from kaifang.indicators.catalogue_format import LABEL as LABEL
from kaifang.indicators.catalogue_format import REQUIRED_HEADERS as REQUIRED_HEADERS
from kaifang.indicators.catalogue_format import SHEET as SHEET
from kaifang.indicators.catalogue_format import catalogue_document as catalogue_document
from kaifang.indicators.catalogue_format import catalogue_json as catalogue_json
from kaifang.indicators.catalogue_format import catalogue_workbook as catalogue_workbook
from kaifang.indicators.models import Indicator, Source
from kaifang.indicators.services.catalogue import CHOICES, CODE, EDITABLE, save_indicator
from kaifang.indicators.services.file_imports import sort_rows, write_rows

STARTER = Path(__file__).resolve().parents[1] / "fixtures" / "starter_catalogue.json"
MAX_INDICATORS = 1000


# --- Import ------------------------------------------------------------------------------------------


@dataclass
class Entry:
    """One indicator read from a file, with where it was (for messages)."""

    where: dict[str, Any]
    code: str
    values: dict[str, Any]


@dataclass
class CatalogueImportResult:
    filename: str
    rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    committed: bool = False
    sha256: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            return _("发现 %(n)d 个问题，未导入任何指标。请修改后重新上传。") % {"n": len(self.problems)}
        verb = _("已导入") if self.committed else _("检查通过（尚未导入）")
        return _("%(verb)s：共 %(rows)d 个指标，新增 %(c)d 个，修改 %(u)d 个，%(s)d 个与现有相同。") % {
            "verb": verb,
            "rows": self.rows,
            "c": len(self.created),
            "u": len(self.updated),
            "s": len(self.unchanged),
        }


def _choice(name: str, text: str) -> str:
    for value, label in CHOICES[name].choices:
        if text in (value, str(label)):
            return str(value)
    return text  # left as typed: `_problems` names the column and the accepted values


def _from_workbook(data: bytes, filename: str, result: CatalogueImportResult) -> list[Entry]:
    book = read_workbook(data, filename=filename)
    result.sha256 = book.sha256
    sheet = book.sheet(SHEET) or (book.sheets[0] if len(book.sheets) == 1 else None)
    if sheet is None:
        raise SpreadsheetError([Problem(_("找不到“%(s)s”工作表（请使用导出的格式）。") % {"s": SHEET})])
    header = [cell_text(v) for v in (sheet.rows[0] if sheet.rows else [])]
    missing = [h for h in REQUIRED_HEADERS if h not in header]
    if missing:
        raise SpreadsheetError([Problem(_("缺少列：%(c)s。") % {"c": "、".join(missing)}, sheet.name, 1)])
    cols = {HEADERS[h]: header.index(h) for h in HEADERS if h in header}
    entries = []
    for number in range(2, len(sheet.rows) + 1):
        raw = sheet.rows[number - 1]
        cells = {name: raw[i] if i < len(raw) else None for name, i in cols.items()}
        if all(cell_text(v) == "" for v in cells.values()):
            continue
        values: dict[str, Any] = dict(DEFAULTS)
        for name, value in cells.items():
            if name == "code":
                continue
            text = cell_text(value)
            if name in ("decimals", "sort_order"):
                try:
                    number_value = to_decimal(value)
                except ValueError:
                    number_value = None
                values[name] = (
                    int(number_value)
                    if number_value is not None and number_value == number_value.to_integral_value()
                    else (DEFAULTS[name] if text == "" else text)
                )
            elif name == "is_active":
                values[name] = text not in ("否", "N", "n", "0", "false", "False", "停用")
            elif name == "allow_negative":
                values[name] = text in ("是", "Y", "y", "1", "true", "True", "允许")
            elif name in CHOICES:
                values[name] = _choice(name, text) if text else DEFAULTS[name]
            else:
                values[name] = text
        where = {"sheet": sheet.name, "row": number, "cols": cols}
        entries.append(Entry(where, cell_text(cells.get("code")).upper(), values))
    return entries


def _from_json(data: bytes) -> list[Entry]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SpreadsheetError([Problem(_("JSON 格式不正确：%(e)s") % {"e": str(exc)[:120]})]) from exc
    items = document.get("indicators") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise SpreadsheetError([Problem(_("JSON 中没有 indicators 列表。"))])
    entries = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise SpreadsheetError([Problem(_("第 %(i)d 个指标不是对象。") % {"i": index})])
        code = str(item.get("code", "")).strip().upper()
        values = {**DEFAULTS, **{k: v for k, v in item.items() if k != "code"}}
        for name in CHOICES:
            values[name] = _choice(name, str(values[name]))
        entries.append(Entry({"index": index}, code, values))
    return entries


def _problem(entry: Entry, column: str | None, message: str) -> Problem:
    if "row" in entry.where:
        col = entry.where["cols"].get(column) if column else None
        return Problem(message, entry.where["sheet"], entry.where["row"], col)
    return Problem(
        _("第 %(i)d 个指标（%(c)s）：%(m)s") % {"i": entry.where["index"], "c": entry.code or "—", "m": message}
    )


def _problems(entries: list[Entry]) -> list[Problem]:
    """Every problem of the file, each where it is; the formulas are checked against the catalogue
    as it will be after the import (stored indicators plus the file's)."""
    problems: list[Problem] = []
    seen: dict[str, Entry] = {}
    for entry in entries:
        unknown = set(entry.values) - set(EDITABLE)
        if unknown:
            problems.append(_problem(entry, None, _("未知字段：%(f)s。") % {"f": "、".join(sorted(unknown))}))
        if not CODE.match(entry.code):
            problems.append(
                _problem(
                    entry,
                    "code",
                    _("指标代码“%(c)s”须为大写字母开头的字母、数字或下划线（2–32 位）。") % {"c": entry.code[:40]},
                )
            )
        elif entry.code in seen:
            problems.append(_problem(entry, "code", _("指标代码 %(c)s 重复。") % {"c": entry.code}))
        seen.setdefault(entry.code, entry)
        if not str(entry.values.get("name", "")).strip():
            problems.append(_problem(entry, "name", _("请填写指标名称。")))
        unit = str(entry.values.get("unit_of_measure", "")).strip()
        if not unit or len(unit) > 16:
            problems.append(
                _problem(entry, "unit_of_measure", _("计量单位须填写，最多 16 个字（如 万美元、亿元、个、%）。"))
            )
        for name, choices in CHOICES.items():
            if entry.values.get(name) not in choices.values:
                accepted = "、".join(str(label) for label in choices.labels)
                problems.append(
                    _problem(
                        entry,
                        name,
                        _("“%(col)s”的值“%(v)s”不正确（可选：%(a)s）。")
                        % {"col": LABEL[name], "v": str(entry.values.get(name))[:20], "a": accepted},
                    )
                )
        decimals = entry.values.get("decimals")
        if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 4:
            problems.append(_problem(entry, "decimals", _("小数位数须为 0–4 的整数。")))
        order = entry.values.get("sort_order")
        if not isinstance(order, int) or isinstance(order, bool) or order < 0:
            problems.append(_problem(entry, "sort_order", _("排序须为不小于 0 的整数。")))
    known = set(Indicator.objects.values_list("code", flat=True)) | set(seen)
    graph = {code: refs for code, refs in _stored_graph().items() if code not in seen}
    for entry in entries:
        formula = str(entry.values.get("formula") or "")
        if entry.values.get("source") == Source.FORMULA:
            try:
                graph[entry.code] = expressions.check(formula, known, own_code=entry.code)
            except expressions.ExpressionError as exc:
                problems.append(_problem(entry, "formula", _("公式“%(f)s”有误：%(e)s") % {"f": formula[:60], "e": exc}))
        elif formula.strip():
            problems.append(_problem(entry, "formula", _("只有“公式计算”的指标才填写公式。")))
    cycle = expressions.find_cycle(graph)
    if cycle:
        first = next((e for e in entries if e.code in cycle), None)
        message = expressions.cycle_message(cycle)
        problems.append(_problem(first, "formula", message) if first else Problem(message))
    return problems


def _stored_graph() -> dict[str, set[str]]:
    from kaifang.indicators.services.catalogue import formula_graph

    return formula_graph()


def _apply_order(entries: list[Entry]) -> list[Entry]:
    """Typed and ledger indicators first, then formulas after the formulas they reference."""
    formulas = {e.code: e for e in entries if e.values.get("source") == Source.FORMULA}
    ordered = [e for e in entries if e.code not in formulas]
    placed: set[str] = set()

    def place(code: str) -> None:
        if code in placed:
            return
        placed.add(code)
        for ref in sorted(expressions.references(expressions.parse(formulas[code].values["formula"]))):
            if ref in formulas:
                place(ref)
        ordered.append(formulas[code])

    for code in formulas:
        place(code)
    return ordered


def read_catalogue_file(data: bytes, filename: str, result: CatalogueImportResult) -> list[Entry]:
    """The entries of an .xlsx or .json catalogue file (raises SpreadsheetError for a bad file)."""
    import hashlib

    if filename.lower().endswith(".json"):
        result.sha256 = hashlib.sha256(data).hexdigest()
        if len(data) > 5 * 1024 * 1024:
            raise SpreadsheetError([Problem(_("文件超过 5 MB。"))])
        return _from_json(data)
    return _from_workbook(data, filename, result)


def import_catalogue(*, actor: Any, data: bytes, filename: str, commit: bool) -> CatalogueImportResult:
    """Check a catalogue file and, with `commit` and no problem, apply it all in one transaction."""
    if not is_system_actor(actor) and not is_admin(actor):
        raise PermissionDenied(_("只有省级管理员可以维护指标目录。"))
    result = CatalogueImportResult(filename=(filename or "catalogue")[:200])
    try:
        entries = read_catalogue_file(data, result.filename, result)
    except SpreadsheetError as exc:
        result.problems = list(exc.problems)
        return result
    result.rows = len(entries)
    if result.rows > MAX_INDICATORS:
        result.problems = [Problem(_("一次最多导入 %(n)d 个指标。") % {"n": MAX_INDICATORS})]
        return result
    result.problems = _problems(entries)
    if result.problems:
        return result
    stored = {i.code: i for i in Indicator.objects.filter(code__in=[e.code for e in entries])}
    new, unchanged, changed = sort_rows(
        entries,
        stored=lambda entry: stored.get(entry.code),
        same=lambda entry, current: all(getattr(current, f) == v for f, v in _values(entry).items()),
    )
    result.created, result.unchanged, result.updated = ([e.code for e in rows] for rows in (new, unchanged, changed))
    if not commit:
        return result
    write_rows(
        actor=actor,
        result=result,
        rows=[entry for entry in _apply_order(entries) if entry.code not in result.unchanged],
        write=lambda entry: save_indicator(
            actor=actor,
            code=entry.code,
            expected_version=stored[entry.code].version if entry.code in stored else None,
            **_values(entry),
        ),
        action="indicators.catalogue.import",
        after={
            "sha256": result.sha256,
            "created": result.created,
            "updated": result.updated,
            "unchanged": len(result.unchanged),
        },
    )
    return result


def _values(entry: Entry) -> dict[str, Any]:
    return {f: entry.values.get(f, DEFAULTS.get(f)) for f in EDITABLE}


def adopt_starter_catalogue(*, actor: Any, commit: bool = True) -> CatalogueImportResult:
    """Import the starter catalogue of the usual opening-up indicators (a province edits it after)."""
    return import_catalogue(actor=actor, data=STARTER.read_bytes(), filename=STARTER.name, commit=commit)
