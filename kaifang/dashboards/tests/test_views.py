"""The cockpit: scoped pages and data, the map's regions carry the score and a link to its breakdown."""

from __future__ import annotations

import pytest

from kaifang.assessment.tests.conftest import two_cities  # noqa: F401 (fixture)


@pytest.fixture(autouse=True)
def demo_today(settings):
    settings.KAIFANG_DEMO_TODAY = "2018-07-05"


def test_the_province_cockpit_colours_cities_by_score_and_links_to_the_breakdown(two_cities, client_for, province):  # noqa: F811
    page = client_for(province).get("/dashboards/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "对外开放工作驾驶舱" in text and "2018年1-6月" in text and 'id="map-urls"' in text
    assert "<script>" not in text.replace('<script type="application/json"', "")
    data = client_for(province).get("/dashboards/data/210000.json?period=2018-06&metric=score").json()
    assert data["metric"] == "score" and len(data["regions"]) == 14
    shenyang = next(r for r in data["regions"] if r["code"] == "210100")
    assert shenyang["value"] == 94.0 and shenyang["drill"]
    assert shenyang["score_url"] == "/assessment/schemes/KH-TWO/2018-06/units/210100/"
    assert [r["name"] for r in data["ranking"]] == ["大连市", "沈阳市"]


def test_a_city_officer_sees_its_own_city_and_not_the_province(two_cities, client_for, shenyang):  # noqa: F811
    assert client_for(shenyang).get("/dashboards/data/210000.json").status_code == 404
    data = client_for(shenyang).get("/dashboards/data/210100.json?period=2018-06").json()
    assert data["map"] == "210100" and {r["code"][:4] for r in data["regions"]} == {"2101"}
    assert data["metric"] == "T_FDI"  # no scheme ranks Shenyang's counties: completion instead
    page = client_for(shenyang).get("/dashboards/").content.decode()
    assert "沈阳市 · " in page and "本单位考核得分" in page


def test_a_county_reporter_sees_only_its_own_county(two_cities, client_for, hunnan):  # noqa: F811
    assert client_for(hunnan).get("/dashboards/").status_code == 200
    assert client_for(hunnan).get("/dashboards/units/210100/").status_code == 404
    assert client_for(hunnan).get("/dashboards/data/210100.json").status_code == 404
    assert client_for(hunnan).get("/dashboards/units/210112/").status_code == 200
