"""Four eyes (四眼原则): whoever registers a task (立项) does not review or issue it — on the page, in
the API and on the command line — unless a small office's setting allows one person; the audit
trail shows both people. Sign and start (签收) is one step."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from kaifang.accounts.models import Role, User
from kaifang.audit.models import AuditEvent
from kaifang.supervision import services
from kaifang.supervision.models import Task, TaskState
from kaifang.supervision.tests.factories import make_task

pytestmark = pytest.mark.django_db
DEADLINE = datetime.date(2018, 12, 31)


@pytest.fixture
def second_supervisor(province: User) -> User:
    return User.objects.create(
        username="province2",
        role=Role.PROVINCE_SUPERVISOR,
        unit=province.unit,
        is_active=True,
        scope_granted_at=province.scope_granted_at,
    )


def registered_by(user: User) -> Task:
    return services.create_task(actor=user, title="推进跨境电商综试区建设", lead_unit="210112", deadline=DEADLINE)


def test_the_creator_may_not_review_or_issue_but_another_supervisor_may(
    province: User, second_supervisor: User
) -> None:
    task = registered_by(province)
    with pytest.raises(PermissionDenied, match="四眼原则"):
        services.transition(actor=province, task=task, action="review")
    assert Task.objects.get(pk=task.pk).state == TaskState.DRAFT
    task = services.transition(actor=second_supervisor, task=task, action="review")
    task = services.transition(actor=second_supervisor, task=task, action="issue")
    assert task.state == TaskState.ISSUED
    events = AuditEvent.objects.filter(object_id=str(task.pk), action__startswith="supervision.task.")
    who = {e.action: e.actor_username for e in events}
    assert who["supervision.task.create"] == "province"
    assert who["supervision.task.review"] == "province2" and who["supervision.task.issue"] == "province2"


def test_the_creator_may_not_issue_a_task_someone_else_reviewed(province: User, second_supervisor: User) -> None:
    task = registered_by(province)
    task = services.transition(actor=second_supervisor, task=task, action="review")
    with pytest.raises(PermissionDenied):
        services.transition(actor=province, task=task, action="issue")


def test_a_small_office_setting_allows_one_person(province: User, settings: Any) -> None:
    settings.KAIFANG_TASK_SINGLE_PERSON_OK = True
    task = registered_by(province)
    task = services.transition(actor=province, task=task, action="review")
    assert services.transition(actor=province, task=task, action="issue").state == TaskState.ISSUED


def test_the_page_offers_no_review_to_the_creator_and_says_why(
    client_for: Any, province: User, admin_user: User
) -> None:
    mine = registered_by(province)
    page = client_for(province).get(f"/supervision/tasks/{mine.pk}/").content.decode()
    assert 'data-action="review"' not in page and "四眼原则" in page
    response = client_for(province).post(
        f"/supervision/tasks/{mine.pk}/transition/", {"action": "review", "version": mine.version}
    )
    assert response.status_code == 403 and Task.objects.get(pk=mine.pk).state == TaskState.DRAFT
    theirs = registered_by(admin_user)  # registered by the province admin: the supervisor reviews it
    page = client_for(province).get(f"/supervision/tasks/{theirs.pk}/").content.decode()
    assert 'data-action="review"' in page and "四眼原则" not in page


def test_the_api_refuses_the_creator(client_for: Any, province: User) -> None:
    task = registered_by(province)
    response = client_for(province).post(
        f"/api/v1/tasks/{task.pk}/transitions",
        data=json.dumps({"action": "review", "expected_version": task.version}),
        content_type="application/json",
    )
    assert response.status_code == 403 and "四眼原则" in response.json()["detail"]
    assert Task.objects.get(pk=task.pk).state == TaskState.DRAFT


def test_the_cli_refuses_the_creator_and_lets_another_supervisor_through(
    province: User, second_supervisor: User, capsys: pytest.CaptureFixture[str]
) -> None:
    task = registered_by(province)
    with pytest.raises(CommandError, match="四眼原则"):
        call_command("task_step", task.code, "review", "--user", "province", "--commit")
    call_command("task_step", task.code, "review", "--user", "province2", "--commit")
    assert "已审核" in capsys.readouterr().out


def test_signing_for_a_task_starts_the_work_in_one_step(hunnan: User) -> None:
    task = make_task(lead="210112", state=TaskState.ISSUED)
    task = services.transition(actor=hunnan, task=task, action="acknowledge", on=datetime.date(2018, 5, 2))
    assert (task.state, task.acknowledged_on) == (TaskState.IN_PROGRESS, datetime.date(2018, 5, 2))
    # A task signed for under the old two-step flow can still be started.
    legacy = make_task(lead="210112", state=TaskState.ACKNOWLEDGED, title="旧流程")
    assert services.transition(actor=hunnan, task=legacy, action="start").state == TaskState.IN_PROGRESS
