"""The entry form, the check endpoint, the queue and the overview — and that other units see nothing."""

from __future__ import annotations

import re

import pytest

from kaifang.indicators.models import DataValue
from kaifang.reporting.models import SubmissionStatus as S
from kaifang.reporting.services import save_submission_values
from kaifang.reporting.tests.conftest import GOOD, entries

pytestmark = pytest.mark.django_db


def form_data(page: str, **values: str) -> dict[str, str]:
    """The fields of the rendered entry form, with some figures changed."""
    data = dict(re.findall(r'name="((?:v|ver)_[A-Z]+|key|csrfmiddlewaretoken)"[^>]*?value="([^"]*)"', page))
    data.update({f"v_{k}": v for k, v in values.items()})
    return data


def test_the_form_shows_every_indicator_with_context_and_ledger_rows_read_only(client_for, hunnan, june_round):
    page = client_for(hunnan).get(f"/reporting/{june_round.pk}/210112/").content.decode()
    for text in ["进出口总额", "出口额", "新设企业数", "上年同月", "同比", "完成率", "来自台账", "保存草稿", "提交"]:
        assert text in page
    assert 'name="v_TALENT"' not in page and 'name="v_EXPORT"' in page
    assert "<script>" not in page and 'style="' not in page


def test_another_county_cannot_open_read_check_or_act_on_the_form(client_for, shenhe, ganjingzi, dalian, june_round):
    for user in (shenhe, ganjingzi, dalian):
        c = client_for(user)
        assert c.get(f"/reporting/{june_round.pk}/210112/").status_code == 404
        assert c.post(f"/reporting/{june_round.pk}/210112/", {"v_EXPORT": "1"}).status_code == 404
        assert c.post(f"/reporting/{june_round.pk}/210112/check", {"v_EXPORT": "1"}).status_code == 404
        assert c.post(f"/reporting/{june_round.pk}/210112/act", {"action": "approve"}).status_code == 404
    assert not DataValue.objects.filter(unit__code="210112").exists()


def test_save_draft_then_submit_from_the_form(client_for, hunnan, june_round, clock):
    c = client_for(hunnan)
    url = f"/reporting/{june_round.pk}/210112/"
    page = c.get(url).content.decode()
    response = c.post(url, {**form_data(page, **GOOD), "action": "save"})
    assert response.status_code == 302
    assert DataValue.objects.get(unit__code="210112", indicator__code="EXPORT").reported == 600
    page = c.get(url).content.decode()
    response = c.post(url, {**form_data(page), "action": "submit"})
    assert response.status_code == 302
    assert june_round.submissions.get(unit__code="210112").status == S.SUBMITTED
    # the retried POST of the same form (same key) applies nothing more
    c.post(url, {**form_data(page), "action": "submit"})
    assert june_round.submissions.get(unit__code="210112").events.count() == 1


def test_a_conflict_keeps_what_the_second_editor_typed_and_shows_the_stored_value(
    client_for, hunnan, shenyang, june_round
):
    url = f"/reporting/{june_round.pk}/210112/"
    first, second = client_for(hunnan), client_for(shenyang)
    first.post(url, {**form_data(first.get(url).content.decode(), **GOOD), "action": "save"})
    page_a = first.get(url).content.decode()
    page_b = second.get(url).content.decode()
    first.post(url, {**form_data(page_a, EXPORT="610"), "action": "save"})
    response = second.post(url, {**form_data(page_b, EXPORT="620"), "action": "save"})
    page = response.content.decode()
    assert response.status_code == 409
    assert 'value="620"' in page and "当前保存的值为 610" in page
    assert DataValue.objects.get(unit__code="210112", indicator__code="EXPORT").reported == 610
    # saving again after reading the conflict is a deliberate overwrite
    second.post(url, {**form_data(page), "action": "save"})
    assert DataValue.objects.get(unit__code="210112", indicator__code="EXPORT").reported == 620


def test_a_typing_error_is_shown_beside_the_field_and_the_typed_text_kept(client_for, hunnan, june_round):
    url = f"/reporting/{june_round.pk}/210112/"
    c = client_for(hunnan)
    response = c.post(url, {**form_data(c.get(url).content.decode(), TRADE="1000", EXPORT="六百"), "action": "save"})
    page = response.content.decode()
    assert response.status_code == 400 and "“六百”不是数字" in page and 'value="六百"' in page
    assert DataValue.objects.get(unit__code="210112", indicator__code="TRADE").reported == 1000


def test_the_check_endpoint_runs_the_server_rules_without_saving(client_for, hunnan, june_round):
    c = client_for(hunnan)
    response = c.post(f"/reporting/{june_round.pk}/210112/check", {"v_TRADE": "1000", "v_EXPORT": "1200"})
    rules = {(f["indicator"], f["rule"]) for f in response.json()["findings"]}
    assert ("EXPORT", "cross") in rules
    assert not DataValue.objects.exists()


def test_the_city_approves_from_its_queue_and_the_county_cannot(client_for, hunnan, shenyang, june_round, clock):
    sub = june_round.submissions.get(unit__code="210112")
    save_submission_values(actor=hunnan, submission=sub, entries=entries())
    client_for(hunnan).post(f"/reporting/{june_round.pk}/210112/act", {"action": "submit", "key": "x"})
    page = client_for(shenyang).get(f"/reporting/{june_round.pk}/queue/").content.decode()
    assert "浑南区" in page and "批量审核" in page and "甘井子区" not in page
    response = client_for(hunnan).post(f"/reporting/{june_round.pk}/210112/act", {"action": "approve", "version": 2})
    assert response.status_code == 403
    client_for(shenyang).post(f"/reporting/{june_round.pk}/210112/act", {"action": "approve", "version": 2})
    sub.refresh_from_db()
    assert sub.status == S.APPROVED


def test_the_overview_counts_completeness_and_lists_missing_units(
    client_for, province, shenyang, hunnan, june_round, clock
):
    sub = june_round.submissions.get(unit__code="210112")
    save_submission_values(actor=hunnan, submission=sub, entries=entries())
    client_for(hunnan).post(f"/reporting/{june_round.pk}/210112/act", {"action": "submit"})
    page = client_for(province).get(f"/reporting/{june_round.pk}/").content.decode()
    # six units required; one reported (浑南区, on time): 报送率 16.7%, 及时率 16.7%
    assert "16.7%" in page and "沈河区" in page and "省直部门及直报单位" in page
    page = client_for(shenyang).get(f"/reporting/{june_round.pk}/").content.decode()
    # 沈阳市 sees its three units: itself, 浑南区, 沈河区 → 1/3
    assert "33.3%" in page and "甘井子区" not in page


def test_the_home_page_shows_my_submission_and_what_awaits_my_approval(client_for, hunnan, shenyang, june_round, clock):
    assert "本单位：草稿" in client_for(hunnan).get("/").content.decode()
    sub = june_round.submissions.get(unit__code="210112")
    save_submission_values(actor=hunnan, submission=sub, entries=entries())
    client_for(hunnan).post(f"/reporting/{june_round.pk}/210112/act", {"action": "submit"})
    assert "1 个单位待您审核" in client_for(shenyang).get("/").content.decode()


def test_a_province_supervisor_opens_a_round_and_others_cannot(client_for, province, shenyang, hunnan, catalogue):
    from kaifang.reporting.models import ReportingRound

    assert client_for(hunnan).get("/reporting/new/").status_code == 403
    assert client_for(shenyang).post("/reporting/new/", {"period": "2018-07"}).status_code == 403
    c = client_for(province)
    assert "发起报送批次" in c.get("/reporting/new/").content.decode()
    form = {
        "period": "2018-07",
        "name": "2018年7月开放指标",
        "opens_on": "2018-08-01",
        "deadline_on": "2018-08-10",
        "grace_days": "2",
        "indicators": ["TRADE", "EXPORT", "IMPORT"],
        "cities": ["210100"],
        "city_level": ["210100"],
        "departments": ["SWT"],
    }
    assert c.post("/reporting/new/", {**form, "deadline_on": "2018-07-01"}).status_code == 400
    response = c.post("/reporting/new/", form)
    round_ = ReportingRound.objects.get(name="2018年7月开放指标")
    assert response.status_code == 302 and response["Location"] == f"/reporting/{round_.pk}/"
    codes = set(round_.submissions.values_list("unit__code", flat=True))
    assert {"210112", "210103", "210100", "SWT"} <= codes and "210211" not in codes
    from django.utils import timezone

    assert timezone.localtime(round_.deadline).isoformat().startswith("2018-08-10T23:59:59")
    assert round_.created_by == province
    assert "2018年7月开放指标" in client_for(hunnan).get("/reporting/").content.decode()
