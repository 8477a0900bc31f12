"""Importing existing ledgers from Excel: dry run, row-precise errors, idempotent, all or nothing.

The workbook has a sheet 项目台账 and/or 人才台账 with the columns of the export. Each row goes
through the same services (and the same scope guard) as the web form. A row whose 台账编号 already
exists is skipped, so importing the same file twice changes nothing; a row without 台账编号 gets
one from a hash of its content. Any error anywhere → nothing is applied and every problem is
listed with its sheet, row and column.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from kaifang.audit.services import record_event
from kaifang.core.spreadsheets import Problem, Sheet, SpreadsheetError, cell_text, read_workbook, to_decimal
from kaifang.ledgers import derived, services
from kaifang.ledgers.exports import PROJECT_COLUMNS, TALENT_COLUMNS
from kaifang.ledgers.models import InvestmentProject, TalentRecord
from kaifang.ledgers.reference import ORIGIN_NAMES, PIPELINE_STAGES, Currency, Industry, Stage, TalentKind, TalentLevel
from kaifang.ledgers.services import money
from kaifang.ledgers.services.talents import TalentInput, create_talent
from kaifang.orgs.models import OrgUnit

MAX_ROWS = 5000
MAX_AMOUNT = Decimal("1000000000000")  # amounts (万元/万美元), as the services allow
MAX_HEADCOUNT = Decimal("500")  # people in one talent record (a team), as the form and API allow
ORIGIN_BY_NAME = {name: code for code, name in ORIGIN_NAMES.items()}
CURRENCY_BY_NAME = {str(label): value for value, label in Currency.choices} | {"CNY": "CNY", "USD": "USD"}
STAGE_BY_NAME = {str(label): value for value, label in Stage.choices}
LEVEL_BY_NAME = {str(label): value for value, label in TalentLevel.choices}
KIND_BY_NAME = {str(label): value for value, label in TalentKind.choices}


@dataclass
class ImportResult:
    created_projects: int = 0
    created_talents: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        verb = "已导入" if self.committed else "试导入（未保存）"
        if self.problems:
            return f"发现 {len(self.problems)} 处问题，未导入任何数据。"
        return (
            f"{verb}：项目 {self.created_projects} 个，人才 {self.created_talents} 条；已存在而跳过 {self.skipped} 行。"
        )


class _RowError(Exception):
    def __init__(self, message: str, column: int | None = None):
        super().__init__(message)
        self.message, self.column = message, column


def _columns(sheet: Sheet, expected: list[str]) -> dict[str, int]:
    header = [cell_text(v) for v in (sheet.rows[0] if sheet.rows else [])]
    missing = [name for name in expected if name not in header]
    if missing:
        raise SpreadsheetError(
            [Problem(f"缺少列：{'、'.join(missing)}（请使用导出的台账格式）", sheet=sheet.name, row=1)]
        )
    return {name: header.index(name) for name in expected}


class _Row:
    def __init__(self, sheet: Sheet, number: int, cols: dict[str, int]):
        self.values, self.cols, self.number = sheet.rows[number - 1], cols, number

    def raw(self, name: str) -> Any:
        index = self.cols[name]
        return self.values[index] if index < len(self.values) else None

    def text(self, name: str, *, required: bool = False, max_length: int = 200) -> str:
        value = cell_text(self.raw(name))
        if required and not value:
            raise _RowError(f"“{name}”不能为空。", self.cols[name])
        if len(value) > max_length:
            raise _RowError(f"“{name}”超过{max_length}字。", self.cols[name])
        return value

    def choice(self, name: str, mapping: dict[str, str], *, default: str | None = None) -> str:
        value = self.text(name)
        if not value and default is not None:
            return default
        if value in mapping:
            return mapping[value]
        if value in mapping.values():
            return value
        raise _RowError(f"“{name}”的值“{value[:20]}”不在可选范围内。", self.cols[name])

    def decimal(self, name: str, *, maximum: Decimal = MAX_AMOUNT) -> Decimal:
        """A number from 0 to `maximum`; anything else is this row's error, naming the column and the range."""
        try:
            value = to_decimal(self.raw(name))
        except ValueError as exc:
            raise _RowError(f"“{name}”应为数字（0 至 {maximum:,}）。", self.cols[name]) from exc
        if value is None or not 0 <= value <= maximum:
            raise _RowError(f"“{name}”应为 0 至 {maximum:,} 之间的数字。", self.cols[name])
        return value

    def optional_decimal(self, name: str) -> Decimal | None:
        return self.decimal(name) if cell_text(self.raw(name)) else None

    def date(self, name: str, *, required: bool = False) -> datetime.date | None:
        value = self.raw(name)
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = cell_text(value)
        if not text:
            if required:
                raise _RowError(f"“{name}”不能为空。", self.cols[name])
            return None
        try:
            return datetime.date.fromisoformat(text.replace("/", "-"))
        except ValueError as exc:
            raise _RowError(f"“{name}”应为日期，如 2018-06-30。", self.cols[name]) from exc

    def unit(self, units: dict[str, OrgUnit]) -> OrgUnit:
        code = self.text("责任单位代码", required=True, max_length=32)
        if code not in units:
            raise _RowError(f"责任单位代码“{code}”不存在。", self.cols["责任单位代码"])
        return units[code]

    def fingerprint(self, prefix: str) -> str:
        digest = hashlib.sha256(repr([cell_text(v) for v in self.values]).encode("utf-8")).hexdigest()
        return f"{prefix}-{digest[:16]}"


def _import_project(user: Any, row: _Row, units: dict[str, OrgUnit], platforms: dict[str, OrgUnit]) -> bool:
    external_id = row.text("台账编号", max_length=64) or row.fingerprint("PX")
    if InvestmentProject.objects.filter(external_id=external_id).exists():
        return False
    platform_name = row.text("所在平台")
    if platform_name and platform_name not in platforms:
        raise _RowError(f"平台“{platform_name[:30]}”不存在。", row.cols["所在平台"])
    stage = row.choice("阶段", STAGE_BY_NAME, default=Stage.LEAD)
    received = row.date("线索获得日期", required=True)
    signed_on, started_on = row.date("首次签约日期"), row.date("首次开工日期")
    data = services.ProjectInput(
        name=row.text("项目名称", required=True),
        investor_name=row.text("投资方", required=True),
        is_fortune500=row.text("世界500强") in ("是", "Y", "y", "1"),
        origin=row.choice("来源国家/地区", ORIGIN_BY_NAME),
        industry=row.choice("行业门类", {str(label): value for value, label in Industry.choices}),
        unit=row.unit(units),
        platform=platforms.get(platform_name),
        leader=row.text("包保领导", max_length=50),
        currency=row.choice("币种", CURRENCY_BY_NAME, default=Currency.CNY),
        agreed_amount=row.decimal("协议投资额"),
        lead_received_on=received,
        external_id=external_id,
    )
    project, _warnings = services.create_project(actor=user, data=data)
    for action, day in _replay(stage, received, signed_on, started_on, row):  # type: ignore[arg-type]
        project = services.transition_project(actor=user, project=project, action=action, effective_on=day)
    funds = row.optional_decimal("实际到位资金")
    if funds:
        money.record_funds(
            actor=user,
            project=project,
            amount=funds,
            currency=project.currency,
            received_on=started_on or signed_on,  # type: ignore[arg-type]
        )
    return True


def _replay(
    stage: str, received: datetime.date, signed_on: datetime.date | None, started_on: datetime.date | None, row: _Row
) -> list[tuple[str, datetime.date]]:
    """The moves that bring a new lead to the ledger's stage, dated from the row."""
    order: list[str] = [str(s) for s in PIPELINE_STAGES]
    target: str = stage if stage != Stage.DROPPED else (Stage.SIGNED if signed_on else Stage.LEAD)
    if order.index(target) >= order.index(Stage.SIGNED) and signed_on is None:
        raise _RowError("签约及以后阶段的项目须填写“首次签约日期”。", row.cols["首次签约日期"])
    if order.index(target) >= order.index(Stage.STARTED) and started_on is None:
        raise _RowError("开工及以后阶段的项目须填写“首次开工日期”。", row.cols["首次开工日期"])
    steps: list[tuple[str, datetime.date]] = []
    if order.index(target) >= 1:
        steps.append(("negotiate", received))
    if order.index(target) >= 2:
        steps.append(("sign", signed_on))  # type: ignore[arg-type]
    if target == Stage.TO_START:
        steps.append(("plan_start", signed_on))  # type: ignore[arg-type]
    if order.index(target) >= 4:
        steps.append(("start", started_on))  # type: ignore[arg-type]
    if order.index(target) >= 5:
        steps.append(("funds_in", started_on))  # type: ignore[arg-type]
    if order.index(target) >= 6:
        steps.append(("produce", started_on))  # type: ignore[arg-type]
    if stage == Stage.DROPPED:
        steps.append(("drop", steps[-1][1] if steps else received))
    return steps


def _import_talent(user: Any, row: _Row, units: dict[str, OrgUnit]) -> bool:
    external_id = row.text("台账编号", max_length=64) or row.fingerprint("TX")
    if TalentRecord.objects.filter(external_id=external_id).exists():
        return False
    headcount = int(row.decimal("人数", maximum=MAX_HEADCOUNT)) if cell_text(row.raw("人数")) else 1
    if headcount < 1:
        raise _RowError(f"“人数”应为 1 至 {MAX_HEADCOUNT} 之间的整数。", row.cols["人数"])
    create_talent(
        actor=user,
        data=TalentInput(
            name=row.text("姓名/团队名称", required=True, max_length=100),
            kind=row.choice("类型", KIND_BY_NAME, default=TalentKind.PERSON),
            headcount=headcount,
            field=row.text("专业领域", required=True, max_length=100),
            level=row.choice("人才层次", LEVEL_BY_NAME),
            programme=row.text("人才计划", max_length=100),
            employer=row.text("用人单位", required=True),
            unit=row.unit(units),
            introduced_on=row.date("引进日期", required=True),  # type: ignore[arg-type]
            source_region=row.choice("来源地", ORIGIN_BY_NAME),
            external_id=external_id,
        ),
    )
    return True


def import_ledger(*, user: Any, data: bytes, filename: str, commit: bool) -> ImportResult:
    """Check and (with `commit`) apply a ledger workbook; nothing is applied unless every row is fine."""
    result = ImportResult()
    try:
        book = read_workbook(data, filename=filename)
    except SpreadsheetError as exc:
        result.problems = list(exc.problems)
        return result
    sheets = [s for s in (book.sheet("项目台账"), book.sheet("人才台账")) if s is not None]
    if not sheets:
        result.problems = [Problem("找不到“项目台账”或“人才台账”工作表（请使用导出的台账格式）。")]
        return result
    if sum(len(s.rows) for s in sheets) > MAX_ROWS:
        result.problems = [Problem(f"一次最多导入 {MAX_ROWS} 行，请分批导入。")]
        return result
    units = {u.code: u for u in OrgUnit.objects.all()}
    platforms = {u.name: u for u in OrgUnit.objects.filter(kind="platform")}
    with transaction.atomic():
        with derived.deferred_push(actor=user):
            for sheet in sheets:
                _import_sheet(user, sheet, units, platforms, result)
        if result.problems or not commit:
            transaction.set_rollback(True)
            return result
        record_event(
            actor=user,
            action="ledgers.import",
            object_type="ledgers.import",
            object_id=book.sha256[:16],
            object_repr=filename[:200],
            after={"projects": result.created_projects, "talents": result.created_talents, "skipped": result.skipped},
        )
        result.committed = True
    return result


def _import_sheet(
    user: Any, sheet: Sheet, units: dict[str, OrgUnit], platforms: dict[str, OrgUnit], result: ImportResult
) -> None:
    is_projects = sheet.name == "项目台账"
    try:
        cols = _columns(sheet, [c.header for c in (PROJECT_COLUMNS if is_projects else TALENT_COLUMNS)])
    except SpreadsheetError as exc:
        result.problems += exc.problems
        return
    for number in range(2, len(sheet.rows) + 1):
        row = _Row(sheet, number, cols)
        if all(cell_text(v) == "" for v in row.values):
            continue
        try:
            with transaction.atomic():
                created = (
                    _import_project(user, row, units, platforms) if is_projects else _import_talent(user, row, units)
                )
        except _RowError as exc:
            result.problems.append(Problem(exc.message, sheet=sheet.name, row=number, column=exc.column))
            continue
        except ValidationError as exc:
            for message in exc.messages:
                result.problems.append(Problem(message, sheet=sheet.name, row=number))
            continue
        except PermissionDenied:
            result.problems.append(Problem("您无权为该责任单位导入台账。", sheet=sheet.name, row=number))
            continue
        if created:
            if is_projects:
                result.created_projects += 1
            else:
                result.created_talents += 1
        else:
            result.skipped += 1
        if len(result.problems) >= 200:
            return
