"""Background work of reporting: checking and applying uploaded workbooks (tasks), and opening the
planned rounds whose day has come (a recurring job of `kaifang.jobs`)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.tasks import task

from kaifang.audit.services import record_event
from kaifang.core import clock
from kaifang.core.actors import SystemActor
from kaifang.reporting.models import ReportingRound, RoundStatus
from kaifang.reporting.services import open_planned_round


@task
def check_import(batch_id: int) -> str:
    from kaifang.reporting.services.imports import run_check

    return run_check(batch_id).status


@task
def apply_import(batch_id: int) -> str:
    from kaifang.reporting.services.imports import run_apply

    return run_apply(batch_id).status


def open_due_rounds(*, now: datetime.datetime | None = None) -> int:
    """The scheduled job: planned rounds whose opening time has come are opened (each audited)."""
    moment = now or clock.now()
    opened = 0
    for round_ in ReportingRound.objects.filter(status=RoundStatus.PLANNED, opens_at__lte=moment):
        with transaction.atomic():
            changed = ReportingRound.objects.filter(pk=round_.pk, status=RoundStatus.PLANNED).update(
                status=RoundStatus.OPEN, version=round_.version + 1
            )
            if changed:
                open_planned_round(actor=SystemActor("system"), round_=round_)
                record_event(
                    actor=SystemActor("system"),
                    action="reporting.round.opened",
                    obj=round_,
                    before={"status": RoundStatus.PLANNED},
                    after={"status": RoundStatus.OPEN},
                )
                opened += 1
    return opened
