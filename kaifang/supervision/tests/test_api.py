"""/api/v1/tasks through the same services and guard; another county sees and changes nothing."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest

from kaifang.accounts.models import User
from kaifang.supervision.models import ProgressReport, SupervisionAction, Task, TaskState
from kaifang.supervision.tests.factories import make_task

D = datetime.date
pytestmark = pytest.mark.django_db
BASE = "/api/v1/tasks"


@pytest.fixture(autouse=True)
def demo_day(settings: object) -> None:
    settings.KAIFANG_DEMO_TODAY = "2018-07-05"  # type: ignore[attr-defined]


def post(client: Any, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, json.dumps(data), content_type="application/json")


def test_the_list_is_scoped_and_filtered_by_light(client_for, hunnan: User) -> None:  # type: ignore[no-untyped-def]
    red = make_task(lead="210112", state=TaskState.IN_PROGRESS, deadline=D(2018, 6, 30), report_day=None)
    make_task(lead="210112", state=TaskState.IN_PROGRESS, deadline=D(2018, 12, 31), report_day=None, progress=90)
    make_task(lead="210103", state=TaskState.IN_PROGRESS)
    client = client_for(hunnan)
    rows = client.get(BASE).json()["items"]
    assert {r["lead_unit"]["code"] for r in rows} == {"210112"}
    reds = client.get(BASE, {"light": "red"}).json()["items"]
    assert [r["code"] for r in reds] == [red.code]
    assert reds[0]["light_rule"] == "已超过办理时限（2018年6月30日）5天"


def test_the_supervisor_creates_a_draft_and_a_county_may_not(client_for, province: User, hunnan: User) -> None:  # type: ignore[no-untyped-def]
    payload = {
        "title": "推进大连港开放",
        "lead_unit": "210200",
        "deadline": "2018-12-31",
        "co_units": ["SWT"],
        "milestones": [{"title": "出台方案", "due_date": "2018-08-31", "done": False}],
    }
    created = post(client_for(province), BASE, payload)
    assert created.status_code == 201
    body = created.json()
    assert body["state"] == "draft" and body["allowed_actions"] == []  # four eyes: not by its creator
    assert post(client_for(hunnan), BASE, {**payload, "title": "越权"}).status_code == 403
    bad = post(client_for(province), BASE, {**payload, "lead_unit": "210000"})
    assert bad.status_code == 400 and "lead_unit" in bad.json()["detail"]
    assert not Task.objects.filter(title="越权").exists()


def test_transitions_need_the_current_version_and_a_stale_one_is_409(client_for, hunnan: User) -> None:  # type: ignore[no-untyped-def]
    task = make_task(lead="210112", state=TaskState.ISSUED)
    client = client_for(hunnan)
    path = f"{BASE}/{task.pk}/transitions"
    ok = post(client, path, {"action": "acknowledge", "expected_version": task.version})
    assert ok.status_code == 200 and ok.json()["state"] == "in_progress"  # 签收 starts the work
    stale = post(client, path, {"action": "claim", "expected_version": task.version})
    assert stale.status_code == 409 and "已被他人修改" in stale.json()["detail"]
    illegal = post(client, path, {"action": "close", "expected_version": task.version + 1})
    assert illegal.status_code == 400 and "不能执行" in illegal.json()["detail"][0]
    assert Task.objects.get(pk=task.pk).state == TaskState.IN_PROGRESS


def test_the_lead_unit_reports_progress_and_the_supervisor_urges(client_for, hunnan: User, province: User) -> None:  # type: ignore[no-untyped-def]
    task = make_task(lead="210112", state=TaskState.IN_PROGRESS)
    report = post(client_for(hunnan), f"{BASE}/{task.pk}/reports", {"text": "完成方案", "percent": 35})
    assert report.status_code == 201 and report.json()["percent"] == 35
    assert client_for(province).get(f"{BASE}/{task.pk}/reports").json()[0]["text"] == "完成方案"
    urged = post(client_for(province), f"{BASE}/{task.pk}/urge", {"message": "请加快"})
    assert urged.status_code == 201 and urged.json()["kind"] == "urge"
    assert post(client_for(hunnan), f"{BASE}/{task.pk}/urge", {"message": "x"}).status_code == 403


@pytest.mark.parametrize(
    ("method", "suffix", "data"),
    [
        ("get", "", None),
        ("get", "/reports", None),
        ("post", "/transitions", {"action": "acknowledge", "expected_version": 1}),
        ("post", "/reports", {"text": "x", "percent": 10}),
        ("post", "/urge", {"message": "x"}),
    ],
)
def test_another_county_gets_404_and_changes_nothing(
    client_for, shenhe: User, method: str, suffix: str, data: Any
) -> None:  # type: ignore[no-untyped-def]
    task = make_task(lead="210112", state=TaskState.ISSUED)
    client = client_for(shenhe)
    path = f"{BASE}/{task.pk}{suffix}"
    response = client.get(path) if method == "get" else post(client, path, data)
    assert response.status_code == 404
    fresh = Task.objects.get(pk=task.pk)
    assert (fresh.state, fresh.version) == (TaskState.ISSUED, task.version)
    assert not ProgressReport.objects.filter(task=task).exists()
    assert not SupervisionAction.objects.filter(task=task).exists()


def test_anonymous_callers_are_refused(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get(BASE).status_code == 401


def test_the_same_idempotency_key_creates_one_task(client_for, province: User) -> None:  # type: ignore[no-untyped-def]
    client = client_for(province)
    payload = json.dumps({"title": "接口重复提交", "lead_unit": "210200", "deadline": "2018-12-31"})
    for _ in range(2):
        response = client.post(BASE, payload, content_type="application/json", headers={"Idempotency-Key": "k-1"})
        assert response.status_code == 201
    assert Task.objects.filter(title="接口重复提交").count() == 1
