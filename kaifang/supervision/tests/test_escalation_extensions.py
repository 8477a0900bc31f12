"""Yellow → red card (挂牌督办) on overdue tasks; extension requests (延期申请) end to end in services."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kaifang.accounts.models import User
from kaifang.notifications.models import Notification
from kaifang.supervision import services
from kaifang.supervision.models import ActionKind, ExtensionStatus, Task, TaskState
from kaifang.supervision.selectors import light_of, steps_of
from kaifang.supervision.tests.factories import make_task

D = datetime.date.fromisoformat
pytestmark = pytest.mark.django_db


def test_an_overdue_task_gets_a_yellow_card_then_a_red_one_that_tells_the_province(province: User) -> None:
    task = make_task(lead="210112", state=TaskState.ISSUED, issued_on=D("2018-09-28"))  # 签收 due 8 October
    with pytest.raises(ValidationError, match="没有逾期"):
        services.escalate_task(actor=province, task=task, reason="未签收", on=D("2018-10-08"))
    yellow = services.escalate_task(actor=province, task=task, reason="未按时签收", on=D("2018-10-09"))
    assert yellow.kind == ActionKind.YELLOW_CARD and yellow.message == "签收逾期：未按时签收"
    assert not Notification.objects.filter(kind="task_red_card").exists()
    red = services.escalate_task(actor=province, task=task, reason="仍未签收", on=D("2018-10-12"))
    assert red.kind == ActionKind.RED_CARD
    assert Notification.objects.filter(kind="task_red_card", recipient__unit__code="210000").exists()
    with pytest.raises(ValidationError, match="已挂牌督办"):
        services.escalate_task(actor=province, task=task, reason="再次", on=D("2018-10-15"))


def test_the_lead_unit_cannot_card_its_own_task(hunnan: User) -> None:
    task = make_task(lead="210112", state=TaskState.ISSUED, issued_on=D("2018-09-28"))
    with pytest.raises(PermissionDenied):
        services.escalate_task(actor=hunnan, task=task, reason="x", on=D("2018-10-09"))


def test_an_approved_extension_moves_the_deadline_and_the_light_says_so(province: User, hunnan: User) -> None:
    task = make_task(lead="210112", state=TaskState.IN_PROGRESS, deadline=D("2018-09-30"), progress=80)
    request = services.request_extension(
        actor=hunnan, task=task, new_deadline=D("2018-10-31"), reason="国庆假期影响外商来访", on=D("2018-09-25")
    )
    assert Notification.objects.filter(kind="task_extension_requested").exists()
    with pytest.raises(ValidationError, match="待审批"):
        services.request_extension(actor=hunnan, task=task, new_deadline=D("2018-11-30"), reason="再延")
    services.decide_extension(actor=province, request=request, approve=True, on=D("2018-09-27"))
    task = Task.objects.get(pk=task.pk)
    assert (task.deadline, task.original_deadline, task.extension_count) == (D("2018-10-31"), D("2018-09-30"), 1)
    # On 8 October the old deadline has passed, the approved one has not: no 办结逾期.
    assert not any(s.overdue for s in steps_of(task, today=D("2018-10-08")) if s.key == "finish")
    light = light_of(task, today=D("2018-10-08"))
    assert "已批准延期" in light.rule and "原时限2018年9月30日" in light.rule
    late = light_of(task, today=D("2018-11-02"))
    assert late.color == "red" and "2018年10月31日，已批准延期，原时限2018年9月30日" in late.rule


def test_a_refusal_needs_a_reason_and_keeps_the_deadline(province: User, hunnan: User) -> None:
    task = make_task(lead="210112", state=TaskState.IN_PROGRESS, deadline=D("2018-09-30"))
    request = services.request_extension(actor=hunnan, task=task, new_deadline=D("2018-10-31"), reason="人手不足")
    with pytest.raises(ValidationError):
        services.decide_extension(actor=province, request=request, approve=False, note=" ")
    services.decide_extension(actor=province, request=request, approve=False, note="理由不充分")
    request.refresh_from_db()
    assert request.status == ExtensionStatus.REFUSED and request.decision_note == "理由不充分"
    assert Task.objects.get(pk=task.pk).deadline == D("2018-09-30")
    # The history stays and a new request may follow.
    services.request_extension(actor=hunnan, task=task, new_deadline=D("2018-10-15"), reason="补充说明")
    assert task.extensions.count() == 2


def test_only_the_lead_unit_asks_and_only_the_issuer_decides(province: User, hunnan: User, shenhe: User) -> None:
    task = make_task(lead="210112", state=TaskState.IN_PROGRESS, deadline=D("2018-09-30"))
    with pytest.raises(PermissionDenied):
        services.request_extension(actor=shenhe, task=task, new_deadline=D("2018-10-31"), reason="x")
    with pytest.raises(ValidationError, match="应晚于"):
        services.request_extension(actor=hunnan, task=task, new_deadline=D("2018-09-30"), reason="x")
    request = services.request_extension(actor=hunnan, task=task, new_deadline=D("2018-10-31"), reason="x")
    for other in (hunnan, shenhe):
        with pytest.raises(PermissionDenied):
            services.decide_extension(actor=other, request=request, approve=True)
    assert Task.objects.get(pk=task.pk).extension_count == 0
