"""Reference lists kept as dated data with sources (参考数据): industries (GB/T 4754), platform kinds,
strategy tags, and which countries, regions and provinces belong to each strategy group when.

The files under `data/reference/` are the published source; a migration and `kaifang
load_reference` load them; a system administrator may edit the rows (admin), each change audited.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RefList(models.TextChoices):
    INDUSTRY = "industry", _("国民经济行业分类")
    PLATFORM_KIND = "platform_kind", _("开放平台类型")
    STRATEGY_TAG = "strategy_tag", _("战略分组")


class RefEntry(models.Model):
    """One entry of a list, valid from `valid_from` to `valid_to` (empty: open), with its source."""

    list_code = models.CharField(_("清单"), max_length=16, choices=RefList.choices)
    code = models.CharField(_("代码"), max_length=32)
    name = models.CharField(_("名称"), max_length=100)
    parent_code = models.CharField(_("上级代码"), max_length=32, blank=True)
    level = models.CharField(_("层级"), max_length=16, blank=True)
    valid_from = models.DateField(_("起始日期"), null=True, blank=True)
    valid_to = models.DateField(_("终止日期"), null=True, blank=True)
    source = models.TextField(_("来源"), blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("参考数据条目")
        verbose_name_plural = _("参考数据条目")
        ordering = ["list_code", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["list_code", "code"], name="refentry_unique_code"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="refentry_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class GroupMembership(models.Model):
    """`member` (an origin: ISO 3166 code, or CN-xx for a province) belongs to strategy group `group`
    from `valid_from` to `valid_to` (一带一路: the day it signed; RCEP: the day it took effect)."""

    group = models.CharField(_("战略分组"), max_length=32)
    member = models.CharField(_("国家/地区代码"), max_length=8)
    valid_from = models.DateField(_("起始日期"), null=True, blank=True)
    valid_to = models.DateField(_("终止日期"), null=True, blank=True)
    source = models.TextField(_("来源"), blank=True)
    verification = models.CharField(_("核实情况"), max_length=100, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("战略分组成员")
        verbose_name_plural = _("战略分组成员")
        ordering = ["group", "member", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["group", "member", "valid_from"], name="membership_unique_start"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="membership_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.member}"

    def covers(self, day: object) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (  # type: ignore[operator]
            self.valid_to is None or self.valid_to >= day  # type: ignore[operator]
        )
