"""Meetings (会议): teleconferences with a main venue and sub-venues, receipts, roll call, documents,
resolutions that become supervised tasks, and each unit's report of how it relayed the meeting."""

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


class MeetingKind(models.TextChoices):
    TELECONFERENCE = "teleconference", _("电视电话会议")
    VIDEO = "video", _("视频会议")
    WORK = "work", _("工作会议")
    SPECIAL = "special", _("专题会议")
    ONSITE = "onsite", _("现场会议")


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    NOTIFIED = "notified", _("已发通知")
    IN_PROGRESS = "in_progress", _("进行中")
    ENDED = "ended", _("已结束")
    CANCELLED = "cancelled", _("已取消")


class ReceiptStatus(models.TextChoices):
    PENDING = "pending", _("未回执")
    ATTENDING = "attending", _("参会")
    LEAVE = "leave", _("请假")


class RelayForm(models.TextChoices):
    PARTY_COMMITTEE = "party_committee", _("党委（党组）会议")
    EXECUTIVE = "executive", _("政府常务会议")
    SPECIAL = "special", _("专题会议")
    TELECONFERENCE = "teleconference", _("电视电话会议")
    DOCUMENT = "document", _("印发文件")
    OTHER = "other", _("其他")


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def visible_to(self, user: User | Any) -> MeetingQuerySet:
        """Meetings whose main venue or one of whose venues lies in `user`'s scope."""
        ids = Venue.objects.filter(unit_scope_q(user, prefix="unit__")).values("meeting_id")
        return self.filter(Q(unit_scope_q(user, prefix="main_unit__")) | Q(pk__in=ids))

    def upcoming(self, after: datetime.datetime) -> MeetingQuerySet:
        return self.filter(starts_at__gte=after).exclude(status=MeetingStatus.CANCELLED)


class Cadence(models.TextChoices):
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")


class MeetingSeries(models.Model):
    """A standing meeting (例会) held at a regular cadence: a period in which none of its meetings
    took place shows on the province's meeting list (`kaifang.meetings.cadence`)."""

    title = models.CharField(_("例会名称"), max_length=200, unique=True)
    cadence = models.CharField(_("召开周期"), max_length=16, choices=Cadence.choices, default=Cadence.MONTHLY)
    main_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="+"
    )
    first_period = models.DateField(_("起始月份"), help_text=_("月份第一天"))
    active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("例会")
        verbose_name_plural = _("例会")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Meeting(models.Model):
    """A meeting held at a main venue with sub-venues in cities and counties.

    The video itself runs in an existing conferencing system: only its room link is stored.
    `checkin_secret` keys the rotating sign-in code shown at the main venue (see `checkin.py`).
    """

    title = models.CharField(_("会议名称"), max_length=200)
    kind = models.CharField(
        _("会议类型"), max_length=20, choices=MeetingKind.choices, default=MeetingKind.TELECONFERENCE
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    main_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("主会场单位"), on_delete=models.PROTECT, related_name="hosted_meetings"
    )
    main_room = models.CharField(_("主会场地点"), max_length=200, blank=True)
    main_contact = models.CharField(_("主会场联系人"), max_length=50, blank=True)
    main_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    conference_link = models.CharField(_("视频会议室链接"), max_length=500, blank=True)
    agenda = models.TextField(_("会议议程"), blank=True)
    series = models.ForeignKey(
        MeetingSeries,
        verbose_name=_("所属例会"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )
    late_grace_minutes = models.PositiveSmallIntegerField(_("迟到宽限（分钟）"), default=5)
    status = models.CharField(_("状态"), max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT)
    checkin_secret = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    version = models.PositiveIntegerField(default=1)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                name="meeting_ends_after_start",
                violation_error_message=_("结束时间不能早于开始时间"),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def unit(self) -> Any:
        """The unit the audit trail files this meeting under."""
        return self.main_unit

    @property
    def late_after(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.late_grace_minutes)

    def can_check_in(self) -> bool:
        return self.status in (MeetingStatus.NOTIFIED, MeetingStatus.IN_PROGRESS)

    def can_answer(self) -> bool:
        return self.status in (MeetingStatus.NOTIFIED, MeetingStatus.IN_PROGRESS)


class Venue(models.Model):
    """A sub-venue (分会场): an org unit with room and contact, its receipt (回执) and its check-in."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="venues")
    unit = models.ForeignKey("orgs.OrgUnit", verbose_name=_("分会场单位"), on_delete=models.PROTECT, related_name="+")
    room = models.CharField(_("会场地点"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    receipt_status = models.CharField(
        _("回执"), max_length=12, choices=ReceiptStatus.choices, default=ReceiptStatus.PENDING
    )
    leader_name = models.CharField(_("参会领导"), max_length=50, blank=True)
    leader_title = models.CharField(_("领导职务"), max_length=100, blank=True)
    head_count = models.PositiveIntegerField(_("参会人数"), default=0)
    leave_reason = models.CharField(_("请假事由"), max_length=300, blank=True)
    receipt_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checkin_note = models.CharField(_("补签说明"), max_length=200, blank=True)
    failed_checkins = models.PositiveSmallIntegerField(default=0, editable=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("分会场")
        verbose_name_plural = _("分会场")
        ordering = ["unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "unit"],
                name="venue_unique_unit",
                violation_error_message=_("该单位已是本次会议的分会场"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.unit}"

    @property
    def is_late(self) -> bool:
        return self.checked_in_at is not None and self.checked_in_at > self.meeting.late_after


class MeetingDocument(models.Model):
    """A document of the meeting, typically a speech text (讲话稿)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("标题"), max_length=200)
    speaker = models.CharField(_("讲话人"), max_length=100, blank=True)
    text = models.TextField(_("正文"))
    file = models.FileField(_("原文件"), upload_to="meetings/%Y/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("会议文件")
        verbose_name_plural = _("会议文件")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class Resolution(models.Model):
    """A decision of the meeting (会议确定事项); one click turns it into a draft supervised task.

    `task_id` points at `supervision.Task` by id only, so meetings do not depend on supervision's schema.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="resolutions")
    ordinal = models.PositiveSmallIntegerField(_("序号"), default=1)
    title = models.CharField(_("事项"), max_length=300)
    excerpt = models.TextField(_("原文摘录"), blank=True)
    speaker = models.CharField(_("讲话人"), max_length=100, blank=True)
    lead_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("牵头单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    task_id = models.PositiveIntegerField(_("督办事项"), null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("会议确定事项")
        verbose_name_plural = _("会议确定事项")
        ordering = ["ordinal", "pk"]

    def __str__(self) -> str:
        return self.title


class RelayReport(models.Model):
    """How a unit relayed the meeting (传达落实): when, in what form, to how many people, and what it did."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="relay_reports")
    unit = models.ForeignKey("orgs.OrgUnit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    relayed_on = models.DateField(_("传达日期"))
    form = models.CharField(_("传达形式"), max_length=20, choices=RelayForm.choices)
    attendees = models.PositiveIntegerField(_("参加人数"), default=0)
    text = models.TextField(_("落实情况"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("传达落实情况")
        verbose_name_plural = _("传达落实情况")
        ordering = ["unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "unit"],
                name="relay_unique_unit",
                violation_error_message=_("该单位已报送传达落实情况"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.unit}"


class SpeechDraft(models.Model):
    """A parsed speech awaiting a supervisor's confirmation; confirming it once creates draft tasks."""

    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="drafts")
    title = models.CharField(_("标题"), max_length=200, blank=True)
    text = models.TextField(_("原文"))
    result = models.JSONField(_("解析结果"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    task_ids = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("讲话解析草稿")
        verbose_name_plural = _("讲话解析草稿")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.title or f"#{self.pk}"

    def items(self) -> list[dict[str, Any]]:
        """The parsed items in order, each with its speaker."""
        rows = []
        for segment in self.result.get("segments", []):
            for item in segment.get("items", []):
                rows.append({**item, "speaker": segment.get("speaker", "")})
        return rows
