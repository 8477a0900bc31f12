"""/api/v1/corrections through the same services and guard; another county sees and changes nothing."""

from __future__ import annotations

import json
from decimal import Decimal as D
from typing import Any

import pytest

from kaifang.corrections.models import CorrectionRequest, CorrectionState
from kaifang.corrections.tests.conftest import FEB, HUNNAN, MAR, seed
from kaifang.indicators.models import DataValue

pytestmark = pytest.mark.django_db
BASE = "/api/v1/corrections"
PAYLOAD = {
    "unit": "210112",
    "period": "2018-02",
    "figures": [{"indicator": "T_EXPORT", "new_value": "260", "seen_version": 1}],
    "reason": "海关数据复核",
}


def post(client: Any, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, json.dumps(data), content_type="application/json")


def value(period: Any) -> DataValue:
    return DataValue.objects.get(indicator__code="T_EXPORT", unit__code=HUNNAN, period=period)


def test_a_county_asks_and_its_city_approves_through_the_api(client_for, hunnan, shenyang, published):
    created = post(client_for(hunnan), BASE, PAYLOAD)
    assert created.status_code == 201
    body = created.json()
    assert (body["reference"], body["state"], body["unit"]["code"]) == ("GZ-2018-0001", "submitted", "210112")
    assert body["figures"] == [
        {"indicator": "T_EXPORT", "name": "出口额", "old_value": "250.00", "old_version": 1, "new_value": "260.00"}
    ]
    assert body["allowed_actions"] == ["withdraw"]
    assert [(a["kind"], a["id"], a["status"]) for a in body["affected"]] == [("snapshot", published.pk, "would_affect")]
    city = client_for(shenyang)
    assert city.get(f"{BASE}/{body['id']}").json()["allowed_actions"] == ["approve", "reject"]
    approved = post(city, f"{BASE}/{body['id']}/approve", {"expected_version": body["version"]})
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    assert approved.json()["affected"][0]["status"] == "needs_republish"
    # Feb 260 − Jan 120 = 140; Mar 400 − 260 = 140.
    assert (value(FEB).month_value, value(MAR).month_value) == (D("140"), D("140"))


def test_another_county_and_another_city_see_and_change_nothing(client_for, request_feb, shenhe, dalian, hunnan):
    for user in (shenhe, dalian):
        c = client_for(user)
        assert c.get(BASE).json() == []
        assert c.get(f"{BASE}/{request_feb.pk}").status_code == 404
        assert post(c, f"{BASE}/{request_feb.pk}/approve", {"expected_version": 1}).status_code == 404
    assert post(client_for(shenhe), BASE, PAYLOAD).status_code == 404  # 浑南区 is outside its scope
    own = post(client_for(hunnan), f"{BASE}/{request_feb.pk}/approve", {"expected_version": 1})
    assert own.status_code == 403
    assert CorrectionRequest.objects.get(pk=request_feb.pk).state == CorrectionState.SUBMITTED
    assert value(FEB).reported == D("250")


def test_a_stale_request_or_version_is_409_and_writes_nothing(client_for, request_feb, shenyang):
    city = client_for(shenyang)
    assert post(city, f"{BASE}/{request_feb.pk}/approve", {"expected_version": 5}).status_code == 409
    seed(HUNNAN, FEB, {"T_EXPORT": "255"}, version=1)
    stale = post(city, f"{BASE}/{request_feb.pk}/approve", {"expected_version": 1})
    assert stale.status_code == 409 and "申请时 250，现为 255" in stale.json()["detail"]
    assert value(FEB).reported == D("255")


def test_bad_input_is_a_clear_400_or_422(client_for, hunnan, export):
    c = client_for(hunnan)
    bad = post(c, BASE, {**PAYLOAD, "figures": [{"indicator": "T_EXPORT", "new_value": "abc"}]})
    assert bad.status_code == 400 and "不是数字" in json.dumps(bad.json(), ensure_ascii=False)
    assert post(c, BASE, {**PAYLOAD, "period": "2018-13"}).status_code == 400
    assert post(c, BASE, {**PAYLOAD, "figures": []}).status_code == 422
    assert c.get(BASE, {"limit": 500}).status_code == 422  # paging is bounded
    assert not CorrectionRequest.objects.exists()


def test_the_list_pages_and_filters(client_for, hunnan, export):
    c = client_for(hunnan)
    for period in ("2018-01", "2018-02", "2018-03"):
        post(c, BASE, {**PAYLOAD, "period": period, "figures": [{"indicator": "T_EXPORT", "new_value": "1"}]})
    assert [r["period"] for r in c.get(BASE, {"limit": 2}).json()] == ["2018-03", "2018-02"]
    assert [r["period"] for r in c.get(BASE, {"limit": 2, "offset": 2}).json()] == ["2018-01"]
    assert c.get(BASE, {"state": "approved"}).json() == []
