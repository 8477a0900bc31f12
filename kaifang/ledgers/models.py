"""The investment and talent ledgers (双招双引台账).

An InvestmentProject moves through stages (线索 → 在谈 → 签约 → 拟开工 → 开工 → 到资 → 投产, or 终止);
every move is a StageChange row. The counting facts the statistics need are frozen on the project
when they first happen (first signing date and the unit that held it then; first start likewise),
so moving a project back, re-signing it or transferring it never changes a count already made.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaifang.core import clock
from kaifang.core.personal import EncryptedCharField
from kaifang.ledgers.reference import (
    ORIGIN_CHOICES,
    ORIGIN_NAMES,
    Currency,
    FollowUpKind,
    FollowUpStatus,
    Industry,
    Stage,
    TalentKind,
    TalentLevel,
    origin_tags,
)
from kaifang.orgs.scope import unit_scope_q

MONEY: dict[str, Any] = {"max_digits": 16, "decimal_places": 2}


class ExchangeRate(models.Model):
    """The recorded yearly rate (元 per US dollar) used when totals mix 万元 and 万美元."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    rate = models.DecimalField(_("汇率（元/美元）"), max_digits=8, decimal_places=4)
    source = models.CharField(_("来源"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("汇率")
        verbose_name_plural = _("汇率")
        ordering = ["year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate__gt=0), name="exchangerate_positive", violation_error_message=_("汇率必须大于0")
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.rate}"


class Investor(models.Model):
    """A company or person that invests (客商). `normalized_name` drives the similar-name warning."""

    name = models.CharField(_("投资方"), max_length=200)
    normalized_name = models.CharField(max_length=200, db_index=True, editable=False)
    origin = models.CharField(_("来源国家/地区"), max_length=8, choices=ORIGIN_CHOICES)
    is_fortune500 = models.BooleanField(_("世界500强"), default=False)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("投资方")
        verbose_name_plural = _("投资方")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InvestmentProjectQuerySet(models.QuerySet["InvestmentProject"]):
    def visible_to(self, user: Any) -> InvestmentProjectQuerySet:
        """Projects held by a unit the user may see (the one visibility rule, on the holding unit)."""
        return self.filter(unit_scope_q(user, prefix="unit__"))

    def in_pipeline(self) -> InvestmentProjectQuerySet:
        return self.exclude(stage=Stage.DROPPED)

    def leads(self) -> InvestmentProjectQuerySet:
        return self.filter(stage=Stage.LEAD)


class InvestmentProject(models.Model):
    """One project of the investment ledger (招商引资项目台账). Amounts are in `currency`."""

    external_id = models.CharField(_("台账编号"), max_length=64, unique=True)
    name = models.CharField(_("项目名称"), max_length=200)
    investor = models.ForeignKey(Investor, verbose_name=_("投资方"), on_delete=models.PROTECT, related_name="projects")
    origin = models.CharField(_("来源国家/地区"), max_length=8, choices=ORIGIN_CHOICES)
    industry = models.CharField(_("行业门类"), max_length=1, choices=Industry.choices)
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="investment_projects"
    )
    platform = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("所在平台"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="platform_projects",
    )
    leader = models.CharField(_("包保领导"), max_length=50, blank=True)
    currency = models.CharField(_("币种"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    agreed_amount = models.DecimalField(_("协议投资额"), default=Decimal("0"), **MONEY)
    funds_in_place = models.DecimalField(_("实际到位资金"), default=Decimal("0"), editable=False, **MONEY)
    description = models.TextField(_("项目简介"), blank=True)
    stage = models.CharField(_("阶段"), max_length=16, choices=Stage.choices, default=Stage.LEAD, db_index=True)
    stage_since = models.DateField(_("进入本阶段日期"))
    lead_received_on = models.DateField(_("线索获得日期"))
    responded_on = models.DateField(_("响应日期"), null=True, blank=True)
    assessed_on = models.DateField(_("研判日期"), null=True, blank=True)
    feedback_on = models.DateField(_("反馈日期"), null=True, blank=True)
    # Counting facts, frozen the first time they happen (统计口径: counted once, where held then).
    first_signed_on = models.DateField(_("首次签约日期"), null=True, blank=True, editable=False)
    first_signed_unit = models.ForeignKey(
        "orgs.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    first_started_on = models.DateField(_("首次开工日期"), null=True, blank=True, editable=False)
    first_started_unit = models.ForeignKey(
        "orgs.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    objects = InvestmentProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("招商引资项目")
        verbose_name_plural = _("招商引资项目")
        ordering = ["-lead_received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(agreed_amount__gte=0),
                name="project_amount_nonnegative",
                violation_error_message=_("投资额不能为负"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def origin_name(self) -> str:
        return ORIGIN_NAMES.get(self.origin, self.origin)

    @property
    def tagged_on(self) -> Any:
        """The day the strategy groups are read on: signing, or before that the lead's arrival."""
        return self.first_signed_on or self.lead_received_on

    @property
    def origin_tags(self) -> list[str]:
        tags = origin_tags(self.origin, self.tagged_on)
        if self.investor.is_fortune500:
            tags.append("世界500强")
        return tags


class StageChange(models.Model):
    """One dated move of a project (who recorded it, when, the date it took effect, the evidence)."""

    project = models.ForeignKey(InvestmentProject, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(_("原阶段"), max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=16, choices=Stage.choices)
    action = models.CharField(_("操作"), max_length=24)
    effective_on = models.DateField(_("生效日期"))
    unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    evidence = models.TextField(_("依据说明"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")
        ordering = ["effective_on", "id"]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.from_stage} → {self.to_stage}"


class ProjectTransfer(models.Model):
    """A project handed to another responsible unit; its history and earlier counts stay put."""

    project = models.ForeignKey(InvestmentProject, on_delete=models.CASCADE, related_name="transfers")
    from_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    effective_on = models.DateField(_("生效日期"))
    reason = models.TextField(_("原因"), blank=True)
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    recorded_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("项目移交")
        verbose_name_plural = _("项目移交")
        ordering = ["effective_on", "id"]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.from_unit_id} → {self.to_unit_id}"


class CapitalIncrease(models.Model):
    """增资: only the increment counts, in the month it is signed, for the unit holding the project."""

    project = models.ForeignKey(InvestmentProject, on_delete=models.CASCADE, related_name="capital_increases")
    amount = models.DecimalField(_("增资额"), **MONEY)
    currency = models.CharField(_("币种"), max_length=3, choices=Currency.choices)
    signed_on = models.DateField(_("增资签约日期"))
    unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("说明"), max_length=200, blank=True)
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    recorded_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("增资")
        verbose_name_plural = _("增资")
        ordering = ["signed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="increase_positive", violation_error_message=_("增资额必须大于0")
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: +{self.amount}"


class FundsReceipt(models.Model):
    """Money that actually arrived (实际到位资金), dated, counted for the unit holding the project then."""

    project = models.ForeignKey(InvestmentProject, on_delete=models.CASCADE, related_name="receipts")
    amount = models.DecimalField(_("到位金额"), **MONEY)
    currency = models.CharField(_("币种"), max_length=3, choices=Currency.choices)
    received_on = models.DateField(_("到位日期"))
    unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("说明"), max_length=200, blank=True)
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    recorded_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("资金到位")
        verbose_name_plural = _("资金到位")
        ordering = ["received_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="receipt_positive", violation_error_message=_("到位金额必须大于0")
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.amount}"


class FollowUp(models.Model):
    """The follow-up log of a project: progress notes, problems and coordination requests."""

    project = models.ForeignKey(InvestmentProject, on_delete=models.CASCADE, related_name="follow_ups")
    kind = models.CharField(_("类型"), max_length=16, choices=FollowUpKind.choices)
    text = models.TextField(_("内容"))
    status = models.CharField(_("状态"), max_length=16, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    actor_name = models.CharField(_("记录人"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("记录时间"), default=clock.now, editable=False)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("跟踪记录")
        verbose_name_plural = _("跟踪记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:40]


class TalentRecordQuerySet(models.QuerySet["TalentRecord"]):
    def visible_to(self, user: Any) -> TalentRecordQuerySet:
        return self.filter(unit_scope_q(user, prefix="unit__"))


class TalentRecord(models.Model):
    """One person or team introduced (招才引智台账). A team counts `headcount` people."""

    external_id = models.CharField(_("台账编号"), max_length=64, unique=True)
    name = models.CharField(_("姓名/团队名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=8, choices=TalentKind.choices, default=TalentKind.PERSON)
    headcount = models.PositiveIntegerField(_("人数"), default=1)
    field = models.CharField(_("专业领域"), max_length=100)
    level = models.CharField(_("人才层次"), max_length=16, choices=TalentLevel.choices)
    programme = models.CharField(_("人才计划"), max_length=100, blank=True)
    employer = models.CharField(_("引进单位（用人单位）"), max_length=200)
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="talents"
    )
    introduced_on = models.DateField(_("引进日期"))
    source_region = models.CharField(_("来源地"), max_length=8, choices=ORIGIN_CHOICES)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    # Personal data, SM4-encrypted at rest when KAIFANG_SM4_KEYS is set (issue 16, 密评).
    phone = EncryptedCharField(_("联系电话"), max_length=32, blank=True)
    id_number = EncryptedCharField(_("身份证件号码"), max_length=32, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    version = models.PositiveIntegerField(default=1)

    objects = TalentRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("引进人才")
        verbose_name_plural = _("引进人才")
        ordering = ["-introduced_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(headcount__gte=1),
                name="talent_headcount_positive",
                violation_error_message=_("人数至少为1"),
            ),
            models.CheckConstraint(
                condition=Q(kind="team") | Q(headcount=1),
                name="talent_person_is_one",
                violation_error_message=_("个人的人数为1"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def source_name(self) -> str:
        return ORIGIN_NAMES.get(self.source_region, self.source_region)
