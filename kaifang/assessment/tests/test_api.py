"""/api/v1/assessment: scoped results whose totals are the sum of their items; publishing rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kaifang.assessment.models import AssessmentSnapshot


def test_results_list_each_unit_with_items_whose_points_add_up_to_the_total(two_cities, client_for, province):
    data = client_for(province).get("/api/v1/assessment/schemes/KH-TWO/results?period=2018-06").json()
    assert data["published"] is False and data["group_size"] == 2
    assert [(u["code"], u["total"], u["rank"]) for u in data["units"]] == [
        ("210200", "110.00", 1),
        ("210100", "94.00", 2),
    ]
    for unit in data["units"]:
        assert Decimal(unit["total"]) == sum(Decimal(i["points"]) for i in unit["items"])
        fdi = unit["items"][0]
        assert fdi["formula"].startswith("完成率÷时序进度×60分") and "actual" in fdi["inputs"]


def test_a_city_gets_only_its_own_row_and_a_county_none(two_cities, client_for, shenyang, hunnan):
    data = client_for(shenyang).get("/api/v1/assessment/schemes/KH-TWO/results?period=2018-06").json()
    assert [u["code"] for u in data["units"]] == ["210100"] and data["units"][0]["rank"] == 2
    assert client_for(hunnan).get("/api/v1/assessment/schemes/KH-TWO/results?period=2018-06").json()["units"] == []
    assert client_for(hunnan).get("/api/v1/assessment/schemes/KH-TWO/results?period=2017-06").status_code == 400


def test_publishing_through_the_api_is_for_the_province_and_freezes_the_result(
    two_cities, client_for, province, shenyang
):
    response = client_for(shenyang).post(
        "/api/v1/assessment/schemes/KH-TWO/publish", {"period": "2018-06"}, content_type="application/json"
    )
    assert response.status_code == 403 and not AssessmentSnapshot.objects.exists()
    response = client_for(province).post(
        "/api/v1/assessment/schemes/KH-TWO/publish", {"period": "2018-06"}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["number"] == 1
    again = client_for(province).post(
        "/api/v1/assessment/schemes/KH-TWO/publish",
        {"period": "2018-06", "reason": "再发"},
        content_type="application/json",
    )
    assert again.status_code == 400 and "无需重新发布" in str(again.json()["detail"])
    snapshot_id = response.json()["id"]
    frozen = client_for(shenyang).get(f"/api/v1/assessment/snapshots/{snapshot_id}").json()
    assert frozen["published"] and [u["code"] for u in frozen["units"]] == ["210100"]
    inputs = client_for(shenyang).get(f"/api/v1/assessment/snapshots/{snapshot_id}/inputs").json()
    assert [u["code"] for u in inputs["units"]] == ["210100"]


def test_anonymous_callers_get_401(two_cities, client):
    assert client.get("/api/v1/assessment/schemes").status_code == 401


def test_a_bulletin_is_requested_through_the_api_and_downloaded_when_done(two_cities, client_for, province, shenyang):
    payload = {"scheme": "KH-TWO", "period": "2018-06", "kind": "quarterly", "format": "xlsx"}
    assert (
        client_for(shenyang).post("/api/v1/assessment/bulletins", payload, content_type="application/json").status_code
        == 403
    )
    response = client_for(province).post("/api/v1/assessment/bulletins", payload, content_type="application/json")
    assert response.status_code == 201
    bulletin = response.json()
    assert bulletin["status"] == "done" and bulletin["progress"] == 100
    assert bulletin["title"] == "关于2018年第二季度全省对外开放工作考核情况的通报"
    assert client_for(province).get(bulletin["download_url"]).status_code == 200
    assert client_for(shenyang).get(f"/api/v1/assessment/bulletins/{bulletin['id']}").status_code == 404
    bad = {**payload, "period": "2018-05"}
    response = client_for(province).post("/api/v1/assessment/bulletins", bad, content_type="application/json")
    assert response.status_code == 400 and "季度" in str(response.json()["detail"])


# --- Simulation (模拟测算) of a draft version; numbers worked out in test_simulation.py -------------

SIMULATE = "/api/v1/assessment/schemes/KH-SIM/versions/2/simulate"


def test_the_province_simulates_a_draft_beside_the_version_in_use(sim_versions, client_for, province):
    response = client_for(province).get(SIMULATE + "?period=2018-06")
    assert response.status_code == 200
    data = response.json()
    assert (data["notice"], data["published"], data["period"]) == ("模拟测算，不发布、不生效", False, "2018-06")
    assert (data["base"]["number"], data["base"]["status"], data["candidate"]["status"]) == (1, "active", "draft")
    assert (data["group_size"], data["flagged_units"]) == (5, 2)
    rows = {u["code"]: u for u in data["units"]}
    shenyang = rows["210100"]
    # 84.00 4th 良好 → 91.00 3rd 优秀
    totals = (shenyang["base"]["total"], shenyang["candidate"]["total"], shenyang["total_delta"])
    assert totals == ("84.00", "91.00", "7.00")
    assert (shenyang["rank_delta"], shenyang["grade_changed"], shenyang["flagged"]) == (1, True, True)
    fdi = shenyang["items"][0]
    # 600/1000 = 60% ÷ 50% = 120%: ×20 = 24.00 → ×30 = 36.00
    points = (fdi["code"], fdi["base"]["points"], fdi["candidate"]["points"], fdi["delta"])
    assert points == ("fdi", "24.00", "36.00", "12.00")
    assert fdi["candidate"]["detail"].endswith("×30=36.00") and fdi["candidate"]["sources"]
    assert [(i["code"], i["only_in"]) for i in shenyang["items"][2:]] == [("rpt", "candidate"), ("tasks", "base")]
    assert rows["210300"]["flagged"] is False and rows["210300"]["total_delta"] == "0.00"
    assert not AssessmentSnapshot.objects.exists()


@pytest.mark.parametrize("persona", ["shenyang", "hunnan", "ganjingzi"])
def test_cities_and_counties_cannot_simulate_through_the_api(sim_versions, client_for, personas, persona):
    response = client_for(personas[persona]).get(SIMULATE + "?period=2018-06")
    assert response.status_code == 403 and "units" not in response.json()


def test_a_bad_period_an_unknown_version_or_the_same_version_are_clear_errors(sim_versions, client_for, province):
    c = client_for(province)
    assert c.get(SIMULATE + "?period=2017-06").status_code == 400
    assert c.get(SIMULATE + "?period=June").status_code == 422  # the pattern YYYY-MM
    assert c.get("/api/v1/assessment/schemes/KH-SIM/versions/9/simulate?period=2018-06").status_code == 404
    same = c.get(SIMULATE + "?period=2018-06&base=2")
    assert same.status_code == 400 and "另一个版本" in str(same.json()["detail"])


def test_results_write_figures_with_the_indicators_decimals_and_ratios_with_six_places(
    two_cities, client_for, province, dalian
):
    """Issue 15, finding 2: ratios came out as 28-digit strings. Hand-worked for June (6/12 of the
    year): 沈阳 450 of 1000 → completion 0.45, progress ratio 0.45 ÷ 0.5 = 0.9; 大连 700 of 1200 →
    0.583333…, ratio 1.166666… → 1.166667. T_FDI has 2 decimals: targets "1000.00" and "1200.00"."""
    body = client_for(province).get("/api/v1/assessment/schemes/KH-TWO/results", {"period": "2018-06"}).json()
    fdi = {u["code"]: next(i for i in u["items"] if i["code"] == "fdi")["inputs"] for u in body["units"]}
    assert fdi["210100"]["completion"] == "0.450000" and fdi["210100"]["progress_ratio"] == "0.900000"
    assert fdi["210200"]["completion"] == "0.583333" and fdi["210200"]["progress_ratio"] == "1.166667"
    assert fdi["210100"]["time_progress"] == "0.500000"
    assert (fdi["210100"]["target"], fdi["210200"]["target"]) == ("1000.00", "1200.00")
    assert fdi["210100"]["actual"] == "450.00"
    # Another city sees its own row only, written the same way.
    (own,) = client_for(dalian).get("/api/v1/assessment/schemes/KH-TWO/results", {"period": "2018-06"}).json()["units"]
    assert own["code"] == "210200" and own["items"][0]["inputs"]["completion"] == "0.583333"
