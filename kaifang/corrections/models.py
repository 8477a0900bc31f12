"""Correction requests (数据更正): how a figure of a closed month changes.

Outside an open reporting window, and in a month that is locked, nobody types over a figure: the
unit asks for a correction (old value as stored → new value, the reason, optional evidence), the
level above approves it, and only then are the new figures written, through the value writes
with the request's reference (`kaifang.indicators.services.save_many(correction=…)`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaifang.orgs.scope import unit_scope_q

if TYPE_CHECKING:
    from kaifang.accounts.models import User


class CorrectionState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
    WITHDRAWN = "withdrawn", _("已撤回")


class CorrectionQuerySet(models.QuerySet["CorrectionRequest"]):
    def visible_to(self, user: User | Any) -> CorrectionQuerySet:
        """Requests of units in `user`'s scope (the one visibility rule, `kaifang.orgs.scope`)."""
        return self.filter(unit_scope_q(user, prefix="unit__"))

    def awaiting_decision(self) -> CorrectionQuerySet:
        return self.filter(state=CorrectionState.SUBMITTED)

    def approved(self) -> CorrectionQuerySet:
        return self.filter(state=CorrectionState.APPROVED)


def evidence_path(instance: Any, filename: str) -> str:
    return f"corrections/evidence/{instance.unit.code}/{instance.reference}/{filename}"


class CorrectionRequest(models.Model):
    """One unit's request to correct one or more figures of one month.

    `requester_unit` is the unit of the person who asked (the unit itself, or the city for one of
    its counties): the level above it approves, never the requesting unit. `version` is bumped by
    every step (optimistic locking of the buttons and the API).
    """

    reference = models.CharField(_("更正编号"), max_length=20, unique=True)
    unit = models.ForeignKey("orgs.OrgUnit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    period = models.DateField(_("期间"))
    reason = models.TextField(_("更正原因"))
    evidence_file = models.FileField(_("依据材料"), upload_to=evidence_path, blank=True, max_length=255)
    state = models.CharField(_("状态"), max_length=10, choices=CorrectionState.choices, default=CorrectionState.DRAFT)
    requester_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("申请单位"), on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_by_name = models.CharField(_("申请人"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by_name = models.CharField(_("审批人"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_reason = models.TextField(_("审批意见"), blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("数据更正申请")
        verbose_name_plural = _("数据更正申请")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["unit", "period"], name="correction_unit_period")]

    def __str__(self) -> str:
        return self.reference


class CorrectionFigure(models.Model):
    """One figure of a request: the value as stored when requested (and its version), the new value."""

    correction = models.ForeignKey(CorrectionRequest, on_delete=models.CASCADE, related_name="figures")
    indicator = models.ForeignKey(
        "indicators.Indicator", verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+"
    )
    old_value = models.DecimalField(_("原值"), null=True, blank=True, max_digits=20, decimal_places=4)
    old_version = models.PositiveIntegerField(_("原值版本"), null=True, blank=True)  # None: nothing stored
    new_value = models.DecimalField(_("更正值"), max_digits=20, decimal_places=4)

    class Meta:
        verbose_name = _("更正数据")
        verbose_name_plural = _("更正数据")
        ordering = ["correction", "indicator__sort_order", "indicator__code"]
        constraints = [
            models.UniqueConstraint(fields=["correction", "indicator"], name="correctionfigure_unique_indicator")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.old_value} → {self.new_value}"


class CorrectionStep(models.Model):
    """One step of a request's life, for its history (the audit trail has the same fact, chained)."""

    correction = models.ForeignKey(CorrectionRequest, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("操作"), max_length=16)
    from_state = models.CharField(_("原状态"), max_length=10, blank=True)
    to_state = models.CharField(_("新状态"), max_length=10)
    reason = models.TextField(_("说明"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("更正办理记录")
        verbose_name_plural = _("更正办理记录")
        ordering = ["correction", "at", "id"]

    def __str__(self) -> str:
        return f"{self.correction_id} {self.action}"
