"""Batches driven by background tasks (issue 15, finding 3): an uploaded workbook being checked or
applied, a bulletin being rendered. Such a task either ends its batch or the batch is failed with a
message: when the task raises (the `task_finished` signal), and when its worker dies
(`reap_dead_runs`, at every worker start and every minute). No batch stays "in progress" after its
job is gone."""

from __future__ import annotations

import datetime
import functools
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.tasks import TaskResultStatus
from django.tasks.signals import task_finished
from django.utils import timezone

# Task path → what resumes its recurring job after a killed run (the project's job schedule,
# `kaifang.jobs`, registers itself here: core does not import the floors above it).
RESUMERS: dict[str, Callable[[str], None]] = {}

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchTask:
    """A background task whose first argument is the id of a batch row, and how to fail that batch."""

    task_path: str
    model: str
    running: tuple[str, ...]
    failed: str
    message_field: str


def batch_tasks() -> list[BatchTask]:
    """Every background task that drives a batch (explicit, like the job list)."""
    return [
        BatchTask(
            "kaifang.reporting.jobs.check_import",
            "reporting.ImportBatch",
            ("pending", "checking"),
            "failed",
            "summary",
        ),
        BatchTask("kaifang.reporting.jobs.apply_import", "reporting.ImportBatch", ("applying",), "failed", "summary"),
        BatchTask(
            "kaifang.assessment.jobs.generate_bulletin",
            "assessment.Bulletin",
            ("queued", "running"),
            "failed",
            "error",
        ),
    ]


FAILED_MESSAGE = "后台处理出错（{reason}），未保存任何数据。请重新提交；如仍失败，请联系管理员并告知编号 {ref}。"
DIED_MESSAGE = "后台处理中断（处理进程已退出），未保存任何数据。请重新提交；如仍失败，请联系管理员并告知编号 {ref}。"


def fail_batch(task_path: str, args: list[Any], message: str) -> int:
    """Mark the batch of a failed or dead batch task failed with `message` (only while it is still in
    progress: a batch the task already finished or failed itself keeps its own outcome)."""
    spec = next((s for s in batch_tasks() if s.task_path == task_path), None)
    if spec is None or not args:
        return 0
    model = apps.get_model(spec.model)
    changed: dict[str, object] = {"status": spec.failed, spec.message_field: message}
    if any(f.name == "progress" for f in model._meta.fields):
        changed["progress"] = 100
    return int(model.objects.filter(pk=args[0], status__in=spec.running).update(**changed))


@receiver(task_finished)
def fail_the_batch_of_a_failed_task(sender: Any, task_result: Any, **kwargs: Any) -> None:
    if task_result.status != TaskResultStatus.FAILED:
        return
    error = task_result.errors[-1] if task_result.errors else None
    reason = error.exception_class_path.rsplit(".", 1)[-1] if error else "未知错误"
    fail_batch(
        task_result.task.module_path,
        list(task_result.args),
        FAILED_MESSAGE.format(reason=reason, ref=str(task_result.id)[:8]),
    )


def worker_id() -> str:
    """This worker's id in the queue: host and process, so a restart can tell its dead runs."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


def _process_is_gone(worker: str) -> bool:
    host, _sep, pid = worker.rpartition(":")
    if host != socket.gethostname()[:40] or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def reap_dead_runs(*, now: datetime.datetime | None = None) -> int:
    """Fail every running task whose worker process on this host has exited (killed, crashed), and
    every one running longer than KAIFANG_JOB_TIMEOUT_MINUTES (a host that never came back), with
    its batch; returns how many. Run at each worker start and every minute."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    timeout = now - datetime.timedelta(minutes=settings.KAIFANG_JOB_TIMEOUT_MINUTES)
    reaped = 0
    for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        worker = result.worker_ids[-1] if result.worker_ids else ""
        if not (_process_is_gone(worker) or (result.started_at and result.started_at < timeout)):
            continue
        with transaction.atomic():
            if not DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path="kaifang.core.batches.WorkerDied",
                traceback=f"worker {worker} exited while running this task",
            ):
                continue
            args = (result.args_kwargs or {}).get("args", [])
            fail_batch(result.task_path, args, DIED_MESSAGE.format(ref=str(result.pk)[:8]))
            resume = RESUMERS.get(result.task_path)
            if resume is not None and args:
                # The killed run never finished its period: free its lease, enqueue the next run.
                transaction.on_commit(functools.partial(resume, str(args[0])))
        logger.warning("task %s of dead worker %s failed by the reaper", result.pk, worker)
        reaped += 1
    return reaped
