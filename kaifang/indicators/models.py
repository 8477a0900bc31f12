"""The indicator catalogue (指标), targets (目标) and monthly values (DataValue) with their history.

Every figure is a Decimal. A period is the first day of its month. A `DataValue` keeps the figure
as typed (`reported`: the month's value or the year-to-date cumulative, as the indicator says)
and, kept consistent by `kaifang.indicators.services`, the month's own value and the
year-to-date value, so aggregates over units and months are plain SQL sums.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kaifang.core import clock
from kaifang.orgs.scope import unit_scope_q

if TYPE_CHECKING:
    from kaifang.accounts.models import User

FIGURE = {"max_digits": 20, "decimal_places": 4}


class Direction(models.TextChoices):
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")


class TimeAggregation(models.TextChoices):
    FLOW = "flow", _("流量（按月累加）")
    STOCK = "stock", _("存量（取期末值）")


class ReportedAs(models.TextChoices):
    PERIOD = "period", _("当月值")
    YTD = "ytd", _("累计值")


class UnitAggregation(models.TextChoices):
    SUM = "sum", _("求和")
    AVERAGE = "average", _("平均")
    NONE = "none", _("不汇总")


class Source(models.TextChoices):
    REPORTED = "reported", _("填报")
    LEDGER = "ledger", _("台账生成")
    FORMULA = "formula", _("公式计算")


class Authority(models.TextChoices):
    COMMERCE = "commerce", _("商务厅")
    CUSTOMS = "customs", _("海关")
    STATISTICS = "statistics", _("统计局")
    SELF = "self", _("本单位")


class IndicatorQuerySet(models.QuerySet["Indicator"]):
    def active(self) -> IndicatorQuerySet:
        return self.filter(is_active=True)

    def reported(self) -> IndicatorQuerySet:
        return self.filter(source=Source.REPORTED)


class Indicator(models.Model):
    """One line of the catalogue. The catalogue is province-wide: every user may read it."""

    code = models.CharField(_("指标代码"), max_length=32, unique=True)
    name = models.CharField(_("指标名称"), max_length=100)
    unit_of_measure = models.CharField(_("计量单位"), max_length=16)
    category = models.CharField(_("类别"), max_length=40, blank=True)
    direction = models.CharField(_("方向"), max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    time_aggregation = models.CharField(
        _("时间汇总"), max_length=8, choices=TimeAggregation.choices, default=TimeAggregation.FLOW
    )
    reported_as = models.CharField(_("报送口径"), max_length=8, choices=ReportedAs.choices, default=ReportedAs.YTD)
    unit_aggregation = models.CharField(
        _("单位汇总"), max_length=8, choices=UnitAggregation.choices, default=UnitAggregation.SUM
    )
    decimals = models.PositiveSmallIntegerField(_("小数位数"), default=2)
    source = models.CharField(_("数据来源"), max_length=10, choices=Source.choices, default=Source.REPORTED)
    authority = models.CharField(_("权威口径"), max_length=12, choices=Authority.choices, default=Authority.SELF)
    formula = models.TextField(_("计算公式"), blank=True)
    description = models.TextField(_("说明"), blank=True)
    allow_negative = models.BooleanField(
        _("允许负数"),
        default=False,
        help_text=_("流量指标的填报值（当月值或累计值）默认不能为负数；仅当该指标确实可能为负时勾选。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    version = models.PositiveIntegerField(default=1)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit_of_measure}）"

    @property
    def is_flow(self) -> bool:
        return self.time_aggregation == TimeAggregation.FLOW

    @property
    def is_additive(self) -> bool:
        return self.unit_aggregation == UnitAggregation.SUM

    @property
    def is_typed(self) -> bool:
        """Typed by units (ledger and formula indicators are computed)."""
        return self.source == Source.REPORTED


class TargetQuerySet(models.QuerySet["Target"]):
    def visible_to(self, user: User | Any) -> TargetQuerySet:
        return self.filter(unit_scope_q(user, prefix="unit__"))


class Target(models.Model):
    """The annual target of one unit for one indicator, optionally phased by month.

    `monthly` (optional) holds twelve cumulative targets as strings ("100.00", …) for months 1–12.
    `set_by` is the unit that set it: the province for cities and departments, a city for its
    counties. A city's total may differ from the sum of its counties' targets; pages show the gap.
    """

    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="targets")
    unit = models.ForeignKey("orgs.OrgUnit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="targets")
    year = models.PositiveSmallIntegerField(_("年度"))
    annual = models.DecimalField(_("年度目标"), max_digits=20, decimal_places=4)
    monthly = models.JSONField(_("分月目标（累计）"), null=True, blank=True)
    set_by = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("下达单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=clock.now)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        ordering = ["year", "indicator__sort_order", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit", "year"], name="target_unique_indicator_unit_year"),
            models.CheckConstraint(condition=models.Q(annual__gte=0), name="target_annual_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.unit} {self.indicator.name} {self.annual}"


class DataValueQuerySet(models.QuerySet["DataValue"]):
    def visible_to(self, user: User | Any) -> DataValueQuerySet:
        return self.filter(unit_scope_q(user, prefix="unit__"))


class DataValue(models.Model):
    """One unit's figure for one indicator and month.

    `reported` is the figure as typed (a month value or a YTD cumulative per
    `indicator.reported_as`); `month_value` and `ytd_value` are derived from it and from the other
    months of the same year by the service, exactly (Decimal). A null `reported` is a cleared value
    (history kept).
    """

    # Both foreign keys are covered by the composite indexes below (their own single-column indexes
    # would only tempt the planner into scanning every unit's rows of an indicator).
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="values", db_index=False
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="data_values", db_index=False
    )
    period = models.DateField(_("期间"))
    reported = models.DecimalField(_("填报值"), null=True, blank=True, max_digits=20, decimal_places=4)
    month_value = models.DecimalField(_("当月值"), null=True, blank=True, max_digits=20, decimal_places=4)
    ytd_value = models.DecimalField(_("累计值"), null=True, blank=True, max_digits=20, decimal_places=4)
    comment = models.TextField(_("说明"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=clock.now)

    objects = DataValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("指标数据")
        verbose_name_plural = _("指标数据")
        # No default ordering: on millions of rows it would add joins and sorts to every aggregate.
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "period"], name="datavalue_unique_indicator_unit_period"
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "period", "unit"], name="datavalue_ind_period_unit"),
            models.Index(fields=["unit", "period"], name="datavalue_unit_period"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.indicator.name} {self.period:%Y-%m}"


class DataValueHistory(models.Model):
    """Every change of a value: old → new, who, when, through which channel (web, api, import …)."""

    value = models.ForeignKey(DataValue, on_delete=models.CASCADE, related_name="history")
    old_reported = models.DecimalField(_("原值"), null=True, blank=True, max_digits=20, decimal_places=4)
    new_reported = models.DecimalField(_("新值"), null=True, blank=True, max_digits=20, decimal_places=4)
    old_comment = models.TextField(_("原说明"), blank=True)
    new_comment = models.TextField(_("新说明"), blank=True)
    version = models.PositiveIntegerField(_("版本"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    at = models.DateTimeField(_("时间"), default=clock.now)
    channel = models.CharField(_("渠道"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("指标数据修改记录")
        verbose_name_plural = _("指标数据修改记录")
        ordering = ["value_id", "-at", "-id"]

    def __str__(self) -> str:
        return f"{self.value_id}: {self.old_reported} → {self.new_reported}"


class WindowState(models.TextChoices):
    OPEN = "open", _("开放填报")
    LOCKED = "locked", _("已锁定")


class FigureWindowQuerySet(models.QuerySet["FigureWindow"]):
    def visible_to(self, user: User | Any) -> FigureWindowQuerySet:
        return self.filter(unit_scope_q(user, prefix="unit__"))

    def locked(self) -> FigureWindowQuerySet:
        return self.filter(state=WindowState.LOCKED)


class FigureWindow(models.Model):
    """Whether one unit's figure of one indicator and month may be written now.

    No window: the figure is not asked for, so a unit cannot type it. Open: a reporting round asks
    for it and the unit's submission is still being filled in. Locked: submitted, approved, or its
    round closed — the figure, and every figure its month value or YTD is derived from, no longer
    changes except through an approved correction (数据更正). Reporting opens, locks and reopens
    windows through `kaifang.indicators.services.windows`; the value writes decide against them.
    `reason` and `changed_by` say why and by whom the state last changed.
    """

    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("orgs.OrgUnit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+")
    period = models.DateField(_("期间"))
    state = models.CharField(_("状态"), max_length=8, choices=WindowState.choices, default=WindowState.OPEN)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_by_name = models.CharField(_("操作人"), max_length=150, blank=True)
    changed_at = models.DateTimeField(_("时间"), default=clock.now)

    objects = FigureWindowQuerySet.as_manager()

    class Meta:
        verbose_name = _("填报窗口")
        verbose_name_plural = _("填报窗口")
        constraints = [
            models.UniqueConstraint(fields=["unit", "period", "indicator"], name="figurewindow_once_per_figure"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.indicator.name} {self.period:%Y-%m} {self.get_state_display()}"

    @property
    def is_open(self) -> bool:
        return self.state == WindowState.OPEN
