"""The approval queue's batch actions (批量审核 / 批量退回, all or nothing with a result per unit) and
催报 — services, page and API — and that another city or a county changes nothing."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kaifang.audit.models import AuditEvent
from kaifang.indicators.models import FigureWindow
from kaifang.notifications.models import Notification
from kaifang.reporting.models import Reminder
from kaifang.reporting.models import SubmissionStatus as S
from kaifang.reporting.selectors import reminders_by_unit
from kaifang.reporting.services import save_submission_values, transition
from kaifang.reporting.services.batches import BatchItem, batch_transition, urge
from kaifang.reporting.tests.conftest import JUNE, entries

pytestmark = pytest.mark.django_db

HUNNAN, SHENHE, GANJINGZI = "210112", "210103", "210211"


def submit(sub_of, user, code, values=None, comments=None):  # type: ignore[no-untyped-def]
    sub = sub_of(code)
    save_submission_values(actor=user, submission=sub, entries=entries(values, comments))
    transition(actor=user, submission=sub, action="submit")
    sub.refresh_from_db()
    return sub


def post(client, url, body):  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def both_in(sub_of, hunnan, shenhe, clock):  # type: ignore[no-untyped-def]
    return submit(sub_of, hunnan, HUNNAN), submit(sub_of, shenhe, SHENHE)


def test_the_city_approves_two_counties_at_once_each_audited_and_locked(both_in, shenyang, june_round):
    outcome = batch_transition(
        actor=shenyang, round_=june_round, action="approve", items=[BatchItem(HUNNAN, 2), BatchItem(SHENHE, 2)]
    )
    assert outcome.applied and [(r.unit, r.ok, r.applied, r.status) for r in outcome.results] == [
        (HUNNAN, True, True, S.APPROVED),
        (SHENHE, True, True, S.APPROVED),
    ]
    approvals = AuditEvent.objects.filter(action="reporting.submission.approve")
    assert approvals.count() == 2
    locked = FigureWindow.objects.filter(unit__code__in=[HUNNAN, SHENHE], period=JUNE, indicator__code="EXPORT")
    assert set(locked.values_list("state", "reason")) == {
        ("locked", "浑南区报送已审核"),
        ("locked", "沈河区报送已审核"),
    }


def test_one_refused_unit_applies_nothing_and_every_unit_gets_its_result(sub_of, hunnan, shenyang, june_round, clock):
    submit(sub_of, hunnan, HUNNAN)  # 沈河区 is still a draft
    outcome = batch_transition(
        actor=shenyang, round_=june_round, action="approve", items=[BatchItem(HUNNAN), BatchItem(SHENHE)]
    )
    assert not outcome.applied
    hunnan_result, shenhe_result = outcome.results
    assert hunnan_result.ok and not hunnan_result.applied and "整批未执行" in hunnan_result.message
    assert not shenhe_result.ok and "沈河区的报送当前为“草稿”，不能“审核通过”" in shenhe_result.message
    assert sub_of(HUNNAN).status == S.SUBMITTED
    assert not AuditEvent.objects.filter(action="reporting.submission.approve").exists()


def test_a_stale_version_refuses_the_batch(both_in, shenyang, june_round):
    outcome = batch_transition(
        actor=shenyang, round_=june_round, action="approve", items=[BatchItem(HUNNAN, 2), BatchItem(SHENHE, 1)]
    )
    assert not outcome.applied and "已被他人处理" in outcome.results[1].message


def test_a_batch_return_takes_each_units_own_reason_over_the_common_one(both_in, sub_of, shenyang, june_round):
    outcome = batch_transition(
        actor=shenyang,
        round_=june_round,
        action="return",
        items=[BatchItem(HUNNAN, reason="出口额与海关数据不符"), BatchItem(SHENHE)],
        reason="请补充说明",
    )
    assert outcome.applied
    assert sub_of(HUNNAN).return_reason == "出口额与海关数据不符"
    assert sub_of(SHENHE).return_reason == "请补充说明"
    assert Notification.objects.filter(kind="reporting.returned", body="请补充说明").exists()


def test_a_batch_return_without_any_reason_is_refused_for_that_unit(both_in, sub_of, shenyang, june_round):
    outcome = batch_transition(
        actor=shenyang, round_=june_round, action="return", items=[BatchItem(HUNNAN, reason="有误"), BatchItem(SHENHE)]
    )
    assert not outcome.applied and outcome.results[1].message == "退回时必须填写退回原因。"
    assert sub_of(HUNNAN).status == S.SUBMITTED


def test_another_city_or_a_county_changes_nothing(both_in, sub_of, dalian, hunnan, ganjingzi, june_round):
    for actor in (dalian, hunnan, ganjingzi):
        outcome = batch_transition(actor=actor, round_=june_round, action="approve", items=[BatchItem(SHENHE)])
        assert not outcome.applied and not outcome.results[0].ok
    assert (
        "不在本批次中，或您无权查看"
        in batch_transition(actor=dalian, round_=june_round, action="approve", items=[BatchItem(SHENHE)])
        .results[0]
        .message
    )
    assert sub_of(SHENHE).status == S.SUBMITTED


def test_an_empty_or_repeated_batch_is_refused_in_words(shenyang, june_round):
    with pytest.raises(ValidationError, match="请至少勾选一个单位"):
        batch_transition(actor=shenyang, round_=june_round, action="approve", items=[])
    with pytest.raises(ValidationError, match="只能出现一次"):
        batch_transition(actor=shenyang, round_=june_round, action="approve", items=[BatchItem(HUNNAN)] * 2)
    with pytest.raises(ValidationError, match="审核通过或退回"):
        batch_transition(actor=shenyang, round_=june_round, action="lock", items=[BatchItem(HUNNAN)])


def test_urging_reminds_units_not_in_once_a_day_recorded_and_counted(
    sub_of, hunnan, shenhe, shenyang, dalian, june_round, clock
):
    submit(sub_of, hunnan, HUNNAN)
    refused = urge(actor=shenyang, round_=june_round, units=[SHENHE, HUNNAN])
    assert not refused.applied and refused.results[1].message == "浑南区的报送为“已提交待审核”，无需催报。"
    assert "整批未执行" in refused.results[0].message and not Reminder.objects.exists()
    outcome = urge(actor=shenyang, round_=june_round, units=[SHENHE], note="今天下班前报送")
    assert outcome.applied and outcome.results[0].applied
    notice = Notification.objects.get(recipient=shenhe, kind="reporting.urged")
    assert "请尽快报送2018年6月" in notice.title and notice.body == "今天下班前报送"
    assert AuditEvent.objects.filter(action="reporting.submission.urge").count() == 1
    again = urge(actor=shenyang, round_=june_round, units=[SHENHE])
    assert again.applied and not again.results[0].applied and "今天已催报过" in again.results[0].message
    assert Reminder.objects.count() == 1
    other = urge(actor=dalian, round_=june_round, units=[SHENHE])
    assert not other.applied and Reminder.objects.count() == 1
    day = timezone.localdate(Reminder.objects.get().at)  # the day as the province counts it (Asia/Shanghai)
    counts = reminders_by_unit([sub_of(SHENHE).unit, sub_of(HUNNAN).unit], start=day, end=day)
    assert counts == {sub_of(SHENHE).unit.pk: 1}
    assert (
        reminders_by_unit(
            [sub_of(SHENHE).unit], start=day + datetime.timedelta(days=1), end=day + datetime.timedelta(days=9)
        )
        == {}
    )


# --- The page --------------------------------------------------------------------------------------


def test_the_queue_shows_figures_against_last_month_and_last_year_with_warnings_inline(
    sub_of, hunnan, shenhe, shenyang, client_for, june_round, clock
):
    submit(sub_of, hunnan, HUNNAN, comments={"EXPORT": "大单集中出口"})
    page = client_for(shenyang).get(f"/reporting/{june_round.pk}/queue/").content.decode()
    assert "浑南区" in page and "沈河区" in page and "甘井子区" not in page
    assert "完整性 4/4" in page and "完整性 0/4" in page  # 4 typed indicators; 沈河区 has typed nothing
    assert "大单集中出口" in page and "批量审核" in page and "催报" in page
    assert 'name="unit" value="210112"' in page and 'name="ver_210112" value="2"' in page


def test_the_page_batch_approves_and_a_refused_batch_keeps_the_ticks_and_reasons(
    both_in, sub_of, shenyang, client_for, june_round
):
    url = f"/reporting/{june_round.pk}/queue/batch"
    c = client_for(shenyang)
    refused = c.post(url, {"action": "return", "unit": [HUNNAN, SHENHE], "reason_210112": "出口额有误"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "退回时必须填写退回原因" in page and 'value="出口额有误"' in page
    assert page.count("checked") >= 2 and sub_of(HUNNAN).status == S.SUBMITTED
    done = c.post(url, {"action": "approve", "unit": [HUNNAN, SHENHE], "ver_210112": "2", "ver_210103": "2"})
    assert done.status_code == 302 and done["Location"] == f"/reporting/{june_round.pk}/queue/"
    assert {sub_of(HUNNAN).status, sub_of(SHENHE).status} == {S.APPROVED}


def test_a_county_posting_to_the_queue_changes_nothing(both_in, sub_of, hunnan, ganjingzi, client_for, june_round):
    for user in (hunnan, ganjingzi):
        response = client_for(user).post(
            f"/reporting/{june_round.pk}/queue/batch", {"action": "approve", "unit": [HUNNAN, SHENHE]}
        )
        assert response.status_code in (400, 404)
    assert client_for(ganjingzi).get(f"/reporting/{june_round.pk}/queue/").content.decode().count("浑南区") == 0
    assert {sub_of(HUNNAN).status, sub_of(SHENHE).status} == {S.SUBMITTED}


# --- The API ---------------------------------------------------------------------------------------


def test_the_api_batch_is_all_or_nothing_with_a_result_per_unit(
    both_in, sub_of, shenyang, dalian, client_for, june_round
):
    base = f"/api/v1/rounds/{june_round.pk}/batch"
    refused = post(client_for(shenyang), f"{base}/return", {"items": [{"unit": HUNNAN}, {"unit": SHENHE}]})
    assert refused.status_code == 409 and refused.json()["applied"] is False
    assert [r["ok"] for r in refused.json()["results"]] == [False, False]
    other = post(client_for(dalian), f"{base}/approve", {"items": [{"unit": HUNNAN}]})
    assert other.status_code == 409 and sub_of(HUNNAN).status == S.SUBMITTED
    body = {"items": [{"unit": HUNNAN, "expected_version": 2}, {"unit": SHENHE, "expected_version": 2}]}
    done = post(client_for(shenyang), f"{base}/approve", body)
    assert done.status_code == 200 and done.json()["applied"] is True
    assert [(r["unit"], r["status"], r["version"]) for r in done.json()["results"]] == [
        (HUNNAN, "approved", 3),
        (SHENHE, "approved", 3),
    ]
    urged = post(client_for(shenyang), f"{base}/urge", {"units": [HUNNAN]})
    assert urged.status_code == 409 and "无需催报" in urged.json()["results"][0]["message"]
    assert post(client_for(shenyang), f"{base}/approve", {"items": []}).status_code in (400, 422)
