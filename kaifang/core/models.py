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


class WorkdayOverride(models.Model):
    """A local exception to the national calendar (省内调休、临时放假): that day is, or is not, worked.

    `kaifang.core.workdays` consults these before the `chinese-calendar` data. Changed only through
    `kaifang.project.services.set_override` (audited)."""

    day = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("上班"))
    note = models.CharField(_("依据"), max_length=200)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {'上班' if self.is_workday else '放假'}"
