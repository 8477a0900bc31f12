"""Real worker processes (issue 15, findings 3 and 9) on a throwaway database of their own (SQLite
file, or PostgreSQL when DATABASE_URL says so):

- restarted five times (each start schedules the jobs, as the service unit does), every recurring
  job has run once and has exactly one pending run — not one chain per start;
- killed with SIGKILL in the middle of checking an uploaded workbook, the batch is failed with a
  message as soon as a worker starts again — it never stays "检查中" for ever.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kaifang.core.testing import create_database, drop_database

SETUP = r"""
import datetime, django
django.setup()
from django.utils import timezone
from kaifang.core.context import change_context
from kaifang.orgs.demo import load_org_tree
from kaifang.accounts.demo import load_personas
from kaifang.accounts.models import User
from kaifang.orgs.models import OrgUnit
from kaifang.reporting.excel import build_template
from kaifang.reporting.services.imports import upload_workbook
from kaifang.reporting.services import open_round
from kaifang.core.actors import SystemActor
from kaifang.reporting.tests.conftest import JUNE, make_catalogue

with change_context(channel="system"):
    load_org_tree(actor=SystemActor("test"))
    load_personas()
    now = timezone.now()
    round_ = open_round(actor=SystemActor("test"), period=JUNE, name="中断测试", indicators=make_catalogue().values(),
        units=OrgUnit.objects.filter(code="210112"), opens_at=now - datetime.timedelta(days=1),
        deadline=now + datetime.timedelta(days=1))
hunnan = User.objects.get(username="hunnan")
data = build_template(hunnan, round_, hunnan.unit)
batch = upload_workbook(user=hunnan, round_=round_, data=data, filename="浑南区.xlsx")
print(batch.pk)
"""

# The worker of the kill test: the real `kaifang worker`, with the workbook check made slow so the
# test can kill it while the batch is "checking".
SLOW_WORKER = r"""
import time, django
django.setup()
from kaifang.reporting.services import imports

def slow_check(**kwargs):
    time.sleep(300)

imports.check_workbook = slow_check
from django.core.management import call_command
call_command("worker", "--interval", "0.2", "--no-startup-delay", "--no-reload")
"""


class Place:
    """A database and the environment of the processes that use it."""

    def __init__(self, tmp: Path) -> None:
        self.url, self.pg_name = create_database("jobs", tmp)
        self.env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "KAIFANG_VAR_DIR": str(tmp),
            "KAIFANG_DEBUG": "0",
            "KAIFANG_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "KAIFANG_JOB_INTERVAL_SECONDS": "3600",
            "DJANGO_SETTINGS_MODULE": "kaifang.settings",
        }

    def run(self, *args: str) -> str:
        done = subprocess.run([sys.executable, *args], env=self.env, capture_output=True, text=True, check=True)
        return done.stdout

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, *args], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if self.pg_name is None:
            db = sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=20)
            try:
                rows = db.execute(sql.replace("%s", "?"), params).fetchall()
                db.commit()
                return rows
            finally:
                db.close()
        import psycopg

        with psycopg.connect(self.url) as conn:
            cursor = conn.execute(sql, params)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []

    def wait_for(self, sql: str, expected: Any, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.query(sql) == expected:
                return
            time.sleep(0.2)
        raise AssertionError(f"{sql} never gave {expected}: {self.query(sql)}")


@pytest.fixture(scope="module")
def place() -> Iterator[Place]:
    with tempfile.TemporaryDirectory(prefix="kaifang-jobs-") as tmp:
        here = Place(Path(tmp))
        try:
            here.run("-m", "kaifang.cli", "migrate", "-v0")
            yield here
        finally:
            drop_database(here.pg_name)


MINUTE_JOBS = ("audit_flush_denials", "jobs_reap_dead_runs", "notifications_deliver_due")


def stop(worker: subprocess.Popen[bytes]) -> None:
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=60)


def test_restarting_the_worker_five_times_runs_each_job_once_with_one_pending_run(place):
    jobs = 10  # kaifang.jobs.scheduled_jobs(): the reporting calendar's round opener and channel sends included
    started = time.monotonic()
    for _start in range(5):
        worker = place.start("-m", "kaifang.cli", "worker", "--interval", "0.2", "--no-startup-delay", "--no-reload")
        place.wait_for("SELECT COUNT(*) FROM core_scheduledjob WHERE runs >= 1", [(jobs,)])
        stop(worker)
        pending = place.query(
            "SELECT args_kwargs, COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status = 'READY' "
            "AND task_path = 'kaifang.jobs.run_job' GROUP BY args_kwargs"
        )
        assert len(pending) == jobs and all(count == 1 for _args, count in pending), pending
    minutes = int((time.monotonic() - started) // 60)
    runs = dict(place.query("SELECT name, runs FROM core_scheduledjob"))
    # The hourly jobs (KAIFANG_JOB_INTERVAL_SECONDS=3600) ran once in all, the two every-minute ones at
    # most once a minute. Before: each start began a cycle of its own, and every job ran five times.
    assert all(n == 1 for name, n in runs.items() if name not in MINUTE_JOBS), runs
    assert all(1 <= n <= 1 + minutes for name, n in runs.items() if name in MINUTE_JOBS), runs


EXTRA_RUNS = r"""
import django
django.setup()
from kaifang.jobs import run_job, scheduled_jobs
for job in scheduled_jobs():
    run_job.enqueue(job.name)
"""


def test_two_runs_of_a_job_taken_by_two_workers_at_once_run_it_once(place):
    before = dict(place.query("SELECT name, runs FROM core_scheduledjob"))
    past = "2000-01-01 00:00:00"
    place.query("UPDATE core_scheduledjob SET next_run_at = %s", (past,))
    place.query("UPDATE django_tasks_database_dbtaskresult SET run_after = %s WHERE status = 'READY'", (past,))
    place.run("-c", EXTRA_RUNS)  # a second run of every job, due now (as a race or an old cycle would leave)
    workers = [
        place.start("-m", "kaifang.cli", "worker", "--interval", "0.1", "--no-startup-delay", "--no-reload")
        for _ in range(2)
    ]
    try:
        place.wait_for(
            "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING') "
            "AND (run_after <= CURRENT_TIMESTAMP OR run_after >= '9000-01-01') "  # due now, or "as soon as possible"
            "AND task_path = 'kaifang.jobs.run_job'",
            [(0,)],
        )
        time.sleep(1)
    finally:
        for worker in workers:
            stop(worker)
    runs = dict(place.query("SELECT name, runs FROM core_scheduledjob"))
    assert {name: runs[name] - before[name] for name in before} == dict.fromkeys(before, 1)


def test_a_worker_killed_mid_check_leaves_no_batch_in_progress_after_the_next_start(place):
    batch_id = int(place.run("-c", SETUP).split()[-1])
    status = f"SELECT status FROM reporting_importbatch WHERE id = {batch_id}"
    worker = place.start("-c", SLOW_WORKER)
    place.wait_for(status, [("checking",)])
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    time.sleep(0.5)
    assert place.query(status) == [("checking",)]  # what the issue saw: "检查中 1%" …
    restarted = place.start("-m", "kaifang.cli", "worker", "--interval", "0.2", "--no-startup-delay", "--no-reload")
    try:
        place.wait_for(status, [("failed",)], seconds=60)  # … until a worker starts again: failed
    finally:
        stop(restarted)
    ((summary, progress),) = place.query(f"SELECT summary, progress FROM reporting_importbatch WHERE id = {batch_id}")
    assert "处理进程已退出" in summary and "未保存任何数据" in summary and progress == 100
    dead = place.query(
        "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult "
        "WHERE task_path = 'kaifang.reporting.jobs.check_import' AND status = 'RUNNING'"
    )
    assert dead == [(0,)]
