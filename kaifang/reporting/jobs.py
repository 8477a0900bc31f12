"""Background work of reporting: checking and applying uploaded workbooks."""

from __future__ import annotations

from django.tasks import task


@task
def check_import(batch_id: int) -> str:
    from kaifang.reporting.services.imports import run_check

    return run_check(batch_id).status


@task
def apply_import(batch_id: int) -> str:
    from kaifang.reporting.services.imports import run_apply

    return run_apply(batch_id).status
