"""The demo set: consistent with the published province totals, idempotent, June left for the round."""

import datetime
from decimal import Decimal as D

import pytest

from kaifang.indicators.demo import CITIES, load_indicators_demo, planned_value
from kaifang.indicators.models import DataValue, Indicator, Target
from kaifang.indicators.selectors import aggregate, ranking
from kaifang.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db

MAY, JUNE = datetime.date(2018, 5, 1), datetime.date(2018, 6, 1)


@pytest.fixture
def demo(db):
    return load_indicators_demo()


def _planned_h1_2018_fdi_is_the_published_32_1_yi_dollars(demo):
    assert sum(planned_value("FDI", city, JUNE) for city in CITIES) == D(321000)  # type: ignore[misc]
    assert sum(planned_value("FIE_NEW", city, JUNE) for city in CITIES) == D(240)  # type: ignore[misc]
    assert Target.objects.get(indicator__code="FDI", unit__code="210000", year=2018).annual == D(613000)


def _fdi_tiers_and_year_on_year_directions_follow_the_published_h1(demo):
    h1 = {c: planned_value("FDI", c, JUNE) for c in CITIES}
    last = {c: planned_value("FDI", c, datetime.date(2017, 6, 1)) for c in CITIES}
    assert {c for c in CITIES if h1[c] > 10000} == {"210200", "210100", "211100", "210800"}
    assert {c for c in CITIES if h1[c] < 2000} == {"210400", "210600", "211000", "210300"}
    assert {c for c in CITIES if h1[c] < last[c]} == {"210400", "211000", "210300", "211400", "210200"}


def _2017_trade_is_about_998_yi_dollars_in_yuan(demo, province):
    december = datetime.date(2017, 12, 1)
    figure = aggregate(
        user=province,
        indicator=Indicator.objects.get(code="TRADE"),
        unit=province.unit,
        period_from=december,
        period_to=december,
    )
    assert abs(figure.ytd_value - D("998.1") * D("6.75")) <= D("0.01")  # 6,737.18 亿元  # type: ignore[operator]


def _june_2018_is_left_for_the_reporting_round_and_may_is_loaded(demo):
    assert not DataValue.objects.filter(period=JUNE).exists()
    hunnan = OrgUnit.objects.get(code="210112")
    assert DataValue.objects.filter(unit=hunnan, period=MAY, indicator__code="FDI").exists()


def _some_cities_report_their_own_figures_and_the_others_are_summed(demo, province):
    fdi = Indicator.objects.get(code="FDI")
    rows = {r.unit.code: r for r in ranking(user=province, indicator=fdi, group_or_parent=province.unit, period=MAY)}
    assert rows["210200"].basis == "reported" and rows["210100"].basis == "sum_of_children"
    assert rows["210200"].rank in (1, 2) and rows["210100"].rank in (1, 2)


def test_loading_twice_adds_nothing(demo):
    again = load_indicators_demo()
    assert again == {"targets": 0, "values": 0}


def _ytd_is_the_sum_of_the_months(demo):
    hunnan = OrgUnit.objects.get(code="210112")
    rows = list(DataValue.objects.filter(unit=hunnan, indicator__code="EXPORT", period__year=2017).order_by("period"))
    assert sum(r.month_value for r in rows) == rows[-1].ytd_value == rows[-1].reported


def test_the_demo_is_consistent_with_the_published_province_totals(demo, province):
    """One load, every check (the load takes a few seconds)."""
    _planned_h1_2018_fdi_is_the_published_32_1_yi_dollars(demo)
    _fdi_tiers_and_year_on_year_directions_follow_the_published_h1(demo)
    _2017_trade_is_about_998_yi_dollars_in_yuan(demo, province)
    _june_2018_is_left_for_the_reporting_round_and_may_is_loaded(demo)
    _some_cities_report_their_own_figures_and_the_others_are_summed(demo, province)
    _ytd_is_the_sum_of_the_months(demo)
