"""Supervised tasks (督办事项): lifecycle, milestones, progress reports and supervision actions."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaifang.core import clock
from kaifang.orgs.scope import unit_scope_q


class TaskState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    REVIEWED = "reviewed", _("已审核")
    ISSUED = "issued", _("已下发")
    ACKNOWLEDGED = "acknowledged", _("已签收")
    IN_PROGRESS = "in_progress", _("办理中")
    COMPLETION_CLAIMED = "completion_claimed", _("申请办结")
    RETURNED = "returned", _("退回重办")
    CLOSED = "closed", _("已办结销号")


# States in which the lead unit owes work (and monthly progress reports).
OPEN_STATES = (TaskState.ISSUED, TaskState.ACKNOWLEDGED, TaskState.IN_PROGRESS, TaskState.RETURNED)
# States after issuing, i.e. tasks that count for a unit's performance.
ISSUED_STATES = (*OPEN_STATES, TaskState.COMPLETION_CLAIMED, TaskState.CLOSED)


class TaskCategory(models.TextChoices):
    TRADE = "trade", _("对外贸易")
    FOREIGN_INVESTMENT = "foreign_investment", _("利用外资")
    PLATFORMS = "platforms", _("开放平台")
    INVESTMENT = "investment", _("招商引资")
    BUSINESS_ENVIRONMENT = "business_environment", _("营商环境")
    TALENT = "talent", _("人才引进")
    STRATEGY = "strategy", _("国家战略与区域合作")
    OTHER = "other", _("其他")


class TaskLevel(models.TextChoices):
    """督办等级: the step limits may differ by level (a key task is signed for faster)."""

    NORMAL = "normal", _("一般督办")
    KEY = "key", _("重点督办")


class SourceKind(models.TextChoices):
    MEETING = "meeting", _("会议确定事项")
    DOCUMENT = "document", _("文件部署")
    INSTRUCTION = "instruction", _("领导批示")


class TaskQuerySet(models.QuerySet["Task"]):
    def visible_to(self, user: Any) -> TaskQuerySet:
        """Tasks `user` may see: its scope leads or co-leads them, or issued them (a city sees the
        parent it split). A county therefore sees the tasks it leads or co-leads and nothing else."""
        q = (
            unit_scope_q(user, prefix="lead_unit__")
            | unit_scope_q(user, prefix="co_units__")
            | unit_scope_q(user, prefix="issuer_unit__")
            | unit_scope_q(user, prefix="children__issuer_unit__")
        )
        return self.filter(pk__in=Task.objects.filter(q).values("pk"))

    def open(self) -> TaskQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def issued(self) -> TaskQuerySet:
        return self.filter(state__in=ISSUED_STATES)

    def overdue(self, today: Any) -> TaskQuerySet:
        return self.open().filter(deadline__lt=today)

    def led_by(self, unit: Any) -> TaskQuerySet:
        return self.filter(lead_unit=unit)


class Task(models.Model):
    """One supervised matter: who leads it, who helps, by when, where it came from, where it stands.

    The light (green/yellow/red/grey) is never stored: `kaifang.supervision.lights` derives it from
    the dates, the milestones and the progress reports. `progress` is the latest reported percent.
    """

    code = models.CharField(_("编号"), max_length=32, unique=True)
    title = models.CharField(_("事项名称"), max_length=200)
    body = models.TextField(_("工作要求"), blank=True)
    category = models.CharField(_("类别"), max_length=32, choices=TaskCategory.choices, default=TaskCategory.OTHER)
    level = models.CharField(_("督办等级"), max_length=16, choices=TaskLevel.choices, default=TaskLevel.NORMAL)
    source_kind = models.CharField(_("来源类型"), max_length=16, choices=SourceKind.choices, default=SourceKind.MEETING)
    source_title = models.CharField(_("来源"), max_length=200, blank=True)
    source_excerpt = models.TextField(_("原文摘录"), blank=True)
    source_meeting_id = models.PositiveIntegerField(_("来源会议"), null=True, blank=True, db_index=True)
    issuer_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("交办单位"), on_delete=models.PROTECT, related_name="issued_tasks"
    )
    lead_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="led_tasks"
    )
    co_units = models.ManyToManyField(
        "orgs.OrgUnit", verbose_name=_("配合单位"), related_name="co_led_tasks", blank=True
    )
    responsible_leader = models.CharField(_("责任领导"), max_length=60, blank=True)
    deadline = models.DateField(_("办理时限"))
    # An approved extension (延期) moves `deadline`; the first deadline and the count stay here.
    original_deadline = models.DateField(_("原办理时限"), null=True, blank=True)
    extension_count = models.PositiveSmallIntegerField(_("延期次数"), default=0)
    report_day = models.PositiveSmallIntegerField(_("每月报送日"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=24, choices=TaskState.choices, default=TaskState.DRAFT)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级事项"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    issued_on = models.DateField(_("下发日期"), null=True, blank=True)
    acknowledged_on = models.DateField(_("签收日期"), null=True, blank=True)
    claimed_on = models.DateField(_("申请办结日期"), null=True, blank=True)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), default=clock.now, editable=False)
    version = models.PositiveIntegerField(default=1)
    # A form's one-time key: the same submission arriving twice creates one task, not two.
    request_key = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")
        ordering = ["deadline", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="task_progress_max_100",
                violation_error_message=_("进度不能超过100%"),
            ),
            models.UniqueConstraint(fields=["request_key"], condition=~Q(request_key=""), name="task_request_key_once"),
            models.CheckConstraint(
                condition=Q(report_day__isnull=True) | Q(report_day__gte=1, report_day__lte=28),
                name="task_report_day_1_28",
                violation_error_message=_("每月报送日应在1至28日之间"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_closed(self) -> bool:
        return self.state == TaskState.CLOSED


class Milestone(models.Model):
    """A dated step of a task (节点), e.g. "6月底前出台实施方案"."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("节点"), max_length=200)
    due_date = models.DateField(_("节点时限"))
    done = models.BooleanField(_("已完成"), default=False)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("工作节点")
        verbose_name_plural = _("工作节点")
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.title


def attachment_path(instance: Any, filename: str) -> str:
    """Generated names under MEDIA_ROOT: the uploader's file name is never used as a path."""
    return f"supervision/{uuid.uuid4().hex}"


class TaskAttachment(models.Model):
    """An optional file (a plan, a photo of a signed document). Never required as proof of work."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path)
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.name


class TaskTransition(models.Model):
    """One step of a task's lifecycle, for its timeline (the audit trail has the same fact, chained)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("操作"), max_length=24)
    from_state = models.CharField(max_length=24, choices=TaskState.choices)
    to_state = models.CharField(max_length=24, choices=TaskState.choices)
    reason = models.TextField(_("说明"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=100, blank=True)
    on = models.DateField(_("日期"))
    at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.from_state} → {self.to_state}"


class ProgressReport(models.Model):
    """A lead unit's monthly report (进展报告): what was done, how far, what blocks it."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    period = models.DateField(_("报送月份"), help_text=_("月份第一天"))
    text = models.TextField(_("进展情况"))
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"))
    problems = models.TextField(_("存在问题"), blank=True)
    help_needed = models.TextField(_("需协调事项"), blank=True)
    reported_on = models.DateField(_("报送日期"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reported_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        ordering = ["period", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__lte=100),
                name="report_percent_max_100",
                violation_error_message=_("进度不能超过100%"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task.code} {self.period:%Y-%m}"


class ActionKind(models.TextChoices):
    URGE = "urge", _("催办")
    NOTICE = "notice", _("督办单")
    YELLOW_CARD = "yellow_card", _("黄牌警示")
    RED_CARD = "red_card", _("红牌挂牌督办")


class StepLimit(models.Model):
    """Working-day limits of a task's steps for one category and level (blank: any). The most
    specific row wins; without a row the settings' defaults apply (`kaifang.supervision.steps`)."""

    category = models.CharField(_("类别"), max_length=32, choices=TaskCategory.choices, blank=True)
    level = models.CharField(_("督办等级"), max_length=16, choices=TaskLevel.choices, blank=True)
    ack_workdays = models.PositiveSmallIntegerField(_("签收时限（工作日）"))
    review_workdays = models.PositiveSmallIntegerField(_("办结复核时限（工作日）"))
    updated_at = models.DateTimeField(_("更新时间"), default=clock.now)

    class Meta:
        verbose_name = _("环节时限")
        verbose_name_plural = _("环节时限")
        constraints = [models.UniqueConstraint(fields=["category", "level"], name="step_limit_once")]

    def __str__(self) -> str:
        return f"{self.category or '*'}/{self.level or '*'}"


class SupervisionAction(models.Model):
    """A supervisor's urge (催办) or formal supervision notice (督办通知单), counted per unit."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="actions")
    unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=16, choices=ActionKind.choices)
    number = models.CharField(_("编号"), max_length=40, blank=True)
    message = models.TextField(_("内容"))
    reply_by = models.DateField(_("回复时限"), null=True, blank=True)
    on = models.DateField(_("日期"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=100, blank=True)
    at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.task.code}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


class ExtensionRequest(models.Model):
    """延期申请: the lead unit asks the issuer for a new deadline, with a reason; the history stays."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="extensions")
    unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    old_deadline = models.DateField(_("原办理时限"))
    new_deadline = models.DateField(_("申请延期至"))
    reason = models.TextField(_("延期理由"))
    status = models.CharField(
        _("审批结果"), max_length=16, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    requested_on = models.DateField(_("申请日期"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_by_name = models.CharField(max_length=100, blank=True)
    decided_on = models.DateField(_("审批日期"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by_name = models.CharField(max_length=100, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"], condition=Q(status="pending"), name="extension_one_pending_per_task"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.old_deadline} → {self.new_deadline}"
