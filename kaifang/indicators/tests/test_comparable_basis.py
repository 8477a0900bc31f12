"""Comparable basis (可比口径): a sum of only some children is marked n of m and compared like for like.

The worked case (DESIGN.md "Comparable basis"): 朝阳市 has 7 counties; by March 2018 five of them
reported their trade (year to date, 亿元):

    双塔区 10.00 · 龙城区 12.50 · 朝阳县 8.41 · 建平县 11.00 · 喀左县 12.00      → 53.91 (5 of 7)
    March 2017, the same five: 9.00 · 11.00 · 8.00 · 10.00 · 10.17              → 48.17
    March 2017, the other two (北票市 5.83, 凌源市 5.80)                          → +11.63 = 59.80

Against last year's seven-county 59.80 the city would be 53.91 / 59.80 − 1 = −9.8%: a fall that is
only the two missing counties. Like for like it is 53.91 / 48.17 − 1 = 5.74 / 48.17 = +11.9%.
"""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import translation

from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.maths import NOT_COMPARABLE
from kaifang.indicators.selectors import aggregate, children_figures, figures, ranking
from kaifang.indicators.services import save_values as save_through_the_door
from kaifang.indicators.services.targets import set_target
from kaifang.indicators.tests.factories import make_indicator, open_figures
from kaifang.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db

MAR, MAR_2017 = datetime.date(2018, 3, 1), datetime.date(2017, 3, 1)
THIS_YEAR = {"211302": "10.00", "211303": "12.50", "211321": "8.41", "211322": "11.00", "211324": "12.00"}
LAST_YEAR = {
    "211302": "9.00",
    "211303": "11.00",
    "211321": "8.00",
    "211322": "10.00",
    "211324": "10.17",
    "211381": "5.83",
    "211382": "5.80",
}


def save_values(*, actor, unit, period, entries):
    """The figures of a month whose round is open for them (the window the one door asks for)."""
    open_figures([e.indicator_code for e in entries], [unit], period)
    return save_through_the_door(actor=actor, unit=unit, period=period, entries=entries)


@pytest.fixture(autouse=True)
def in_chinese():
    """Labels are asserted in the source language, whatever an earlier test left active."""
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def trade(db):
    return make_indicator("T_TRADE", name="进出口总额", unit_of_measure="亿元")


@pytest.fixture
def chaoyang(trade, province):
    """朝阳市 with 5 of 7 counties reported in March 2018 and all 7 in March 2017; target 240."""
    for period, values in ((MAR, THIS_YEAR), (MAR_2017, LAST_YEAR)):
        for code, value in values.items():
            unit = OrgUnit.objects.get(code=code)
            save_values(actor=province, unit=unit, period=period, entries=[ValueEntry("T_TRADE", D(value))])
    city = OrgUnit.objects.get(code="211300")
    set_target(actor=province, indicator=trade, unit=city, year=2018, annual="240")
    return city


def test_a_partial_sum_is_compared_with_the_same_children_a_year_earlier(trade, province, chaoyang):
    f = aggregate(user=province, indicator=trade, unit=chaoyang, period_from=MAR, period_to=MAR)
    assert f.ytd_value == D("53.91")  # 10.00 + 12.50 + 8.41 + 11.00 + 12.00
    assert (f.reporting, f.children, f.partial) == (5, 7, True)
    assert f.last_year_ytd == D("48.17")  # 9.00 + 11.00 + 8.00 + 10.00 + 10.17, the same five
    assert f.last_year_full_ytd == D("59.80")  # 48.17 + 5.83 + 5.80, all seven
    assert f.yoy == D("5.74") / D("48.17")  # +11.9%, not 53.91 / 59.80 − 1 = −9.8%
    assert f"{f.yoy * 100:.1f}" == "11.9"
    assert f.coverage_text == "5/7 已报"
    assert f.basis_label == "可比口径：5/7个下级已报，同比按相同5个单位计算"


def test_completion_is_still_against_the_full_target(trade, province, chaoyang):
    f = aggregate(user=province, indicator=trade, unit=chaoyang, period_from=MAR, period_to=MAR)
    assert f.completion == D("53.91") / D("240")  # 22.5% of the city's whole target, marked partial
    assert f.partial


def test_when_every_child_reported_nothing_changes(trade, province, chaoyang):
    for code, value in (("211381", "6.00"), ("211382", "6.09")):
        save_values(
            actor=province, unit=OrgUnit.objects.get(code=code), period=MAR, entries=[ValueEntry("T_TRADE", D(value))]
        )
    f = aggregate(user=province, indicator=trade, unit=chaoyang, period_from=MAR, period_to=MAR)
    assert f.ytd_value == D("66.00")  # 53.91 + 6.00 + 6.09
    assert (f.reporting, f.children, f.partial) == (7, 7, False)
    assert f.last_year_ytd == f.last_year_full_ytd == D("59.80")
    assert f.yoy == D("6.20") / D("59.80")  # 66.00 / 59.80 − 1 = +10.4%
    assert f.basis_label == "下级汇总"


def test_the_province_above_a_partial_city_is_partial_too(trade, province, chaoyang):
    """Only 朝阳's counties have figures: the province is the sum of 1 of 14 cities, and that city
    is itself partial, so the province's base is 朝阳's comparable base, 48.17."""
    f = aggregate(user=province, indicator=trade, unit=province.unit, period_from=MAR, period_to=MAR)
    assert f.ytd_value == D("53.91")
    assert (f.reporting, f.children, f.incomplete) == (1, 14, 1)
    assert f.last_year_ytd == D("48.17") and f.last_year_full_ytd == D("59.80")
    assert f.basis_label == "可比口径：1/14个下级已报（其中1个本身未报齐），同比按相同范围计算"


def test_a_child_without_last_years_figure_is_named(trade, province, chaoyang):
    """龙城区 reported this year but its 2017 row is withdrawn: the base is the other four,
    9.00 + 8.00 + 10.00 + 10.17 = 37.17, and the label says one of the five has no base."""
    save_values(
        actor=province,
        unit=OrgUnit.objects.get(code="211303"),
        period=MAR_2017,
        entries=[ValueEntry("T_TRADE", None, expected_version=1)],
    )
    f = aggregate(user=province, indicator=trade, unit=chaoyang, period_from=MAR, period_to=MAR)
    assert f.last_year_ytd == D("37.17")
    assert f.base_reporting == 4
    assert f.basis_label.endswith("（其中1个上年无数据）")


def test_a_unit_with_no_figure_is_missing_and_ranked_last_as_such(trade, province, chaoyang):
    rows = ranking(user=province, indicator=trade, group_or_parent=chaoyang, period=MAR)
    assert [r.unit.code for r in rows[-2:]] == ["211381", "211382"]
    assert [(r.rank, r.basis_label) for r in rows[-2:]] == [(None, "未报"), (None, "未报")]
    assert [r.rank for r in rows[:5]] == [1, 2, 3, 4, 5]  # 12.50, 12.00, 11.00, 10.00, 8.41
    assert rows[0].unit.code == "211303"


def test_the_cities_ranking_marks_the_partial_city(trade, province, chaoyang):
    rows = ranking(user=province, indicator=trade, group_or_parent=province.unit, period=MAR)
    first = rows[0]
    assert first.unit == chaoyang and first.rank == 1 and first.coverage_text == "5/7 已报" and first.partial
    assert all(r.rank is None and r.basis_label == "未报" for r in rows[1:])
    assert len(rows) == 14  # nobody dropped


def test_another_countys_user_sees_nothing_of_the_neighbour(trade, hunnan, chaoyang):
    with pytest.raises(Exception) as caught:
        aggregate(user=hunnan, indicator=trade, unit=chaoyang, period_from=MAR, period_to=MAR)
    assert caught.typename == "Http404"
    with pytest.raises(Exception):
        children_figures(user=hunnan, indicator=trade, unit=chaoyang, period_from=MAR, period_to=MAR)


def test_figures_for_several_units_share_the_comparable_bases(trade, province, chaoyang):
    """The explorer's call: the city and its counties at once; each county is its own report."""
    rows = figures(trade, [chaoyang, *OrgUnit.objects.filter(parent=chaoyang).order_by("code")], MAR, MAR)
    assert rows[0].last_year_ytd == D("48.17")
    assert rows[1].yoy == D("1.00") / D("9.00")  # 双塔区 10.00 against 9.00
    assert rows[-1].yoy is NOT_COMPARABLE and rows[-1].basis == "missing"  # 凌源市: no figure this year


def test_the_explorer_page_names_the_basis_and_the_missing_counties(trade, client_for, province, hunnan, chaoyang):
    url = "/indicators/?indicator=T_TRADE&unit=211300&from=2018-01&to=2018-03"
    page = client_for(province).get(url).content.decode()
    assert 'id="partial-notice"' in page and "不完整 · 5/7 已报" in page
    assert "未报：北票市、凌源市。" in page  # named, not just counted
    assert "可比口径：5/7个下级已报，同比按相同5个单位计算" in page
    assert "+11.9%" in page and "-9.8%" not in page  # 53.91 / 48.17 − 1, not 53.91 / 59.80 − 1
    assert "48.17" in page and "59.80" in page  # both bases, each named
    assert page.count('<tr class="missing" ') == 2
    assert client_for(hunnan).get(url).status_code == 404
    own = client_for(hunnan).get("/indicators/?indicator=T_TRADE").content.decode()
    assert "朝阳" not in own and "北票" not in own
