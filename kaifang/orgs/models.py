"""The organisation tree (组织机构) and the named groups assessments run within."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaifang.core import clock

if TYPE_CHECKING:
    from kaifang.accounts.models import User


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县（市、区）")
    DEPARTMENT = "department", _("省直部门")
    PLATFORM = "platform", _("开放平台")


ADMIN_DIVISION_KINDS = (UnitKind.PROVINCE, UnitKind.CITY, UnitKind.COUNTY)


class OrgUnitQuerySet(models.QuerySet["OrgUnit"]):
    def visible_to(self, user: User | Any) -> OrgUnitQuerySet:
        """The units `user` may see: the one visibility rule (see `kaifang.orgs.scope`)."""
        from kaifang.orgs.scope import unit_scope_q

        return self.filter(unit_scope_q(user, prefix=""))

    def current(self, on: datetime.date | None = None) -> OrgUnitQuerySet:
        """Units valid on `on` (default today): divisions are created, renamed and merged."""
        day = on or clock.today()
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def subtree_of(self, unit: OrgUnit, *, include_self: bool = True) -> OrgUnitQuerySet:
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)

    def of_kind(self, *kinds: str) -> OrgUnitQuerySet:
        return self.filter(kind__in=kinds)


class OrgUnit(models.Model):
    """A node of the tree: province, city, county, provincial department or opening-up platform.

    `path` is a materialised path of codes ("/210000/210100/210112/"), so a subtree is one indexed
    prefix query. Administrative divisions carry their GB/T 2260 code as `code`; departments and
    platforms get stable mnemonic codes.
    """

    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    valid_from = models.DateField(_("启用日期"), null=True, blank=True)
    valid_to = models.DateField(_("停用日期"), null=True, blank=True)
    platform_type = models.CharField(_("平台类型"), max_length=40, blank=True)
    note = models.TextField(_("备注"), blank=True)
    initials = models.CharField(
        _("拼音首字母"),
        max_length=200,
        blank=True,
        editable=False,
        help_text=_("名称的拼音首字母，多音字各种读法以空格分隔"),
    )
    version = models.PositiveIntegerField(default=1)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织机构")
        verbose_name_plural = _("组织机构")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="orgunit_valid_range",
                violation_error_message=_("停用日期不能早于启用日期"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def is_division(self) -> bool:
        return self.kind in ADMIN_DIVISION_KINDS

    def is_ancestor_of(self, other: OrgUnit) -> bool:
        return other.path.startswith(self.path)

    def ancestors(self) -> OrgUnitQuerySet:
        codes = [c for c in self.path.strip("/").split("/") if c and c != self.code]
        return OrgUnit.objects.filter(code__in=codes).order_by("depth")

    def is_current(self, on: datetime.date | None = None) -> bool:
        day = on or clock.today()
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or self.valid_to >= day)


class UnitGroup(models.Model):
    """A named set of units (考核组/区域): "14 cities", 沿海六市, 辽西北, 沈阳经济区 …"""

    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    members = models.ManyToManyField(OrgUnit, verbose_name=_("成员"), related_name="groups", blank=True)

    class Meta:
        verbose_name = _("单位分组")
        verbose_name_plural = _("单位分组")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ChangeKind(models.TextChoices):
    RENAME = "rename", _("更名/更改代码")
    MERGE = "merge", _("合并")
    SPLIT = "split", _("拆分")
    MOVE = "move", _("变更隶属")


class ChangeState(models.TextChoices):
    PROPOSED = "proposed", _("已提出")
    REVIEWED = "reviewed", _("已审核")
    APPLIED = "applied", _("已实施")
    REJECTED = "rejected", _("已退回")


class DivisionChange(models.Model):
    """One administrative-division change (区划调整) as an operation: proposed, reviewed, applied.

    `sources` lists the units before ({"code", "name"}); `results` the units after, each
    {"code", "name", "parent", "share"[, "sub_units": [{"name", "share"}]]}: `share` is the part of
    each source's figures that goes to that result (a split's shares add up to 1; a merge's and a
    rename's are 1), the rule by which last year's figures are re-mapped onto today's tree.
    `heir` is the result that takes over open tasks, ledger projects and accounts. Applying writes
    one `DivisionLineage` row per (source, result) pair; `moved` records what was moved.
    """

    kind = models.CharField(_("调整类型"), max_length=8, choices=ChangeKind.choices)
    effective = models.DateField(_("生效月份"), help_text=_("调整自该月1日起生效"))
    state = models.CharField(_("状态"), max_length=8, choices=ChangeState.choices, default=ChangeState.PROPOSED)
    sources = models.JSONField(_("调整前单位"), default=list)
    results = models.JSONField(_("调整后单位"), default=list)
    heir = models.CharField(_("承接单位代码"), max_length=32, blank=True)
    document = models.CharField(_("批准文号"), max_length=200, blank=True)
    note = models.TextField(_("说明"), blank=True)
    proposed_by = models.CharField(_("提出人"), max_length=150, blank=True)
    reviewed_by = models.CharField(_("审核人"), max_length=150, blank=True)
    applied_by = models.CharField(_("实施人"), max_length=150, blank=True)
    proposed_at = models.DateTimeField(_("提出时间"), default=clock.now)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    applied_at = models.DateTimeField(_("实施时间"), null=True, blank=True)
    moved = models.JSONField(_("随调整移交的事项"), default=list, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("区划调整")
        verbose_name_plural = _("区划调整")
        ordering = ["-effective", "-id"]

    def __str__(self) -> str:
        before = "、".join(s.get("name", s.get("code", "")) for s in self.sources)
        after = "、".join(r.get("name", r.get("code", "")) for r in self.results)
        return f"{self.effective:%Y-%m} {self.get_kind_display()}：{before} → {after}"


class DivisionLineage(models.Model):
    """`share` of `predecessor`'s figures belong, from `effective` on, to `successor` (可比口径)."""

    change = models.ForeignKey(DivisionChange, on_delete=models.PROTECT, related_name="lineage")
    predecessor = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="successions")
    successor = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="descents")
    share = models.DecimalField(_("份额"), max_digits=9, decimal_places=6)
    effective = models.DateField(_("生效月份"))

    class Meta:
        verbose_name = _("区划沿革")
        verbose_name_plural = _("区划沿革")
        ordering = ["effective", "id"]
        constraints = [
            models.UniqueConstraint(fields=["change", "predecessor", "successor"], name="lineage_once_per_pair"),
            models.CheckConstraint(condition=Q(share__gt=0) & Q(share__lte=1), name="lineage_share_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ×{self.share}"
