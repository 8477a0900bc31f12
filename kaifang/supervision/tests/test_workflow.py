"""Every transition of the lifecycle table, tried by every persona, on a top-level task and a sub-task.

A top-level task is issued by the province and led by 浑南区; a sub-task is split off by 沈阳市
for 浑南区. Allowed steps move the task; a step the table does not know is refused with a clear
message; a known step by the wrong person is refused as forbidden; refusals change nothing.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kaifang.accounts.models import User
from kaifang.supervision import services
from kaifang.supervision.models import Task, TaskState, TaskTransition
from kaifang.supervision.tests.factories import make_sub_task, make_task
from kaifang.supervision.workflow import ACTIONS, TRANSITIONS

PERSONAS = ["province", "admin", "shenyang", "hunnan", "shenhe", "dalian", "ganjingzi", "swt", "leader", "auditor"]

# Who may take each step: the province supervisor supervises every task; the splitting city
# (沈阳 officer) supervises its sub-tasks; the lead unit's user (浑南区 reporter) does the work.
SUPERVISORS = {"top": {"province"}, "sub": {"province", "shenyang"}}
LEADS = {"top": {"hunnan"}, "sub": {"hunnan"}}


def expected(kind: str, persona: str, state: str, action: str) -> str:
    step = TRANSITIONS.get((state, action))
    if step is None:
        return "invalid"
    allowed = set()
    if "supervisor" in step.actors:
        allowed |= SUPERVISORS[kind]
    if "lead" in step.actors:
        allowed |= LEADS[kind]
    return "ok" if persona in allowed else "forbidden"


@pytest.mark.parametrize("kind", ["top", "sub"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_may_take_exactly_the_steps_the_table_gives_its_role(db: None, kind: str, persona: str) -> None:
    user = User.objects.select_related("unit").get(username=persona)
    task = make_sub_task() if kind == "sub" else make_task(lead="210112")
    outcomes: dict[tuple[str, str], str] = {}
    for state in TaskState.values:
        for action in ACTIONS:
            Task.objects.filter(pk=task.pk).update(state=state, version=1)
            fresh = Task.objects.get(pk=task.pk)
            try:
                moved = services.transition(actor=user, task=fresh, action=action, reason="理由", expected_version=1)
            except ValidationError as exc:
                outcomes[(state, action)] = "invalid"
                assert "不能执行" in exc.messages[0]
            except PermissionDenied as exc:
                outcomes[(state, action)] = "forbidden"
                assert "无权" in str(exc)
            else:
                outcomes[(state, action)] = "ok"
                assert moved.state == TRANSITIONS[(state, action)].to
                assert moved.version == 2
                continue
            unchanged = Task.objects.get(pk=task.pk)
            assert (unchanged.state, unchanged.version) == (state, 1)
    wanted = {(s, a): expected(kind, persona, s, a) for s in TaskState.values for a in ACTIONS}
    assert outcomes == wanted


def test_the_table_covers_the_whole_lifecycle_in_order(province: User, hunnan: User) -> None:
    task = make_task(lead="210112")
    day = datetime.date(2018, 5, 1)
    steps = [
        (province, "review"),
        (province, "issue"),
        (hunnan, "acknowledge"),  # 签收 starts the work: no separate "开始办理"
        (hunnan, "claim"),
        (province, "return"),
        (hunnan, "resume"),
        (hunnan, "claim"),
        (province, "close"),
    ]
    for actor, action in steps:
        task = services.transition(actor=actor, task=task, action=action, reason="补充材料", on=day)
    assert task.state == TaskState.CLOSED
    assert (task.issued_on, task.acknowledged_on, task.claimed_on, task.closed_on) == (day, day, day, day)
    assert TaskTransition.objects.filter(task=task).count() == len(steps)


def test_returning_a_claim_needs_a_reason_and_changes_nothing_without_one(province: User) -> None:
    task = make_task(lead="210112", state=TaskState.COMPLETION_CLAIMED)
    with pytest.raises(ValidationError) as info:
        services.transition(actor=province, task=task, action="return", reason="  ")
    assert "理由" in str(info.value)
    assert Task.objects.get(pk=task.pk).state == TaskState.COMPLETION_CLAIMED


def test_a_stale_version_is_refused_with_a_clear_message_and_nothing_changes(hunnan: User) -> None:
    task = make_task(lead="210112", state=TaskState.ISSUED)
    with pytest.raises(ValidationError) as info:
        services.transition(actor=hunnan, task=task, action="acknowledge", expected_version=task.version - 1 or 99)
    assert info.value.code == "stale"
    assert "已被他人修改" in info.value.messages[0]
    assert Task.objects.get(pk=task.pk).state == TaskState.ISSUED


def test_a_double_submitted_acknowledgement_applies_once(hunnan: User) -> None:
    task = make_task(lead="210112", state=TaskState.ISSUED)
    services.transition(actor=hunnan, task=task, action="acknowledge", expected_version=task.version)
    with pytest.raises(ValidationError):
        services.transition(actor=hunnan, task=task, action="acknowledge", expected_version=task.version)
    assert TaskTransition.objects.filter(task=task, action="acknowledge").count() == 1
