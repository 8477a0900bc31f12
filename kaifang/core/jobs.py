"""Scheduled work, run by the database task worker (`kaifang db_worker`).

`run_scheduled_jobs` runs every job below, then enqueues itself again `JOB_INTERVAL` later, so one
`kaifang schedule_jobs` (run by `make demo` and by the deployment's start script) keeps the cycle
going. Each job is idempotent: running it twice creates nothing new the second time.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.tasks import task
from django.utils import timezone

logger = logging.getLogger(__name__)
JOB_INTERVAL = datetime.timedelta(minutes=15)


def scheduled_jobs() -> list[tuple[str, Callable[[], object]]]:
    """The jobs, in order. Each business area adds its own here (explicitly, no registry)."""
    jobs: list[tuple[str, Callable[[], object]]] = []
    from kaifang.supervision.reminders import send_task_reminders

    jobs.append(("supervision_reminders", send_task_reminders))
    from kaifang.ledgers.jobs import remind_lead_timers

    jobs.append(("ledgers_lead_timers", remind_lead_timers))
    from kaifang.accounts.lifecycle import disable_stale_accounts
    from kaifang.audit.archive import nightly_audit_job
    from kaifang.security.jobs import clear_expired_sessions

    jobs.append(("accounts_disable_stale", disable_stale_accounts))
    jobs.append(("audit_verify_and_archive", nightly_audit_job))
    jobs.append(("sessions_clear_expired", clear_expired_sessions))
    return jobs


def run_all_jobs() -> dict[str, str]:
    results: dict[str, str] = {}
    for name, job in scheduled_jobs():
        try:
            results[name] = str(job())
        except Exception:  # one failing job must not stop the others
            logger.exception("scheduled job %s failed", name)
            results[name] = "failed"
    return results


@task
def run_scheduled_jobs(reschedule: bool = True) -> dict[str, str]:
    results = run_all_jobs()
    if reschedule:
        # Wall clock: the task worker schedules in real time.
        run_scheduled_jobs.using(run_after=timezone.now() + JOB_INTERVAL).enqueue()
    return results
