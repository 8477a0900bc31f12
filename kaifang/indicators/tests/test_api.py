"""/api/v1/values, /indicators, /targets: same services and guard; another county reads and writes nothing."""

import datetime
from decimal import Decimal as D

import pytest

from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.models import DataValue, Target
from kaifang.indicators.services import save_values
from kaifang.indicators.services.targets import set_target
from kaifang.indicators.tests.factories import make_indicator, open_figures

pytestmark = pytest.mark.django_db

MAR = datetime.date(2018, 3, 1)


@pytest.fixture
def export(db):
    indicator = make_indicator("T_EXPORT")
    open_figures([indicator, make_indicator("T_IMPORT", name="进口额")], ["210112", "210103"], MAR)  # a March round
    return indicator


def post(client, body):
    return client.post("/api/v1/values", body, content_type="application/json")


def test_a_batch_write_saves_and_reads_back_with_versions(client_for, export, hunnan):
    c = client_for(hunnan)
    body = {"unit": "210112", "period": "2018-03", "entries": [{"indicator": "T_EXPORT", "value": "400.50"}]}
    response = post(c, body)
    assert response.status_code == 200, response.content
    [row] = response.json()
    assert (row["reported"], row["version"], row["ytd_value"]) == ("400.50", 1, "400.50")  # T_EXPORT has 2 decimals
    read = c.get("/api/v1/values?indicator=T_EXPORT&from=2018-01&to=2018-12").json()
    assert [v["reported"] for v in read["values"]] == ["400.50"]
    again = post(c, body)  # a retried request applies once
    assert again.status_code == 200 and again.json()[0]["version"] == 1


def test_a_stale_version_is_409_with_the_current_value_and_nothing_applied(client_for, export, hunnan, shenyang):
    make_indicator("T_IMPORT", name="进口额")
    save_values(actor=shenyang, unit=hunnan.unit, period=MAR, entries=[ValueEntry("T_EXPORT", D("410"))])
    response = post(
        client_for(hunnan),
        {
            "unit": "210112",
            "period": "2018-03",
            "entries": [{"indicator": "T_IMPORT", "value": "5"}, {"indicator": "T_EXPORT", "value": "400"}],
        },
    )
    assert response.status_code == 409
    [conflict] = response.json()["conflicts"]
    assert (conflict["indicator"], conflict["current_value"], conflict["your_value"]) == (
        "T_EXPORT",
        "410.00",
        "400.00",
    )
    assert not DataValue.objects.filter(indicator__code="T_IMPORT").exists()


def test_bad_values_are_400_not_500(client_for, export, hunnan):
    body = {"unit": "210112", "period": "2018-03", "entries": [{"indicator": "T_EXPORT", "value": "四百"}]}
    assert post(client_for(hunnan), body).status_code == 400
    body["entries"] = [{"indicator": "NOPE", "value": "1"}]
    assert post(client_for(hunnan), body).status_code == 400
    body = {"unit": "210112", "period": "2018-13", "entries": []}
    assert post(client_for(hunnan), body).status_code in (400, 422)


def test_another_county_reads_and_writes_nothing(client_for, export, hunnan, shenhe, leader):
    save_values(actor=hunnan, unit=hunnan.unit, period=MAR, entries=[ValueEntry("T_EXPORT", D("400"))])
    other = client_for(shenhe)
    assert other.get("/api/v1/values?unit=210112").status_code == 404
    assert other.get("/api/v1/values?indicator=T_EXPORT").json()["values"] == []
    assert other.get("/api/v1/values?unit=210100&subtree=true").status_code == 404
    value_id = DataValue.objects.get().pk
    assert other.get(f"/api/v1/values/{value_id}/history").status_code == 404
    body = {
        "unit": "210112",
        "period": "2018-03",
        "entries": [{"indicator": "T_EXPORT", "value": "1", "expected_version": 1}],
    }
    assert post(other, body).status_code == 404
    assert post(client_for(leader), body).status_code == 403
    assert DataValue.objects.get().reported == D("400")


def test_aggregates_say_which_basis_and_coverage(client_for, export, hunnan, shenhe, shenyang):
    save_values(actor=hunnan, unit=hunnan.unit, period=MAR, entries=[ValueEntry("T_EXPORT", D("400"))])
    save_values(actor=shenhe, unit=shenhe.unit, period=MAR, entries=[ValueEntry("T_EXPORT", D("100.25"))])
    data = (
        client_for(shenyang)
        .get("/api/v1/values?indicator=T_EXPORT&unit=210100&subtree=true&from=2018-01&to=2018-03&aggregates=true")
        .json()
    )
    top = data["aggregates"][0]
    assert (top["unit"], top["ytd_value"], top["basis"], top["reporting"]) == ("210100", "500.25", "sum_of_children", 2)
    assert top["yoy"] == "不可比"
    assert {v["unit"] for v in data["values"]} == {"210112", "210103"}


def test_history_lists_old_and_new_values(client_for, export, hunnan):
    save_values(actor=hunnan, unit=hunnan.unit, period=MAR, entries=[ValueEntry("T_EXPORT", D("400"))])
    save_values(
        actor=hunnan, unit=hunnan.unit, period=MAR, entries=[ValueEntry("T_EXPORT", D("401"), expected_version=1)]
    )
    value_id = DataValue.objects.get().pk
    rows = client_for(hunnan).get(f"/api/v1/values/{value_id}/history").json()
    assert [(r["old_value"], r["new_value"]) for r in rows] == [("400.00", "401.00"), (None, "400.00")]


def test_catalogue_is_readable_by_everyone(client_for, export, shenhe):
    codes = [i["code"] for i in client_for(shenhe).get("/api/v1/indicators").json()]
    assert "T_EXPORT" in codes
    assert client_for(shenhe).get("/api/v1/indicators/NOPE").status_code == 404


def test_targets_are_scoped_and_versioned(client_for, export, province, shenyang, hunnan, shenhe):
    set_target(actor=province, indicator=export, unit=shenyang.unit, year=2018, annual="10000")
    put = {"indicator": "T_EXPORT", "unit": "210112", "year": 2018, "annual": "1800"}
    city = client_for(shenyang)
    assert city.put("/api/v1/targets", put, content_type="application/json").status_code == 200
    assert city.put("/api/v1/targets", {**put, "annual": "1900"}, content_type="application/json").status_code == 409
    ok = city.put("/api/v1/targets", {**put, "annual": "1900", "expected_version": 1}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    own = city.put("/api/v1/targets", {**put, "unit": "210100", "expected_version": 1}, content_type="application/json")
    assert own.status_code == 403  # a city does not set its own target
    assert client_for(hunnan).put("/api/v1/targets", put, content_type="application/json").status_code == 403
    assert client_for(shenhe).put("/api/v1/targets", put, content_type="application/json").status_code == 404
    assert [t["unit"] for t in client_for(shenhe).get("/api/v1/targets?year=2018").json()] == []
    assert [t["unit"] for t in client_for(hunnan).get("/api/v1/targets?year=2018").json()] == ["210112"]
    assert Target.objects.get(unit=hunnan.unit).annual == D("1900")
