"""In-app notifications (站内消息): reminders, urging notices, returned submissions …"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kaifang.core import clock


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user: Any) -> NotificationQuerySet:
        """A user's own notifications (a notification is addressed to a person, not a unit)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One message to one person. `dedup_key` makes scheduled jobs idempotent: the same reminder
    for the same object and day is created once, however often the job runs."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    unit = models.ForeignKey("orgs.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("类型"), max_length=40, db_index=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    dedup_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(_("时间"), default=clock.now, editable=False, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "dedup_key"], name="notification_once_per_key")]

    def __str__(self) -> str:
        return self.title


class Channel(models.TextChoices):
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")
    SMS = "sms", _("短信")


class ChannelRoute(models.Model):
    """Where a unit's messages of a kind also go (issue 16): a WeCom or DingTalk group robot, or the
    SMS gateway (to the unit's people's phones). A route without unit applies to every unit that has
    no route of its own; without kind, to every kind. The key and secret are never shown or logged."""

    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("单位"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("消息类型"), max_length=40, blank=True)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    url = models.CharField(_("接口地址"), max_length=300)
    token = models.CharField(_("密钥（key / access_token / API key）"), max_length=300, blank=True)
    secret = models.CharField(_("加签密钥"), max_length=300, blank=True)
    template_id = models.CharField(_("短信模板编号"), max_length=64, blank=True)
    per_minute = models.PositiveIntegerField(_("每分钟上限"), default=20)
    enabled = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("消息渠道")
        verbose_name_plural = _("消息渠道")
        ordering = ["unit_id", "kind", "channel", "id"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败，待重试")
    GAVE_UP = "gave_up", _("已放弃")


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def visible_to(self, user: Any) -> DeliveryQuerySet:
        """Sends about units in the user's scope: the sender (who urged, approved, returned: always
        above or at the unit) and the unit itself see them."""
        from kaifang.orgs.scope import unit_scope_q

        return self.filter(unit_scope_q(user, prefix="unit__"))


class Delivery(models.Model):
    """One message through one route (to one phone for SMS). `key` makes sending idempotent: the same
    notice for the same route and recipient is one row, and a row is sent at most once (a run claims
    it first; a retried or repeated job finds it claimed or sent and sends nothing)."""

    route = models.ForeignKey(ChannelRoute, on_delete=models.PROTECT, related_name="deliveries")
    unit = models.ForeignKey("orgs.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("类型"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    recipient = models.CharField(_("接收号码"), max_length=32, blank=True)
    key = models.CharField(max_length=64, unique=True)
    sender = models.CharField(_("发送人"), max_length=150, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True, db_index=True)
    last_error = models.CharField(_("失败原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=clock.now, editable=False)  # the app clock, as notices

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("渠道发送记录")
        verbose_name_plural = _("渠道发送记录")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["route", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.route_id} {self.title} {self.status}"
