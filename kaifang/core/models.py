"""The recurring-job schedule: one row per job (kaifang.jobs)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduledJob(models.Model):
    """One recurring job: when it is next due, its one pending run in the task queue, and a lease
    that keeps two workers from running it at once. There is never more than one pending run of a
    job, however often `kaifang schedule_jobs` runs or the worker restarts."""

    name = models.CharField(_("任务"), max_length=64, unique=True)
    next_run_at = models.DateTimeField(_("下次运行"))
    pending_task_id = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_started_at = models.DateTimeField(_("上次开始"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("上次结束"), null=True, blank=True)
    last_outcome = models.CharField(_("上次结果"), max_length=200, blank=True)
    runs = models.PositiveIntegerField(_("运行次数"), default=0)

    class Meta:
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")

    def __str__(self) -> str:
        return self.name
