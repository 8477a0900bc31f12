"""Targets from Excel: the hand-down template, a dry run that shows a unit's target beside the sum of
its children's, an all-or-nothing apply through `set_target`, and a hostile corpus."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kaifang.core.spreadsheets import read_workbook
from kaifang.core.testing import xlsx_bytes
from kaifang.indicators.models import Target
from kaifang.indicators.services.catalogue_files import adopt_starter_catalogue
from kaifang.indicators.services.target_files import COLUMNS, SHEET, import_targets, target_template
from kaifang.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(admin_user):
    adopt_starter_catalogue(actor=admin_user)


def row(unit: str, indicator: str, annual, *months, year=2019) -> list:
    return [year, unit, "", indicator, "", "", annual, *months]


def _import(actor, rows, commit=True, **kw):
    data = xlsx_bytes({SHEET: [COLUMNS, *rows]}, **kw)
    return import_targets(actor=actor, data=data, filename="targets.xlsx", commit=commit)


def test_the_template_lists_the_unit_and_its_children_for_every_target_indicator(catalogue, province):
    book = read_workbook(
        target_template(user=province, parent=OrgUnit.objects.get(code="210000"), year=2019), filename="t.xlsx"
    )
    rows = book.sheet(SHEET).rows
    assert rows[0][: len(COLUMNS)] == COLUMNS
    fdi_units = [r[1] for r in rows[1:] if r[3] == "FDI"]
    # The province itself, its 14 cities, and the provincial departments of the test tree.
    assert fdi_units[0] == "210000" and "210100" in fdi_units and "210200" in fdi_units
    assert not any(r[3] in ("EXPORT_SHARE", "TRADE_GROWTH", "FDI_GROWTH") for r in rows[1:])  # formulas: no target


def test_the_dry_run_shows_the_province_against_the_sum_of_its_cities(catalogue, admin_user):
    # The province's own total is the system administrator's to set (a supervisor sets the cities').
    rows = [row("210000", "FDI", 10000), row("210100", "FDI", 3000), row("210200", "FDI", 4500)]
    result = _import(admin_user, rows, commit=False)
    assert result.ok and len(result.new) == 3 and not Target.objects.exists()
    gap = next(g for g in result.gaps if g.unit.code == "210000")
    # 3,000 + 4,500 = 7,500 handed down of 10,000: 2,500 short; 2 of the 14 cities have a target.
    assert (gap.own, gap.children_sum, gap.difference) == (Decimal(10000), Decimal(7500), Decimal(-2500))
    assert (gap.with_target, gap.children) == (2, 14)


def test_a_city_hands_down_to_its_counties_and_may_not_touch_another_city(catalogue, province, shenyang):
    _import(province, [row("210100", "FDI", 3000)])
    result = _import(shenyang, [row("210112", "FDI", 1200), row("210103", "FDI", 900)])
    assert result.committed
    gap = next(g for g in result.gaps if g.unit.code == "210100")
    # 1,200 + 900 = 2,100 of the city's 3,000: 900 not yet handed down.
    assert (gap.own, gap.children_sum, gap.difference, gap.with_target) == (
        Decimal(3000),
        Decimal(2100),
        Decimal(-900),
        2,
    )
    target = Target.objects.get(unit__code="210112", indicator__code="FDI", year=2019)
    assert target.set_by.code == "210100"
    refused = _import(shenyang, [row("210112", "FDI", 1300), row("210211", "FDI", 500)])
    assert [str(p) for p in refused.problems] == [f"工作表「{SHEET}」第3行B列：您无权为“甘井子区”下达目标。"]
    target.refresh_from_db()
    assert target.annual == Decimal(1200)  # the good row was not applied either


def test_phasing_is_checked_and_a_rerun_changes_nothing(catalogue, province):
    months = [100 * m for m in range(1, 13)]  # cumulative 100, 200, … 1,200
    first = _import(province, [row("210100", "EXPORT", 1200, *months)])
    assert first.committed
    assert Target.objects.get(unit__code="210100", indicator__code="EXPORT").monthly[2] == "300"
    again = _import(province, [row("210100", "EXPORT", 1200, *months)])
    assert again.committed and again.new == [] and again.changed == [] and len(again.unchanged) == 1
    bad = _import(province, [row("210100", "EXPORT", 1300, *months)])
    assert "12 月的累计目标应等于年度目标" in str(bad.problems[0]) and "第2行H列" in str(bad.problems[0])


HOSTILE = {
    "wrong_unit": ([row("210100", "FDI", 1), row("219999", "FDI", 5)], "第3行B列", "单位代码“219999”不存在"),
    "unknown_indicator": ([row("210100", "FDI", 1), row("210100", "GDP", 5)], "第3行D列", "指标代码“GDP”不存在"),
    "formula_indicator": ([row("210100", "FDI", 1), row("210100", "EXPORT_SHARE", 5)], "第3行D列", "公式计算指标"),
    "negative": ([row("210100", "FDI", 1), row("210200", "FDI", -5)], "第3行G列", "不能为负数"),
    "text": ([row("210100", "FDI", 1), row("210200", "FDI", "五百")], "第3行G列", "应为数字"),
    "duplicate": ([row("210100", "FDI", 1), row("210100", "FDI", 2)], "第3行B列", "与第 2 行重复"),
    "bad_year": ([row("210100", "FDI", 1), row("210200", "FDI", 2, year="19")], "第3行A列", "年度“19”不正确"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_target_files_are_refused_by_row_and_nothing_is_applied(catalogue, province, case):
    rows, where, message = HOSTILE[case]
    result = _import(province, rows)
    texts = [str(p) for p in result.problems]
    assert any(t.startswith(f"工作表「{SHEET}」{where}") and message in t for t in texts), texts
    assert not Target.objects.exists()


def test_a_formula_cell_is_refused(catalogue, province):
    result = _import(province, [row("210100", "FDI", 1)], formula_at=(SHEET, 2, 6))
    assert "单元格 G2 含公式" in str(result.problems[0]) and not Target.objects.exists()


def test_a_county_reporter_sets_no_target(catalogue, hunnan):
    result = _import(hunnan, [row("210112", "FDI", 1)])
    assert "您无权为“浑南区”下达目标" in str(result.problems[0]) and not Target.objects.exists()
