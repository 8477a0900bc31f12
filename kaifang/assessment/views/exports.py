"""Excel exports of the assessment pages: the lists (加减分事项, 通报), a period's results (live or
published) and one unit's breakdown — each exactly what the page shows the user, each audited
(`record_export`, as every export of Kaifang)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from kaifang.accounts.permissions import user_of
from kaifang.assessment import selectors
from kaifang.assessment.views import _period
from kaifang.audit.services import record_export
from kaifang.core.spreadsheets import Column, SheetSpec, write_workbook, xlsx_response
from kaifang.indicators.periods import ytd_text


def _num(value: Any) -> Any:
    """A score as a number for Excel ("54.00" → 54.00); anything else as it reads."""
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value


def _weight(value: Any) -> str:
    """A weight as the page writes it: 60.00 → 60, 2.50 → 2.5."""
    return f"{Decimal(str(value)).normalize():f}"


def _flags(row: dict[str, Any]) -> str:
    return "、".join(row.get("flags") or [])


def _results_sheet(scheme: Any, results: dict[str, Any], title: str) -> SheetSpec:
    items = list(scheme.items.all())
    columns = [
        Column("名次", 6, number=True, decimals=0), Column("单位", 14), Column("总分", 9, number=True),
        Column("等次", 8), *[Column(f"{i.name}（{_weight(i.weight)}）", 12, number=True) for i in items],
        Column("标注", 20),
    ]  # fmt: skip
    rows = [
        [
            u["rank"],
            u["name"],
            _num(u["total"]),
            u["grade"],
            *[_num(i["points"]) for i in u["items"]],
            "、".join(u["flags"]),
        ]
        for u in results["units"]
    ]
    return SheetSpec(title[:31], columns, rows)


def _unit_sheet(row: dict[str, Any], title: str) -> SheetSpec:
    columns = [
        Column("考核项", 20),
        Column("分值", 8, number=True),
        Column("得分", 9, number=True),
        Column("计算过程", 60),
    ]
    rows = [[i["name"], _num(i["weight"]), _num(i["points"]), i["detail"]] for i in row["items"]]
    rows.append(["合计", "", _num(row["total"]), f"第 {row['rank']} 名 · {row['grade']}"])
    return SheetSpec(title[:31], columns, rows)


@login_required
def export_results(request: HttpRequest, code: str, period: str) -> HttpResponse:
    """A period's running results as on the page (only the units the user may see); audited."""
    user = user_of(request)
    scheme = selectors.get_scheme_for_user(user, code)
    day = _period(period, scheme.year)
    results = selectors.visible_results(user, selectors.assess(scheme=scheme, period=day).results())
    record_export(
        actor=user, what="assessment.results", rows=len(results["units"]), filters={"scheme": code, "period": period}
    )
    name = f"{scheme.name}{ytd_text(day)}考核得分"
    return xlsx_response(write_workbook([_results_sheet(scheme, results, "考核得分")]), f"{name}.xlsx")


@login_required
def export_snapshot(request: HttpRequest, pk: int) -> HttpResponse:
    """A published version's results as on the page; audited."""
    user = user_of(request)
    snapshot = selectors.get_snapshot_for_user(user, pk)
    results = selectors.visible_results(user, snapshot.results)
    record_export(actor=user, what="assessment.results", rows=len(results["units"]), filters={"snapshot": str(pk)})
    name = f"{snapshot.scheme.name}{ytd_text(snapshot.period)}考核结果（第{snapshot.number}版）"
    return xlsx_response(write_workbook([_results_sheet(snapshot.scheme, results, "考核结果")]), f"{name}.xlsx")


@login_required
def export_unit(request: HttpRequest, code: str, period: str, unit: str) -> HttpResponse:
    """One unit's running breakdown (404 outside the user's scope); audited."""
    user = user_of(request)
    scheme = selectors.get_scheme_for_user(user, code)
    day = _period(period, scheme.year)
    row = selectors.unit_result(user, selectors.assess(scheme=scheme, period=day).results(), unit)
    record_export(
        actor=user,
        what="assessment.unit",
        rows=len(row["items"]),
        filters={"scheme": code, "period": period, "unit": unit},
    )
    return xlsx_response(write_workbook([_unit_sheet(row, "得分明细")]), f"{row['name']}{ytd_text(day)}得分明细.xlsx")


@login_required
def export_snapshot_unit(request: HttpRequest, pk: int, unit: str) -> HttpResponse:
    """One unit's breakdown in a published version; audited."""
    user = user_of(request)
    snapshot = selectors.get_snapshot_for_user(user, pk)
    row = selectors.unit_result(user, snapshot.results, unit)
    record_export(
        actor=user, what="assessment.unit", rows=len(row["items"]), filters={"snapshot": str(pk), "unit": unit}
    )
    name = f"{row['name']}{ytd_text(snapshot.period)}得分明细（第{snapshot.number}版）"
    return xlsx_response(write_workbook([_unit_sheet(row, "得分明细")]), f"{name}.xlsx")


# --- Exports of the two lists ---------------------------------------------------------------------


@login_required
def export_adjustments(request: HttpRequest) -> HttpResponse:
    """The filtered 加减分事项 as Excel (every page); the export is audited."""
    user = user_of(request)
    listing = selectors.ADJUSTMENT_LIST.read(request.GET, user=user)
    entries = list(selectors.visible_adjustments(user, listing))
    rows = [
        [e.unit.name, e.period, f"{e.scheme_code}/{e.item_code}", e.points, e.reason, e.evidence, e.get_state_display()]
        for e in entries
    ]
    record_export(actor=user, what="assessment.adjustments", rows=len(rows), filters=listing.described())
    columns = [
        Column("单位", 16), Column("期间", 10), Column("考核项", 20), Column("分值", 8, number=True),
        Column("事由", 30), Column("依据", 30), Column("状态", 10),
    ]  # fmt: skip
    return xlsx_response(write_workbook([SheetSpec("加减分事项", columns, rows)]), "加减分事项.xlsx")


@login_required
def export_bulletins(request: HttpRequest) -> HttpResponse:
    """The filtered list of bulletins as Excel; the export is audited."""
    user = user_of(request)
    if not selectors.can_read_bulletins(user):
        raise Http404("bulletins")
    listing = selectors.BULLETIN_LIST.read(request.GET, user=user)
    bulletins = list(selectors.bulletins_for_user(user, listing))
    rows = [
        [b.title, b.doc_number, b.scheme_code, b.period, b.get_format_display(), b.get_status_display(), b.created_at]
        for b in bulletins
    ]
    record_export(actor=user, what="assessment.bulletins", rows=len(rows), filters=listing.described())
    columns = [
        Column("标题", 40), Column("文号", 20), Column("方案", 16), Column("期间", 10), Column("格式", 8),
        Column("状态", 10), Column("生成时间", 18),
    ]  # fmt: skip
    return xlsx_response(write_workbook([SheetSpec("通报", columns, rows)]), "通报列表.xlsx")
