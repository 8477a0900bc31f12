"""/api/v1/meetings: the same scope and services as the pages."""

import pytest

from kaifang.meetings import services
from kaifang.meetings.checkin import current_code
from kaifang.meetings.clock import real_now

pytestmark = pytest.mark.django_db


def test_list_and_detail_are_scoped_to_the_meetings_a_unit_takes_part_in(client_for, meeting, province, hunnan):
    other = services.create_meeting(
        actor=province, title="省直部门专题会", starts_at=meeting.starts_at, main_unit=province.unit, venue_units=[]
    )
    c = client_for(hunnan)
    assert [m["id"] for m in c.get("/api/v1/meetings").json()] == [meeting.pk]
    detail = c.get(f"/api/v1/meetings/{meeting.pk}").json()
    assert [v["unit"]["code"] for v in detail["venues"]] == ["210112"]
    assert c.get(f"/api/v1/meetings/{other.pk}").status_code == 404
    assert len(client_for(province).get(f"/api/v1/meetings/{meeting.pk}").json()["venues"]) == 114


def test_receipt_check_in_and_attendance_through_the_api(client_for, meeting, hunnan, shenhe, shenyang):
    c = client_for(hunnan)
    base = f"/api/v1/meetings/{meeting.pk}/venues/210112"
    ok = c.post(
        base + "/receipt",
        {"attending": True, "leader_name": "王区长", "head_count": 4},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["receipt_status"] == "attending"
    stale = c.post(
        base + "/receipt", {"attending": False, "leave_reason": "x", "version": 1}, content_type="application/json"
    )
    assert stale.status_code == 409
    bad = c.post(base + "/receipt", {"attending": True}, content_type="application/json")
    assert bad.status_code == 400 and "leader_name" in bad.json()["detail"]
    assert (
        client_for(shenhe).post(base + "/receipt", {"attending": True}, content_type="application/json").status_code
        == 404
    )
    wrong = c.post(base + "/check-in", {"code": "12"}, content_type="application/json")
    assert wrong.status_code == 400 and "签到码" in str(wrong.json()["detail"])
    code = current_code(meeting.checkin_secret, real_now())[0]
    done = c.post(base + "/check-in", {"code": code}, content_type="application/json").json()
    assert done["checked_in"] and done["newly_checked_in"]
    # shenyang (a city officer) may read its city's statistics but not check in for 浑南
    stats = client_for(shenyang).get(f"/api/v1/meetings/{meeting.pk}/attendance").json()
    assert stats["total"]["expected"] == 14 and stats["total"]["present"] == 1
    assert stats["cities"][0]["name"] == "沈阳市" and stats["cities"][0]["rate"] == "7.1"
    shenhe_try = client_for(shenyang).post(base + "/check-in", {"code": code}, content_type="application/json")
    assert shenhe_try.status_code == 403


def test_parse_speech_returns_a_draft_and_is_for_supervisors_only(client_for, province, hunnan):
    text = "市长强调，一是要抓好项目建设。加快推进重点项目。二要优化营商环境，提升服务效率。"
    data = (
        client_for(province)
        .post("/api/v1/meetings/parse-speech", {"text": text}, content_type="application/json")
        .json()
    )
    segment = data["segments"][0]
    assert segment["speaker"] == "市长"
    assert [i["title"] for i in segment["items"]] == ["抓好项目建设", "优化营商环境，提升服务效率"]
    empty = client_for(province).post("/api/v1/meetings/parse-speech", {"text": " "}, content_type="application/json")
    assert empty.status_code == 400 and "讲话内容为空" in str(empty.json()["detail"])
    denied = client_for(hunnan).post("/api/v1/meetings/parse-speech", {"text": text}, content_type="application/json")
    assert denied.status_code == 403


def test_relay_reports_through_the_api_with_scope_and_stale_versions(client_for, meeting, hunnan, shenhe, settings):
    settings.KAIFANG_DEMO_TODAY = "2018-07-05"
    body = {"relayed_on": "2018-03-22", "form": "party_committee", "attendees": 30, "text": "区委常委会传达。"}
    url = f"/api/v1/meetings/{meeting.pk}/venues/210112/relay"
    assert client_for(shenhe).post(url, body, content_type="application/json").status_code == 404
    first = client_for(hunnan).post(url, body, content_type="application/json")
    assert first.status_code == 200 and first.json()["version"] == 1
    second = client_for(hunnan).post(url, {**body, "attendees": 31, "version": 1}, content_type="application/json")
    assert second.status_code == 200 and second.json()["attendees"] == 31
    stale = client_for(hunnan).post(url, {**body, "version": 1}, content_type="application/json")
    assert stale.status_code == 409
    bad = client_for(hunnan).post(url, {**body, "form": "rumour"}, content_type="application/json")
    assert bad.status_code == 400 and "form" in bad.json()["detail"]
    mine = client_for(hunnan).get(f"/api/v1/meetings/{meeting.pk}/relay-reports").json()
    assert [r["unit"]["code"] for r in mine["reports"]] == ["210112"] and mine["missing"] == []
    theirs = client_for(shenhe).get(f"/api/v1/meetings/{meeting.pk}/relay-reports").json()
    assert theirs["reports"] == [] and [u["code"] for u in theirs["missing"]] == ["210103"]
