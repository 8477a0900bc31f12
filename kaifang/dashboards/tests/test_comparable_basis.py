"""The cockpit marks partial sums (n/m 已报, 可比口径) and units with no figure (未报) in its cards,
map data and ranking, and never drops a unit from the ranking.

朝阳市 (7 counties): five counties reported trade by March 2018, 10.00 + 12.50 + 8.41 + 11.00 + 12.00
= 53.91 against a city target of 240 → completion 53.91 / 240 = 22.4625% → 22.5; the same five
counties a year earlier: 9.00 + 11.00 + 8.00 + 10.00 + 10.17 = 48.17, so the city's year on year is
53.91 / 48.17 − 1 = +11.9% (not 53.91 / 59.80 − 1 = −9.8% against all seven). 北票市 and 凌源市
have no figure: 未报. Counties' targets: 双塔区 50 → 10.00 / 50 = 20.0%; 龙城区 50 → 12.50 / 50 = 25.0%.
"""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.utils import translation

from kaifang.dashboards.selectors import cards, map_data
from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.models import Target
from kaifang.indicators.services import save_values as save_through_the_door
from kaifang.indicators.tests.factories import make_indicator, open_figures
from kaifang.orgs.models import OrgUnit

MAR, MAR_2017 = datetime.date(2018, 3, 1), datetime.date(2017, 3, 1)
THIS_YEAR = {"211302": "10.00", "211303": "12.50", "211321": "8.41", "211322": "11.00", "211324": "12.00"}
LAST_YEAR = {**{"211381": "5.83", "211382": "5.80"}, "211302": "9.00", "211303": "11.00", "211321": "8.00"}
LAST_YEAR.update({"211322": "10.00", "211324": "10.17"})


def save_values(*, actor, unit, period, entries):
    """The figures of a month whose round is open for them (the window the one door asks for)."""
    open_figures([e.indicator_code for e in entries], [unit], period)
    return save_through_the_door(actor=actor, unit=unit, period=period, entries=entries)


@pytest.fixture(autouse=True)
def demo_today(settings):
    settings.KAIFANG_DEMO_TODAY = "2018-07-05"


@pytest.fixture(autouse=True)
def in_chinese():
    """Labels are asserted in the source language, whatever an earlier test left active."""
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def chaoyang(db, province):
    trade = make_indicator("T_TRADE", name="进出口总额", unit_of_measure="亿元")
    for period, values in ((MAR, THIS_YEAR), (MAR_2017, LAST_YEAR)):
        for code, value in values.items():
            unit = OrgUnit.objects.get(code=code)
            save_values(actor=province, unit=unit, period=period, entries=[ValueEntry("T_TRADE", D(value))])
    city = OrgUnit.objects.get(code="211300")
    for unit, annual in ((city, "240"), *((OrgUnit.objects.get(code=c), "50") for c in ("211302", "211303"))):
        Target.objects.create(indicator=trade, unit=unit, year=2018, annual=D(annual))
    return city


def test_the_city_card_is_marked_partial_with_the_like_for_like_growth(chaoyang):
    card = cards(chaoyang, MAR)[0]
    assert (card.ytd, card.completion) == ("53.91", "22.5%")  # 53.91 / 240, still against the full target
    assert card.yoy == "+11.9%"  # 53.91 / 48.17 − 1, the same five counties
    assert (card.status, card.coverage) == ("partial", "5/7 已报")
    assert card.basis == "可比口径：5/7个下级已报，同比按相同5个单位计算"


def test_the_map_data_marks_partial_and_missing_units(chaoyang, province):
    data = map_data(province, province.unit, MAR, "T_TRADE")
    city = next(r for r in data["regions"] if r["code"] == "211300")
    assert city["value"] == 22.5 and city["status"] == "partial" and city["coverage"] == "5/7 已报"
    assert "不完整：5/7 已报" in city["label"]
    counties = map_data(province, chaoyang, MAR, "T_TRADE")
    beipiao = next(r for r in counties["regions"] if r["code"] == "211381")
    assert beipiao["value"] is None and beipiao["status"] == "missing" and beipiao["label"] == "未报"
    shuangta = next(r for r in counties["regions"] if r["code"] == "211302")
    assert shuangta["value"] == 20.0 and shuangta["status"] == ""  # 10.00 / 50


def test_the_ranking_lists_units_without_a_figure_last_as_missing(chaoyang, province):
    ranking = map_data(province, chaoyang, MAR, "T_TRADE")["ranking"]
    assert len(ranking) == 7  # nobody dropped
    assert [(r["name"], r["rank"], r["value"]) for r in ranking[:2]] == [("龙城区", 1, 25.0), ("双塔区", 2, 20.0)]
    # the other three reported counties have no target: no completion, so they follow unranked too
    assert [r["rank"] for r in ranking[2:]] == [None] * 5
    assert [r["text"] for r in ranking[2:5]] == ["无目标"] * 3
    missing = [r["name"] for r in ranking if r["status"] == "missing"]
    assert missing == ["北票市", "凌源市"] and all(r["text"] == "未报" for r in ranking if r["status"] == "missing")
    cities = map_data(province, province.unit, MAR, "T_TRADE")["ranking"]
    assert cities[0]["name"] == "朝阳市" and cities[0]["rank"] == 1 and cities[0]["text"] == "不完整 · 5/7 已报"
    assert len(cities) == 14


def test_the_pages_and_data_say_so_and_another_county_sees_nothing(chaoyang, client_for, province, hunnan):
    page = client_for(province).get("/dashboards/units/211300/?period=2018-03").content.decode()
    assert "不完整 · 5/7 已报" in page and "+11.9% · 可比口径" in page
    data = client_for(province).get("/dashboards/data/211300.json?period=2018-03&metric=T_TRADE").json()
    assert {r["code"]: r["status"] for r in data["regions"]}["211382"] == "missing"
    assert client_for(hunnan).get("/dashboards/units/211300/?period=2018-03").status_code == 404
    assert client_for(hunnan).get("/dashboards/data/211300.json?period=2018-03&metric=T_TRADE").status_code == 404
    own = client_for(hunnan).get("/dashboards/").content.decode()
    assert "朝阳" not in own and "5/7" not in own
