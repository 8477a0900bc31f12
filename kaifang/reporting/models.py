"""Reporting rounds (报送批次), each unit's submission in a round, cross-indicator rules and imports.

A round asks a set of units for a set of indicators for one month, between an opening time and a
deadline (plus grace days). Each required unit has one `Submission` moving through
draft → submitted → approved | returned → locked (see `kaifang.reporting.workflow`). The figures
themselves are `kaifang.indicators.DataValue` rows, written only by
`kaifang.indicators.services.save_many`; whether a figure may be written is its write window
(`kaifang.indicators.models.FigureWindow`), which the reporting services open, lock and reopen as
rounds and submissions move.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaifang.core import clock
from kaifang.orgs.scope import unit_scope_q

if TYPE_CHECKING:
    from kaifang.accounts.models import User


class RoundStatus(models.TextChoices):
    PLANNED = "planned", _("未开始")
    OPEN = "open", _("填报中")
    CLOSED = "closed", _("已关闭")


class RoundKind(models.TextChoices):
    MONTHLY = "monthly", _("月度报送")
    HISTORICAL = "historical", _("历史数据补录")


class ReportingRoundQuerySet(models.QuerySet["ReportingRound"]):
    def visible_to(self, user: User | Any) -> ReportingRoundQuerySet:
        """Rounds in which at least one unit the user may see must report."""
        return self.filter(unit_scope_q(user, prefix="units__")).distinct()

    def open(self) -> ReportingRoundQuerySet:
        return self.filter(status=RoundStatus.OPEN)

    def counted(self) -> ReportingRoundQuerySet:
        """Rounds that count for completeness and timeliness (not historical back-filling)."""
        return self.filter(kind=RoundKind.MONTHLY)


class ReportingRound(models.Model):
    """One month's collection: which indicators, which units, when it opens and its deadline.

    The deadline is an instant (end of the deadline day, local time). A submission committed
    within `grace_days` days after it is "late within grace"; later is late. A historical round
    (历史数据补录) back-fills earlier months: it has no submissions and never counts for timeliness.
    """

    period = models.DateField(_("期间"))
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=RoundKind.choices, default=RoundKind.MONTHLY)
    indicators = models.ManyToManyField("indicators.Indicator", verbose_name=_("指标"), related_name="rounds")
    units = models.ManyToManyField("orgs.OrgUnit", verbose_name=_("报送单位"), related_name="reporting_rounds")
    opens_at = models.DateTimeField(_("开始时间"))
    deadline = models.DateTimeField(_("截止时间"))
    grace_days = models.PositiveSmallIntegerField(_("宽限天数"), default=0)
    status = models.CharField(_("状态"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    version = models.PositiveIntegerField(default=1)

    objects = ReportingRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("报送批次")
        verbose_name_plural = _("报送批次")
        ordering = ["-period", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("opens_at")),
                name="round_deadline_after_opening",
                violation_error_message=_("截止时间不能早于开始时间"),
            ),
            models.UniqueConstraint(fields=["period", "name"], name="round_unique_period_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def grace_until(self) -> datetime.datetime:
        return self.deadline + datetime.timedelta(days=self.grace_days)

    @property
    def counts_for_timeliness(self) -> bool:
        return self.kind == RoundKind.MONTHLY


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交待审核")
    APPROVED = "approved", _("已审核")
    RETURNED = "returned", _("已退回")
    LOCKED = "locked", _("已锁定")


EDITABLE_STATUSES = (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)
DONE_STATUSES = (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED, SubmissionStatus.LOCKED)


class Timeliness(models.TextChoices):
    ON_TIME = "on_time", _("按时")
    GRACE = "grace", _("宽限期内")
    LATE = "late", _("迟报")


class SubmissionQuerySet(models.QuerySet["Submission"]):
    def visible_to(self, user: User | Any) -> SubmissionQuerySet:
        return self.filter(unit_scope_q(user, prefix="unit__"))

    def awaiting_approval(self) -> SubmissionQuerySet:
        return self.filter(status=SubmissionStatus.SUBMITTED)

    def done(self) -> SubmissionQuerySet:
        return self.filter(status__in=DONE_STATUSES)


class Submission(models.Model):
    """One unit's answer to one round.

    `first_submitted_at` (server time when the first submit committed) decides timeliness, so a
    unit that submitted on time and was returned for a correction is still on time; `submitted_at`
    is the latest submit. Each applied action is a `SubmissionEvent`.
    """

    round = models.ForeignKey(
        ReportingRound, verbose_name=_("报送批次"), on_delete=models.CASCADE, related_name="submissions"
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="submissions"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("首次提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    timeliness = models.CharField(_("及时性"), max_length=8, choices=Timeliness.choices, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_reason = models.TextField(_("退回原因"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=clock.now)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("报送")
        verbose_name_plural = _("报送")
        ordering = ["round", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="submission_once_per_round_unit")]
        indexes = [models.Index(fields=["round", "status"], name="submission_round_status")]

    def __str__(self) -> str:
        return f"{self.unit.name} · {self.round.name}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class SubmissionEvent(models.Model):
    """One applied workflow action. `key` (the form's or the API caller's idempotency key) is
    unique per submission, so a retried or double-clicked action is recognised and applied once."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=12)
    from_status = models.CharField(max_length=10, choices=SubmissionStatus.choices)
    to_status = models.CharField(max_length=10, choices=SubmissionStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    at = models.DateTimeField(_("时间"), default=clock.now)
    reason = models.TextField(_("说明"), blank=True)
    key = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("报送操作记录")
        verbose_name_plural = _("报送操作记录")
        ordering = ["submission_id", "at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "key"], condition=~Q(key=""), name="submission_event_key_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.submission_id} {self.action}"


class RuleOperator(models.TextChoices):
    LE = "le", "≤"
    GE = "ge", "≥"
    LT = "lt", "<"
    EQ = "eq", "="


class ValidationRule(models.Model):
    """A cross-indicator rule stored as data: left OPERATOR right, for the same unit and month.

    E.g. 出口额 ≤ 进出口总额. Both sides compare the reported month (year-to-date figures with
    year-to-date figures: the service derives both). An "error" rule blocks submission.
    """

    code = models.CharField(_("规则代码"), max_length=40, unique=True)
    name = models.CharField(_("规则名称"), max_length=100)
    left = models.ForeignKey(
        "indicators.Indicator", verbose_name=_("左侧指标"), on_delete=models.CASCADE, related_name="+"
    )
    operator = models.CharField(_("关系"), max_length=2, choices=RuleOperator.choices)
    right = models.ForeignKey(
        "indicators.Indicator", verbose_name=_("右侧指标"), on_delete=models.CASCADE, related_name="+"
    )
    message = models.CharField(_("提示"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("校验规则")
        verbose_name_plural = _("校验规则")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    CHECKING = "checking", _("检查中")
    CHECKED = "checked", _("已检查")
    FAILED = "failed", _("检查未通过")
    APPLYING = "applying", _("导入中")
    APPLIED = "applied", _("已导入")


class ImportBatchQuerySet(models.QuerySet["ImportBatch"]):
    def visible_to(self, user: User | Any) -> ImportBatchQuerySet:
        """A person sees their own uploads only."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(uploaded_by=user)


class ImportBatch(models.Model):
    """One uploaded workbook: its checks (preview), the versions seen at preview, progress, outcome.

    `sha256` with `round` identifies the file; uploading the same file again finds the applied
    batch and applies nothing.
    """

    round = models.ForeignKey(ReportingRound, on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField(default=0)
    content = models.BinaryField(editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    problems = models.JSONField(default=list)  # [{"sheet", "row", "column", "message"}]
    plan = models.JSONField(default=dict)  # {"units": {code: {indicator: [value, version, comment]}}, "cells": n}
    summary = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    applied_at = models.DateTimeField(null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("Excel 导入")
        verbose_name_plural = _("Excel 导入")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


class Reminder(models.Model):
    """催报: the reviewing unit reminded a unit whose report is not in (draft, not started or returned).
    Counted per unit by `kaifang.reporting.selectors.reminders_by_unit` (supervision reads it)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="reminders")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("催报人"), max_length=150, blank=True)
    at = models.DateTimeField(_("催报时间"), default=clock.now)
    status = models.CharField(_("催报时状态"), max_length=10, choices=SubmissionStatus.choices)
    note = models.CharField(_("附言"), max_length=200, blank=True)
    notified = models.PositiveSmallIntegerField(_("通知人数"), default=0)

    class Meta:
        verbose_name = _("催报记录")
        verbose_name_plural = _("催报记录")
        ordering = ["submission_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.submission_id} {self.at:%Y-%m-%d}"
