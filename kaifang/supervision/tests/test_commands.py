"""`kaifang urge` and `kaifang run_reminders`: the same services, safe by default, one-line summaries."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from kaifang.audit.models import AuditEvent
from kaifang.supervision.models import SupervisionAction, TaskState
from kaifang.supervision.tests.factories import make_task

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_urge_without_commit_only_says_what_it_would_do() -> None:
    task = make_task(lead="210112", state=TaskState.IN_PROGRESS)
    text = run("urge", task.code, "--message", "请加快", "--user", "province")
    assert "加 --commit 执行" in text
    assert not SupervisionAction.objects.exists()


def test_urge_with_commit_urges_through_the_service_on_the_cli_channel() -> None:
    task = make_task(lead="210112", state=TaskState.IN_PROGRESS)
    text = run("urge", task.code, "--message", "请加快", "--user", "province", "--commit")
    assert text.strip() == f"已催办 {task.code}（浑南区）。"
    assert SupervisionAction.objects.get().message == "请加快"
    assert AuditEvent.objects.get(action="supervision.task.urge").channel == "cli"


@pytest.mark.parametrize(("user", "message"), [("shenhe", "不在 shenhe 的权限范围内"), ("hunnan", "只有督查人员")])
def test_urge_refuses_users_outside_scope_or_without_the_right(user: str, message: str) -> None:
    task = make_task(lead="210112", state=TaskState.IN_PROGRESS)
    with pytest.raises(CommandError, match=message):
        run("urge", task.code, "--message", "x", "--user", user, "--commit")
    assert not SupervisionAction.objects.exists()


def test_run_reminders_prints_its_counts_and_a_second_run_sends_nothing(settings: object) -> None:
    settings.KAIFANG_DEMO_TODAY = "2018-07-05"  # type: ignore[attr-defined]
    make_task(lead="210112", state=TaskState.IN_PROGRESS, deadline=datetime.date(2018, 7, 6), report_day=None)
    assert (
        run("run_reminders").strip() == "督办提醒已发送：临期提醒 1 条，超期提醒 0 条，缺报提醒 0 条，环节逾期提醒 0 条"
    )
    assert (
        run("run_reminders").strip() == "督办提醒已发送：临期提醒 0 条，超期提醒 0 条，缺报提醒 0 条，环节逾期提醒 0 条"
    )
