"""The assessment records which basis each indicator item used, and a growth item on a partial sum
uses the comparable base (DESIGN "Comparable basis").

朝阳市 (7 counties) did not report trade itself; by March 2018 five counties did:
10.00 + 12.50 + 8.41 + 11.00 + 12.00 = 53.91. March 2017, the same five: 9.00 + 11.00 + 8.00 +
10.00 + 10.17 = 48.17; all seven: 48.17 + 5.83 + 5.80 = 59.80. 大连市 reports its own: 110 against 100.

Growth item, weight 10, target +10%, cap 120%: points = 10 × min((1 + growth) / 1.1, 1.2).
  朝阳 like for like: 53.91 / 48.17 = 1.119161…; / 1.1 = 1.017419… → 10.17
  (against the seven-county 59.80 it would be 53.91 / 59.80 = 0.901505…; / 1.1 → 8.20)
  大连: 110 / 100 = 1.1; / 1.1 = 1 → 10.00
"""

import datetime
from decimal import Decimal as D

import pytest

from kaifang.assessment import services
from kaifang.assessment.selectors import assess
from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.services import save_values
from kaifang.indicators.tests.factories import make_indicator, open_figures
from kaifang.orgs.models import OrgUnit, UnitGroup

pytestmark = pytest.mark.django_db

MAR, MAR_2017 = datetime.date(2018, 3, 1), datetime.date(2017, 3, 1)
FIGURES = {
    MAR: {"211302": "10.00", "211303": "12.50", "211321": "8.41", "211322": "11.00", "211324": "12.00"}
    | {"210200": "110"},
    MAR_2017: {
        "211302": "9.00",
        "211303": "11.00",
        "211321": "8.00",
        "211322": "10.00",
        "211324": "10.17",
        "211381": "5.83",
        "211382": "5.80",
        "210200": "100",
    },
}


@pytest.fixture
def growth_scheme(db, province):
    trade = make_indicator("T_TRADE", name="进出口总额", unit_of_measure="亿元")
    for period, values in FIGURES.items():
        open_figures([trade], OrgUnit.objects.filter(code__in=values), period)
        for code, value in values.items():
            unit = OrgUnit.objects.get(code=code)
            save_values(actor=province, unit=unit, period=period, entries=[ValueEntry("T_TRADE", D(value))])
    group = UnitGroup.objects.create(code="G-CY", name="朝阳与大连")
    group.members.set(OrgUnit.objects.filter(code__in=["211300", "210200"]))
    scheme = services.create_scheme(
        actor=province,
        code="KH-CY",
        name="增速考核",
        year=2018,
        group=group,
        items=[
            {
                "code": "growth",
                "name": "进出口增速",
                "kind": "growth",
                "weight": "10",
                "indicator": "T_TRADE",
                "params": {"target_growth": "0.1", "cap": "1.2"},
            },
        ],
    )
    services.activate_scheme(actor=province, scheme=scheme)
    scheme.refresh_from_db()
    return scheme


def test_a_growth_item_on_a_partial_sum_uses_the_same_children_last_year(growth_scheme):
    item = assess(scheme=growth_scheme, period=MAR).outcome.unit("211300").item("growth")
    assert (D(item.inputs["current"]), D(item.inputs["base"])) == (D("53.91"), D("48.17"))
    assert item.points == D("10.17")  # not 8.20 against all seven counties' 59.80
    value, base = item.sources
    assert value["basis"] == "sum_of_children" and value["partial"] is True
    assert (value["reporting"], value["children"]) == (5, 7)
    assert value["note"] == "可比口径：5/7个下级已报，同比按相同5个单位计算"
    assert base["period"] == "2017-03" and base["comparable_base"] is True and base["basis"] == "comparable"
    assert base["note"] == "上年同期为相同5个下级之和（可比口径）"


def test_a_unit_reporting_its_own_figure_says_so(growth_scheme):
    item = assess(scheme=growth_scheme, period=MAR).outcome.unit("210200").item("growth")
    assert item.points == D("10.00")  # 110 / 100 = +10%, exactly the target
    assert [(s["basis"], s["note"]) for s in item.sources] == [("reported", "本级填报"), ("reported", "本级填报")]


def test_the_recorded_basis_does_not_follow_the_readers_language(growth_scheme, settings):
    from django.utils import translation

    with translation.override("en"):
        item = assess(scheme=growth_scheme, period=MAR).outcome.unit("211300").item("growth")
    assert item.sources[0]["note"].startswith("可比口径")  # stored in the source language, like every note
