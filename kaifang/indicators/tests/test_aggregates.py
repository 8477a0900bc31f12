"""Aggregates: parent sum vs parent-reported (and which), averages, coverage, yoy, formulas, ranking."""

import datetime
from decimal import Decimal as D

import pytest
from django.http import Http404

from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.maths import NOT_COMPARABLE
from kaifang.indicators.selectors import aggregate, children_figures, ranking, series
from kaifang.indicators.services import save_values
from kaifang.indicators.services.targets import set_target
from kaifang.indicators.tests.factories import make_indicator, open_figures
from kaifang.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = (datetime.date(2018, m, 1) for m in (1, 2, 3))
MAR_2017 = datetime.date(2017, 3, 1)


def put(actor, unit, period, **values):
    open_figures(values, [unit], period)  # as a round asking for these figures would
    save_values(actor=actor, unit=unit, period=period, entries=[ValueEntry(c, D(v)) for c, v in values.items()])


@pytest.fixture
def export(db):
    return make_indicator("T_EXPORT")


@pytest.fixture
def shenyang_unit(shenyang):
    return shenyang.unit


def test_a_city_that_did_not_report_is_the_sum_of_its_counties(export, province, hunnan, shenhe, shenyang_unit):
    put(hunnan, hunnan.unit, MAR, T_EXPORT="400")
    put(shenhe, shenhe.unit, MAR, T_EXPORT="250.5")
    figure = aggregate(user=province, indicator=export, unit=shenyang_unit, period_from=MAR, period_to=MAR)
    assert figure.ytd_value == D("650.5")
    # 2 of 13 counties reported: a partial sum, labelled as compared like for like (可比口径)
    assert figure.basis == "sum_of_children" and figure.basis_label == "可比口径：2/13个下级已报，同比按相同2个单位计算"
    counties = OrgUnit.objects.current(MAR).filter(parent=shenyang_unit, kind="county").count()
    assert (figure.reporting, figure.children) == (2, counties)


def test_a_city_that_reported_its_own_figure_uses_it(export, province, hunnan, shenyang, shenyang_unit):
    put(hunnan, hunnan.unit, MAR, T_EXPORT="400")
    put(shenyang, shenyang_unit, MAR, T_EXPORT="5000")
    figure = aggregate(user=province, indicator=export, unit=shenyang_unit, period_from=MAR, period_to=MAR)
    assert figure.ytd_value == D("5000") and figure.basis == "reported" and figure.basis_label == "本级填报"


def test_the_province_adds_reported_cities_and_summed_ones(export, province, hunnan, shenhe, dalian, ganjingzi):
    put(hunnan, hunnan.unit, MAR, T_EXPORT="400")
    put(shenhe, shenhe.unit, MAR, T_EXPORT="100")
    put(ganjingzi, ganjingzi.unit, MAR, T_EXPORT="999")  # ignored: 大连 reports its own
    put(dalian, dalian.unit, MAR, T_EXPORT="3000")
    figure = aggregate(user=province, indicator=export, unit=province.unit, period_from=MAR, period_to=MAR)
    assert figure.ytd_value == D("3500")  # 3000 (大连, reported) + 400 + 100 (沈阳, summed)
    assert figure.basis == "sum_of_children"
    assert figure.reporting == 2 and figure.children == 14


def test_month_values_and_range_sums_follow_from_ytd(export, province, hunnan):
    for period, ytd in ((JAN, "120"), (FEB, "250"), (MAR, "400")):
        put(hunnan, hunnan.unit, period, T_EXPORT=ytd)
    figure = aggregate(user=province, indicator=export, unit=hunnan.unit.parent, period_from=FEB, period_to=MAR)
    assert figure.month_value == D("150")
    assert figure.range_value == D("280")  # 130 + 150
    assert [
        c.month_value
        for _p, c in series(user=province, indicator=export, unit=hunnan.unit, period_from=JAN, period_to=MAR)
    ] == [D(120), D(130), D(150)]


def test_worked_example_figures_with_target_and_last_year(export, province, hunnan):
    for period, ytd in ((JAN, "120"), (FEB, "250"), (MAR, "400"), (MAR_2017, "320")):
        put(hunnan, hunnan.unit, period, T_EXPORT=ytd)
    set_target(actor=province, indicator=export, unit=hunnan.unit, year=2018, annual="1800")
    figure = aggregate(user=hunnan, indicator=export, unit=hunnan.unit, period_from=JAN, period_to=MAR)
    assert figure.yoy == D("0.25")
    assert figure.completion.quantize(D("0.001")) == D("0.222")  # type: ignore[union-attr]
    assert figure.time_progress == D("0.25")
    assert figure.progress_ratio.quantize(D("0.001")) == D("0.889")  # type: ignore[union-attr]
    assert figure.light == "yellow"


def test_a_missing_last_year_is_not_comparable(export, province, hunnan):
    put(hunnan, hunnan.unit, MAR, T_EXPORT="400")
    figure = aggregate(user=province, indicator=export, unit=hunnan.unit, period_from=MAR, period_to=MAR)
    assert figure.yoy is NOT_COMPARABLE and figure.light == "grey"


def test_averaged_indicators_average_the_children(province, hunnan, shenhe, shenyang_unit):
    rate = make_indicator(
        "T_RATE", name="利用率", unit_of_measure="%", unit_aggregation="average", time_aggregation="stock"
    )
    put(hunnan, hunnan.unit, MAR, T_RATE="80")
    put(shenhe, shenhe.unit, MAR, T_RATE="90")
    figure = aggregate(user=province, indicator=rate, unit=shenyang_unit, period_from=MAR, period_to=MAR)
    assert figure.ytd_value == D("85") and figure.basis == "average_of_children"


def test_non_aggregated_indicators_are_never_summed(province, hunnan, shenyang_unit):
    make_indicator(
        "T_RANK", name="营商环境排名", unit_of_measure="名", unit_aggregation="none", time_aggregation="stock"
    )
    put(hunnan, hunnan.unit, MAR, T_RANK="3")
    figure = aggregate(
        user=province,
        indicator=make_indicator("T_RANK", unit_aggregation="none", time_aggregation="stock", name="营商环境排名"),
        unit=shenyang_unit,
        period_from=MAR,
        period_to=MAR,
    )
    assert figure.ytd_value is None and figure.basis == "missing"


def test_a_share_formula_is_computed_from_the_summed_figures(province, hunnan, shenhe, shenyang_unit):
    make_indicator("T_EXPORT")
    make_indicator("T_TRADE", name="进出口总额")
    share = make_indicator(
        "T_SHARE", name="出口占比", unit_of_measure="%", source="formula", formula="share(T_EXPORT, T_TRADE) * 100"
    )
    put(hunnan, hunnan.unit, MAR, T_EXPORT="30", T_TRADE="100")
    put(shenhe, shenhe.unit, MAR, T_EXPORT="10", T_TRADE="100")
    figure = aggregate(user=province, indicator=share, unit=shenyang_unit, period_from=MAR, period_to=MAR)
    assert figure.ytd_value == D("20") and figure.basis == "formula"
    put(hunnan, hunnan.unit, JAN, T_EXPORT="5", T_TRADE="0")
    january = aggregate(user=province, indicator=share, unit=hunnan.unit, period_from=JAN, period_to=JAN)
    assert january.ytd_value is NOT_COMPARABLE


def test_children_figures_list_only_what_the_user_sees(export, shenyang, hunnan, shenhe):
    put(hunnan, hunnan.unit, MAR, T_EXPORT="400")
    top, rows = children_figures(user=shenyang, indicator=export, unit=shenyang.unit, period_from=MAR, period_to=MAR)
    assert top.ytd_value == D("400")
    assert hunnan.unit in [r.unit for r in rows]
    with pytest.raises(Http404):
        children_figures(user=shenhe, indicator=export, unit=shenyang.unit, period_from=MAR, period_to=MAR)
    with pytest.raises(Http404):
        aggregate(user=shenhe, indicator=export, unit=hunnan.unit, period_from=MAR, period_to=MAR)


def test_ranking_orders_the_cities_of_the_province_by_ytd(export, province, hunnan, dalian, shenyang):
    put(hunnan, hunnan.unit, MAR, T_EXPORT="400")
    put(dalian, dalian.unit, MAR, T_EXPORT="3000")
    rows = ranking(user=province, indicator=export, group_or_parent=province.unit, period=MAR)
    assert [(r.unit.code, r.rank) for r in rows[:2]] == [("210200", 1), ("210100", 2)]
    assert len(rows) == 14 and rows[2].rank is None
    only_own = ranking(user=shenyang, indicator=export, group_or_parent="G-CITIES", period=MAR)
    assert [r.unit.code for r in only_own] == ["210100"]


def test_a_dashboard_of_several_indicators_gives_the_same_figures_as_one_by_one(
    export, province, hunnan, shenhe, dalian
):
    from kaifang.indicators.selectors import children_figures_many

    make_indicator("T_TRADE", name="进出口总额")
    share = make_indicator("T_SHARE", name="出口占比", source="formula", formula="share(T_EXPORT, T_TRADE) * 100")
    put(hunnan, hunnan.unit, MAR, T_EXPORT="30", T_TRADE="100")
    put(shenhe, shenhe.unit, MAR, T_EXPORT="10", T_TRADE="100")
    put(dalian, dalian.unit, MAR, T_EXPORT="500", T_TRADE="900")
    indicators = [export, share, make_indicator("T_TRADE", name="进出口总额")]
    many = children_figures_many(
        user=province, indicators=indicators, unit=province.unit, period_from=JAN, period_to=MAR
    )
    for indicator in indicators:
        top, rows = children_figures(
            user=province, indicator=indicator, unit=province.unit, period_from=JAN, period_to=MAR
        )
        assert many[indicator.pk][0] == top and many[indicator.pk][1] == rows
    assert many[export.pk][0].ytd_value == D(540)


def test_value_for_and_series_are_guarded(export, hunnan, shenhe):
    from kaifang.indicators.selectors import value_for

    put(hunnan, hunnan.unit, MAR, T_EXPORT="400")
    row = value_for(user=hunnan, indicator=export, unit=hunnan.unit, period=MAR)
    assert row is not None and row.reported == D(400) and row.version == 1
    assert value_for(user=hunnan, indicator=export, unit=hunnan.unit, period=JAN) is None
    with pytest.raises(Http404):
        value_for(user=shenhe, indicator=export, unit=hunnan.unit, period=MAR)
    with pytest.raises(Http404):
        series(user=shenhe, indicator=export, unit=hunnan.unit, period_from=JAN, period_to=MAR)
