"""Recurring jobs (issue 15, finding 9); batches driven by background tasks are kaifang.core.batches.
 Each job has one row in `ScheduledJob` and at most one pending
run in the task queue: `schedule_jobs()` enqueues a run only for a job without one, and a run that
ends enqueues the next (when the job is next due) the same way. So `kaifang schedule_jobs`, run by
every worker start, never starts a second cycle. A run takes the job's lease first: two workers
picking runs of the same job at once run it once; a run that finds the job not yet due does nothing.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.tasks import TaskResultStatus, default_task_backend, task
from django.tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch
from django.utils import timezone

from kaifang.core import batches

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], object]
    every: datetime.timedelta


def job_interval() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.KAIFANG_JOB_INTERVAL_SECONDS)


def scheduled_jobs() -> list[Job]:
    """The jobs, in order. Each business area adds its own here (explicitly, no registry)."""
    from kaifang.accounts.jobs import disable_stale_accounts, warn_expiring_tokens
    from kaifang.audit.archive import nightly_audit_job
    from kaifang.audit.services import flush_denials
    from kaifang.core.batches import reap_dead_runs
    from kaifang.ledgers.jobs import remind_lead_timers
    from kaifang.notifications.delivery import deliver_due
    from kaifang.reporting.jobs import open_due_rounds
    from kaifang.security.jobs import clear_expired_sessions
    from kaifang.supervision.jobs import send_task_reminders

    every = job_interval()
    minute = min(every, datetime.timedelta(minutes=1))
    return [
        Job("supervision_reminders", send_task_reminders, every),
        Job("ledgers_lead_timers", remind_lead_timers, every),
        Job("reporting_open_due_rounds", open_due_rounds, every),
        Job("accounts_disable_stale", disable_stale_accounts, every),
        Job("accounts_token_expiry", warn_expiring_tokens, every),
        Job("audit_verify_and_archive", nightly_audit_job, every),
        Job("audit_flush_denials", flush_denials, minute),
        Job("sessions_clear_expired", clear_expired_sessions, every),
        Job("jobs_reap_dead_runs", reap_dead_runs, minute),
        Job("notifications_deliver_due", deliver_due, minute),
    ]


def job_named(name: str) -> Job | None:
    return next((job for job in scheduled_jobs() if job.name == name), None)


def run_all_jobs() -> dict[str, str]:
    """Every job once, now, in this process (`kaifang schedule_jobs --now`)."""
    results: dict[str, str] = {}
    for job in scheduled_jobs():
        try:
            results[job.name] = str(job.run())
        except Exception:  # one failing job must not stop the others
            logger.exception("scheduled job %s failed", job.name)
            results[job.name] = "failed"
    return results


def _is_pending(task_id: str) -> bool:
    if not task_id:
        return False
    try:
        return run_job.get_result(task_id).status == TaskResultStatus.READY
    except (TaskResultDoesNotExist, TaskResultMismatch, ValueError):
        return False


def _schedule_row(job: Job, now: datetime.datetime) -> Any:
    from kaifang.core.models import ScheduledJob

    try:
        with transaction.atomic():
            ScheduledJob.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
    except IntegrityError:  # created by a concurrent start
        pass
    return ScheduledJob.objects.select_for_update().get(name=job.name)


def schedule_jobs(names: list[str] | None = None) -> int:
    """Enqueue one run of each job (or of `names`) that has no pending run; returns how many."""
    if not default_task_backend.supports_defer:
        logger.warning("the task backend cannot run jobs later; recurring jobs are not scheduled")
        return 0
    enqueued = 0
    now = timezone.now()
    for job in scheduled_jobs():
        if names is not None and job.name not in names:
            continue
        with transaction.atomic():
            row = _schedule_row(job, now)
            if _is_pending(row.pending_task_id):
                continue
            result = run_job.using(run_after=max(row.next_run_at, now)).enqueue(job.name)
            row.pending_task_id = str(result.id)
            row.save(update_fields=["pending_task_id"])
            enqueued += 1
    return enqueued


def _take_lease(job: Job, now: datetime.datetime) -> bool:
    """Claim the job for this run; False when it is not due yet or another run holds it."""
    from kaifang.core.models import ScheduledJob

    lease = max(job.every, datetime.timedelta(minutes=10))
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    return bool(
        ScheduledJob.objects.filter(free, name=job.name, next_run_at__lte=now).update(
            lease_until=now + lease, last_started_at=now
        )
    )


def resume_after_dead_run(name: str) -> None:
    """A run of `name` died with its worker (the reaper saw it): its period is still owed, so the
    lease is freed at once (not after it expires) and a new run is enqueued; the job's own dedup
    keys make finishing the half-done period safe."""
    from kaifang.core.models import ScheduledJob

    ScheduledJob.objects.filter(name=name).update(lease_until=None)
    schedule_jobs([name])


@task
def run_job(name: str) -> str:
    """One run of a recurring job, then the next run is enqueued (at most one pending)."""
    from kaifang.core.batches import reap_dead_runs
    from kaifang.core.models import ScheduledJob

    job = job_named(name)
    if job is None:
        return "unknown"
    reap_dead_runs()  # a run killed with its worker (even the reaper's own) frees its job first
    now = timezone.now()
    outcome = "skipped"
    try:
        if _take_lease(job, now):
            try:
                outcome = str(job.run())[:200]
            except Exception:
                logger.exception("scheduled job %s failed", name)
                outcome = "failed"
            finished = timezone.now()
            ScheduledJob.objects.filter(name=name).update(
                next_run_at=now + job.every,
                lease_until=None,
                last_finished_at=finished,
                last_outcome=outcome,
                runs=F("runs") + 1,
            )
    finally:
        schedule_jobs([name])
    return outcome


batches.RESUMERS["kaifang.jobs.run_job"] = resume_after_dead_run  # the reaper resumes a killed run's job
