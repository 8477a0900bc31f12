"""The pages end to end: 浑南区 asks, 沈阳市 approves, the province republishes; others see nothing."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kaifang.assessment.models import AssessmentSnapshot
from kaifang.corrections.models import CorrectionRequest, CorrectionState
from kaifang.corrections.tests.conftest import FEB, HUNNAN, MAR, seed
from kaifang.indicators.models import DataValue

pytestmark = pytest.mark.django_db

NEW = "/corrections/new/?unit=210112&period=2018-02"


def value(period: Any) -> DataValue:
    return DataValue.objects.get(indicator__code="T_EXPORT", unit__code=HUNNAN, period=period)


def ask(client: Any, **extra: Any) -> Any:
    data = {"new_T_EXPORT": "260", "ver_T_EXPORT": "1", "reason": "海关数据复核，2月出口额少报10万美元", **extra}
    return client.post(NEW, data)


def test_a_county_asks_its_city_approves_and_the_province_republishes(
    client_for, hunnan, shenyang, province, published
):
    c = client_for(hunnan)
    form = c.get(NEW).content.decode()
    assert 'data-indicator="T_EXPORT"' in form and ">250<" in form  # the stored value beside the field
    response = ask(c)
    correction = CorrectionRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/corrections/{correction.pk}/"
    page = c.get(f"/corrections/{correction.pk}/").content.decode()
    assert "GZ-2018-0001" in page and "250" in page and "→ 260" in page
    assert 'data-action="approve"' not in page  # hunnan sees no approve button on its own request
    assert "批准后需重新发布" in page  # the February results it would affect

    city = client_for(shenyang)
    assert 'data-action="approve"' in city.get(f"/corrections/{correction.pk}/").content.decode()
    response = city.post(f"/corrections/{correction.pk}/step/", {"action": "approve", "version": "1"})
    assert response.status_code == 302
    # Feb YTD 260 → month 260 − 120 = 140; March month 400 − 260 = 140.
    assert (value(FEB).month_value, value(MAR).month_value) == (D("140"), D("140"))
    history = city.get(f"/indicators/values/{value(FEB).pk}/history/").content.decode()
    assert "数据更正 GZ-2018-0001" in history

    p = client_for(province)
    detail = p.get(f"/corrections/{correction.pk}/").content.decode()
    assert "需重新发布" in detail and "数据更正 GZ-2018-0001：浑南区 2018年2月 出口额 250 → 260" in detail
    snapshot_page = p.get(f"/assessment/published/{published.pk}/").content.decode()
    assert 'id="affected-by-corrections"' in snapshot_page and "GZ-2018-0001" in snapshot_page
    reason = "数据更正 GZ-2018-0001：浑南区 2018年2月 出口额 250 → 260"
    response = p.post("/assessment/schemes/KH-SY/2018-02/publish/", {"reason": reason})
    second = AssessmentSnapshot.objects.get(scheme_code="KH-SY", period=FEB, number=2)
    assert response.status_code == 302 and second.reason == reason
    # 浑南区 16.67 → 260/1800 ÷ 2/12 × 20 = 17.33; rank stays 2 behind 沈河区's 20.00.
    [change] = second.diff  # only 浑南区 changed
    assert (change["code"], change["name"], change["total"], change["rank"]) == (
        "210112",
        "浑南区",
        ["16.67", "17.33"],
        [2, 2],
    )
    assert change["items"] == [{"code": "export", "name": "出口额完成率", "points": ["16.67", "17.33"]}]
    assert "16.67 → 17.33" in p.get(f"/assessment/published/{second.pk}/").content.decode()  # the diff shown
    assert "已重新发布" in p.get(f"/corrections/{correction.pk}/").content.decode()
    assert 'id="affected-by-corrections"' not in p.get(f"/assessment/published/{second.pk}/").content.decode()


def test_another_county_sees_nothing_and_changes_nothing(client_for, request_feb, shenhe):
    c = client_for(shenhe)
    assert "GZ-2018-0001" not in c.get("/corrections/").content.decode()
    assert c.get(f"/corrections/{request_feb.pk}/").status_code == 404
    assert c.post(f"/corrections/{request_feb.pk}/step/", {"action": "approve", "version": "1"}).status_code == 404
    assert c.get(f"/corrections/{request_feb.pk}/evidence/").status_code == 404
    form = c.get(NEW).content.decode()  # 浑南区 is not a unit shenhe may ask for: no figures shown
    assert 'id="request"' not in form and "250" not in form
    assert value(FEB).reported == D("250")


def test_the_requesting_county_cannot_approve_its_own_and_another_city_cannot_see_it(
    client_for, request_feb, hunnan, dalian
):
    own = client_for(hunnan).post(f"/corrections/{request_feb.pk}/step/", {"action": "approve", "version": "1"})
    assert own.status_code == 403
    other = client_for(dalian).post(f"/corrections/{request_feb.pk}/step/", {"action": "approve", "version": "1"})
    assert other.status_code == 404
    assert CorrectionRequest.objects.get(pk=request_feb.pk).state == CorrectionState.SUBMITTED
    assert value(FEB).reported == D("250")


def test_a_stale_approval_shows_the_conflict_and_writes_nothing(client_for, request_feb, shenyang):
    seed(HUNNAN, FEB, {"T_EXPORT": "255"}, version=1)
    response = client_for(shenyang).post(f"/corrections/{request_feb.pk}/step/", {"action": "approve", "version": "1"})
    assert response.status_code == 409
    assert "申请时 250，现为 255" in response.content.decode()
    assert value(FEB).reported == D("255")


def test_what_the_user_typed_survives_an_error(client_for, hunnan, february_approved):
    response = ask(client_for(hunnan), reason="")
    page = response.content.decode()
    assert response.status_code == 400 and 'value="260"' in page and not CorrectionRequest.objects.exists()


def test_a_figure_changed_while_the_form_was_open_keeps_the_typed_value_and_shows_the_new_one(
    client_for, hunnan, february_approved
):
    seed(HUNNAN, FEB, {"T_EXPORT": "255"}, version=1)
    response = ask(client_for(hunnan))  # the form was loaded at version 1 (250)
    page = response.content.decode()
    assert response.status_code == 409 and "现值为 255" in page and 'value="260"' in page
    assert 'name="ver_T_EXPORT" value="2"' in page  # sending again applies against what is stored now
    assert not CorrectionRequest.objects.exists()


def test_a_rejection_keeps_the_typed_reason_when_refused_and_records_it(client_for, request_feb, shenyang):
    c = client_for(shenyang)
    stale = c.post(
        f"/corrections/{request_feb.pk}/step/", {"action": "reject", "version": "9", "reason": "请附海关证明"}
    )
    assert stale.status_code == 409 and "请附海关证明" in stale.content.decode()
    ok = c.post(f"/corrections/{request_feb.pk}/step/", {"action": "reject", "version": "1", "reason": "请附海关证明"})
    assert ok.status_code == 302
    assert CorrectionRequest.objects.get(pk=request_feb.pk).decision_reason == "请附海关证明"


def test_evidence_is_uploaded_with_the_request_and_downloaded_by_the_city(client_for, hunnan, shenyang, export):
    c = client_for(hunnan)
    c.post(
        NEW,
        {
            "new_T_EXPORT": "260",
            "ver_T_EXPORT": "1",
            "reason": "附海关证明",
            "evidence_file": SimpleUploadedFile("证明.pdf", b"%PDF-1.4 x"),
        },
    )
    correction = CorrectionRequest.objects.get()
    download = client_for(shenyang).get(f"/corrections/{correction.pk}/evidence/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 x"


def test_read_only_users_and_the_province_cannot_open_the_request_form(client_for, leader, province):
    # A leader never writes; the province has no level above it to approve its requests.
    for user in (leader, province):
        assert client_for(user).get("/corrections/new/").status_code == 403
        assert "申请更正" not in client_for(user).get("/corrections/").content.decode()


def test_the_list_shows_the_subtree(client_for, request_feb, shenyang, province, hunnan):
    for user in (shenyang, province, hunnan):
        assert "GZ-2018-0001" in client_for(user).get("/corrections/").content.decode()
    assert "GZ-2018-0001" not in client_for(shenyang).get("/corrections/?state=approved").content.decode()


def test_the_pages_speak_english_after_the_switch(client_for, request_feb, shenyang):
    c = client_for(shenyang)
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    detail = c.get(f"/corrections/{request_feb.pk}/").content.decode()
    assert ">Corrections<" in detail and "Figures to correct" in detail and "Approve and correct the figures" in detail
    assert "更正内容" not in detail and "批准并更正数据" not in detail
    form = c.get(NEW).content.decode()
    assert "Show current values" in form and "Corrected value" in form and "查看现值" not in form
