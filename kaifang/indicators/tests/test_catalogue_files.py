"""The catalogue as a file: the starter catalogue, export and re-import (Excel and JSON) without a
change, and a hostile corpus refused row by row with nothing applied."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kaifang.audit.models import AuditEvent
from kaifang.core.testing import xlsx_bytes
from kaifang.indicators.models import Indicator
from kaifang.indicators.services.catalogue import save_indicator
from kaifang.indicators.services.catalogue_files import (
    HEADERS,
    SHEET,
    adopt_starter_catalogue,
    catalogue_json,
    catalogue_workbook,
    import_catalogue,
)

pytestmark = pytest.mark.django_db

HEADER = list(HEADERS)  # 指标代码 … 排序, the export's columns
# Two good rows: a typed flow and a formula on it (columns as HEADER).
TRADE = [
    "TRADE",
    "进出口总额",
    "亿元",
    "对外贸易",
    "越高越好",
    "流量（按月累加）",
    "累计值",
    "求和",
    2,
    "填报",
    "海关",
    "",
    "",
    "是",
    10,
]
SHARE = [
    "EXP_SHARE",
    "出口比重",
    "%",
    "对外贸易",
    "越高越好",
    "流量（按月累加）",
    "累计值",
    "不汇总",
    1,
    "公式计算",
    "海关",
    "share(EXPORT, TRADE) * 100",
    "",
    "是",
    20,
]
EXPORT = [
    "EXPORT",
    "出口额",
    "亿元",
    "对外贸易",
    "越高越好",
    "流量（按月累加）",
    "累计值",
    "求和",
    2,
    "填报",
    "海关",
    "",
    "",
    "是",
    5,
]


def _with(row: list, **changes: object) -> list:
    copy = list(row)
    for header, value in changes.items():
        copy[HEADER.index(header)] = value
    return copy


def _import(admin, rows, commit=True, **kw):
    data = xlsx_bytes({SHEET: [HEADER, *rows]}, **kw)
    return import_catalogue(actor=admin, data=data, filename="catalogue.xlsx", commit=commit)


def test_the_starter_catalogue_is_adopted_once_and_carries_no_figures(admin_user):
    first = adopt_starter_catalogue(actor=admin_user)
    assert first.committed and len(first.created) == 17 and first.unchanged == []
    assert Indicator.objects.get(code="EXPORT_SHARE").formula == "share(EXPORT, TRADE) * 100"
    again = adopt_starter_catalogue(actor=admin_user)
    assert again.committed and again.created == [] and again.updated == [] and len(again.unchanged) == 17
    from kaifang.indicators.models import DataValue, Target

    assert not DataValue.objects.exists() and not Target.objects.exists()


@pytest.mark.parametrize("kind", ["xlsx", "json"])
def test_an_export_imports_back_without_a_change(admin_user, kind):
    adopt_starter_catalogue(actor=admin_user)
    data = catalogue_workbook() if kind == "xlsx" else catalogue_json()
    result = import_catalogue(actor=admin_user, data=data, filename=f"export.{kind}", commit=True)
    assert result.ok, [str(p) for p in result.problems]
    assert result.created == [] and result.updated == [] and len(result.unchanged) == 17


def test_a_changed_row_updates_that_indicator_only_and_is_audited(admin_user):
    adopt_starter_catalogue(actor=admin_user)
    document = json.loads(catalogue_json())
    for item in document["indicators"]:
        if item["code"] == "FDI":
            item["name"] = "实际使用外资"
    result = import_catalogue(actor=admin_user, data=json.dumps(document).encode(), filename="edited.json", commit=True)
    assert result.updated == ["FDI"] and len(result.unchanged) == 16
    assert Indicator.objects.get(code="FDI").name == "实际使用外资"
    event = AuditEvent.objects.filter(
        action="indicators.indicator.update", object_repr__contains="实际使用外资"
    ).latest("id")
    assert event.before["name"] == "实际利用外资"


def test_formulas_are_applied_after_what_they_reference_within_the_file(admin_user):
    result = _import(admin_user, [SHARE, TRADE, EXPORT])
    assert result.committed and sorted(result.created) == ["EXPORT", "EXP_SHARE", "TRADE"]


# Each hostile file: rows, the cell (row as Excel shows it, column letter), the message.
HOSTILE = {
    "bad_code": ([TRADE, _with(EXPORT, 指标代码="exp-1")], "第3行A列", "须为大写字母开头"),
    "duplicate_code": ([TRADE, _with(EXPORT, 指标代码="TRADE")], "第3行A列", "指标代码 TRADE 重复"),
    "no_unit": ([TRADE, _with(EXPORT, 计量单位="")], "第3行C列", "计量单位须填写"),
    "bad_direction": ([TRADE, _with(EXPORT, 方向="越大越好")], "第3行E列", "“方向”的值“越大越好”不正确"),
    "bad_aggregation": ([TRADE, _with(EXPORT, 单位汇总="加权")], "第3行H列", "“单位汇总”的值“加权”不正确"),
    "bad_decimals": ([TRADE, _with(EXPORT, 小数位数=7)], "第3行I列", "小数位数须为 0–4"),
    "formula_does_not_parse": ([TRADE, EXPORT, _with(SHARE, 计算公式="share(EXPORT,")], "第4行L列", "公式"),
    "formula_unknown_code": ([TRADE, _with(SHARE, 计算公式="share(NOPE, TRADE)")], "第3行L列", "不存在的指标：NOPE"),
    "formula_on_typed": ([TRADE, _with(EXPORT, 计算公式="TRADE * 2")], "第3行L列", "只有“公式计算”的指标才填写公式"),
    "cycle": (
        [
            TRADE,
            _with(SHARE, 指标代码="A_X", 计算公式="B_X + TRADE"),
            _with(SHARE, 指标代码="B_X", 计算公式="A_X * 2"),
        ],
        "第3行L列",
        "公式循环引用：A_X → B_X → A_X",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_catalogues_are_refused_where_the_problem_is_and_nothing_is_applied(admin_user, case):
    rows, where, message = HOSTILE[case]
    result = _import(admin_user, rows)
    texts = [str(p) for p in result.problems]
    assert any(t.startswith(f"工作表「{SHEET}」{where}") and message in t for t in texts), texts
    assert not result.committed and not Indicator.objects.exists()


def test_a_formula_typed_into_a_cell_is_refused(admin_user):
    result = _import(admin_user, [TRADE, EXPORT], formula_at=(SHEET, 3, 1))
    assert [str(p) for p in result.problems] == [
        f"工作表「{SHEET}」第3行B列：单元格 B3 含公式，请复制后“选择性粘贴—数值”再上传。"
    ]
    assert not Indicator.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"{not json", "JSON 格式不正确"), (b'{"indicators": 3}', "没有 indicators 列表")],
)
def test_a_broken_json_file_is_refused(admin_user, data, message):
    result = import_catalogue(actor=admin_user, data=data, filename="c.json", commit=True)
    assert message in str(result.problems[0]) and not Indicator.objects.exists()


def test_only_the_system_admin_imports_a_catalogue(shenyang, province):
    for who in (shenyang, province):
        with pytest.raises(PermissionDenied):
            _import(who, [TRADE])
    assert not Indicator.objects.exists()


def test_a_cycle_is_also_refused_when_one_indicator_is_edited(admin_user):
    _import(admin_user, [TRADE, EXPORT, _with(SHARE, 指标代码="A_X", 计算公式="TRADE * 2")])
    save_indicator(
        actor=admin_user, code="B_X", name="乙", unit_of_measure="%", source="formula", formula="A_X + 1",
        unit_aggregation="none",
    )  # fmt: skip
    a = Indicator.objects.get(code="A_X")
    with pytest.raises(ValidationError, match="循环引用"):
        save_indicator(actor=admin_user, code="A_X", expected_version=a.version, formula="B_X * 2")
