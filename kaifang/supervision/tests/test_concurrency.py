"""Several people pressing the same button at once on PostgreSQL: one step applies, the rest are told why."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

from kaifang.accounts.models import User
from kaifang.audit.models import AuditEvent
from kaifang.supervision import services
from kaifang.supervision.models import ProgressReport, Task, TaskState, TaskTransition
from kaifang.supervision.tests.factories import make_task

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

THREADS = 6


def run_threads(work: Callable[[int], str]) -> list[str]:
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def runner(i: int) -> None:
        try:
            barrier.wait()
            result = work(i)
        except ValidationError as exc:
            result = getattr(exc, "code", None) or "invalid"
        except Exception as exc:  # recorded: the assertion shows it
            result = f"error: {exc!r}"
        finally:
            close_old_connections()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.fixture
def hunnan_user(base_data: None) -> User:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL")
    return User.objects.select_related("unit").get(username="hunnan")


def test_six_simultaneous_acknowledgements_of_one_version_apply_once(hunnan_user: User) -> None:
    task = make_task(lead="210112", state=TaskState.ISSUED)

    def work(_i: int) -> str:
        services.transition(actor=hunnan_user, task=task, action="acknowledge", expected_version=task.version)
        return "ok"

    outcomes = run_threads(work)
    assert sorted(outcomes) == ["ok"] + ["stale"] * (THREADS - 1)
    assert Task.objects.get(pk=task.pk).state == TaskState.IN_PROGRESS  # 签收 starts the work in the same step
    assert TaskTransition.objects.filter(task=task).count() == 1
    assert AuditEvent.objects.filter(action="supervision.task.acknowledge", object_id=str(task.pk)).count() == 1


def test_simultaneous_reports_on_one_version_keep_one_and_refuse_the_rest(hunnan_user: User) -> None:
    task = make_task(lead="210112", state=TaskState.IN_PROGRESS)

    def work(i: int) -> str:
        services.submit_progress_report(
            actor=hunnan_user, task=task, text=f"第{i}份", percent=10 + i, expected_version=task.version
        )
        return "ok"

    outcomes = run_threads(work)
    assert sorted(outcomes) == ["ok"] + ["stale"] * (THREADS - 1)
    report = ProgressReport.objects.get(task=task)
    assert Task.objects.get(pk=task.pk).progress == report.percent
