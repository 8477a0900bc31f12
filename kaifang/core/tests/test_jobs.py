"""Background work in-process (issue 15, findings 3 and 9): a failed batch task fails its batch with a
message, absurd numbers in a workbook are a located problem instead of a crash, and the recurring
jobs keep one pending run each however often they are scheduled. The same with real worker processes
(restarted, killed) is test_jobs_worker.py."""

from __future__ import annotations

import datetime

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from freezegun import freeze_time

import kaifang.urls  # noqa: F401  (the API's schemas are built before a test freezes the time)
from kaifang import jobs
from kaifang.core import batches
from kaifang.core.models import ScheduledJob
from kaifang.core.spreadsheets import NumberOutOfRange, to_decimal
from kaifang.ledgers.models import InvestmentProject
from kaifang.ledgers.services.imports import import_ledger
from kaifang.ledgers.tests.test_imports import project_row, talent_row, workbook
from kaifang.reporting.excel import build_template
from kaifang.reporting.models import ImportStatus
from kaifang.reporting.tests.conftest import make_catalogue, make_round
from kaifang.reporting.tests.test_excel import fill, hunnan_values, upload

pytestmark = pytest.mark.django_db
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def june_round(db):  # type: ignore[no-untyped-def]
    return make_round(make_catalogue())


# --- Absurd numbers (SEC-27) ------------------------------------------------------------------------


@pytest.mark.parametrize("value", [1e28, 1e30, 10**28, "1e28", "1" + "0" * 28, -1e28, 1e15])
def test_sec_27_a_number_of_1e15_or_more_is_out_of_range_not_a_crash(value):
    with pytest.raises(ValueError) as raised:
        to_decimal(value)
    if not isinstance(value, str) or value.isdigit():
        assert isinstance(raised.value, NumberOutOfRange) and "1,000,000,000,000,000" in str(raised.value)


def test_sec_27_the_largest_number_below_the_limit_is_read_exactly():
    assert str(to_decimal("999999999999999.99")) == "999999999999999.99"


def test_sec_27_a_1e28_amount_in_a_ledger_import_is_a_located_problem_not_a_500(dalian):
    rows = [project_row("A1"), project_row("A2", amount=1e28)]
    result = import_ledger(user=dalian, data=workbook(rows), filename="l.xlsx", commit=True)
    assert not result.committed and not InvestmentProject.objects.exists()  # all or nothing
    (problem,) = result.problems
    assert problem.row == 3 and "协议投资额" in problem.message and "1,000,000,000,000" in str(problem)


def test_sec_27_a_headcount_past_its_range_is_a_located_problem(dalian):
    bad = talent_row("T1")
    bad[3] = 10**30
    result = import_ledger(user=dalian, data=workbook([], [bad]), filename="t.xlsx", commit=False)
    (problem,) = result.problems
    assert problem.row == 2 and "人数" in problem.message


def test_sec_27_a_1e28_cell_in_a_reporting_import_ends_the_check_as_failed_not_at_1_percent(hunnan, june_round):
    data = fill(build_template(hunnan, june_round, hunnan.unit), hunnan_values(EXPORT=1e28))
    batch = upload(hunnan, june_round, data)
    assert batch.status == ImportStatus.FAILED and batch.progress == 100
    assert any("数值超出允许范围" in p["text"] or "不是数字" in p["text"] for p in batch.problems)


# --- A failing batch task fails its batch -----------------------------------------------------------


def test_a_batch_whose_task_raises_ends_failed_with_a_message(hunnan, june_round, monkeypatch):
    from kaifang.reporting.services import imports

    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("unexpected")

    monkeypatch.setattr(imports, "check_workbook", broken)
    data = fill(build_template(hunnan, june_round, hunnan.unit), hunnan_values())
    batch = upload(hunnan, june_round, data)  # the check runs as a background task (immediate in tests)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED and batch.progress == 100
    assert "后台处理出错（RuntimeError）" in batch.summary and "未保存任何数据" in batch.summary


def test_a_batch_its_task_finished_itself_keeps_its_own_outcome(hunnan, june_round):
    data = fill(build_template(hunnan, june_round, hunnan.unit), hunnan_values())
    batch = upload(hunnan, june_round, data)
    assert batch.status == ImportStatus.CHECKED
    assert batches.fail_batch("kaifang.reporting.jobs.check_import", [batch.pk], "x") == 0


def test_the_reaper_fails_a_running_task_of_a_dead_worker_and_its_batch(hunnan, june_round, settings):
    """A worker killed mid-check (here: a process id that has exited) leaves a running task; the
    reaper (at every worker start) fails it and its batch."""
    import subprocess

    settings.TASKS = DB_TASKS
    data = fill(build_template(hunnan, june_round, hunnan.unit), hunnan_values())
    batch = upload(hunnan, june_round, data)  # queued, not run: the database backend has no worker here
    ImportBatch = type(batch)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.CHECKING, progress=1)
    dead = subprocess.Popen(["true"])
    dead.wait()
    DBTaskResult.objects.filter(task_path="kaifang.reporting.jobs.check_import").update(
        status=TaskResultStatus.RUNNING,
        worker_ids=[f"{batches.socket.gethostname()[:40]}:{dead.pid}"],
        started_at=timezone.now(),
    )
    assert batches.reap_dead_runs() == 1
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED and "处理进程已退出" in batch.summary
    assert DBTaskResult.objects.get(task_path="kaifang.reporting.jobs.check_import").status == TaskResultStatus.FAILED
    assert batches.reap_dead_runs() == 0


def test_a_task_running_past_the_timeout_on_another_host_is_reaped(settings):
    settings.TASKS = DB_TASKS
    result = jobs.run_job.enqueue("sessions_clear_expired")
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=["elsewhere:1"], started_at=timezone.now()
    )
    assert batches.reap_dead_runs() == 0  # another host's run: not ours to judge yet
    later = timezone.now() + datetime.timedelta(minutes=settings.KAIFANG_JOB_TIMEOUT_MINUTES + 1)
    assert batches.reap_dead_runs(now=later) == 1


# --- Recurring jobs: one schedule ---------------------------------------------------------------------


def pending(name: str) -> int:
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path="kaifang.jobs.run_job", args_kwargs__args=[name]
    ).count()


def test_scheduling_again_and_again_keeps_one_pending_run_of_each_job(settings):
    settings.TASKS = DB_TASKS
    names = [job.name for job in jobs.scheduled_jobs()]
    assert jobs.schedule_jobs() == len(names)
    for _ in range(4):  # four more worker starts
        assert jobs.schedule_jobs() == 0
    assert all(pending(name) == 1 for name in names)


def test_a_run_takes_the_lease_so_a_second_run_at_the_same_time_does_nothing(settings):
    settings.TASKS = DB_TASKS
    job = jobs.job_named("sessions_clear_expired")
    assert job is not None
    now = timezone.now()
    ScheduledJob.objects.create(name=job.name, next_run_at=now)
    assert jobs._take_lease(job, now) is True
    assert jobs._take_lease(job, now) is False  # another worker, same moment: skipped


def test_a_run_ends_by_enqueueing_the_next_when_the_job_is_next_due(settings):
    settings.TASKS = DB_TASKS
    start = timezone.now()
    with freeze_time(start):
        jobs.schedule_jobs(["sessions_clear_expired"])
        first = ScheduledJob.objects.get(name="sessions_clear_expired").pending_task_id
        DBTaskResult.objects.filter(pk=first).update(status=TaskResultStatus.RUNNING)  # a worker took it
        assert jobs.run_job.call("sessions_clear_expired") == "ok"
        row = ScheduledJob.objects.get(name="sessions_clear_expired")
        assert row.runs == 1 and row.next_run_at == start + jobs.job_interval()
        # A stray second run right away: not due, nothing runs.
        assert jobs.run_job.call("sessions_clear_expired") == "skipped"
    assert ScheduledJob.objects.get(name="sessions_clear_expired").runs == 1
    nxt = DBTaskResult.objects.get(pk=row.pending_task_id)
    assert nxt.status == TaskResultStatus.READY and nxt.run_after == start + jobs.job_interval()
