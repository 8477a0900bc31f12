"""Assessment schemes (考核方案), their items, manual bonus/penalty entries, published snapshots and
bulletins (通报).

A scheme is identified by its `code`; each change of a scheme in use is a new row with the next
`number` (who and why recorded), so results published under an older version stay explainable.
A published snapshot is immutable: inputs and results as JSON with their SHA-256 digest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaifang.assessment import engine
from kaifang.core import clock
from kaifang.orgs.scope import unit_scope_q

if TYPE_CHECKING:
    from kaifang.accounts.models import User


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("使用中")
    RETIRED = "retired", _("已被新版本取代")


class ItemKind(models.TextChoices):
    COMPLETION = engine.COMPLETION, _("指标完成率")
    STEP = engine.STEP, _("超欠目标加减分")
    RANKING = engine.RANKING, _("组内排名")
    GROWTH = engine.GROWTH, _("增速")
    THRESHOLD = engine.THRESHOLD, _("达标与否")
    EFFICACY = engine.EFFICACY, _("功效系数")
    TASKS = engine.TASKS, _("督办任务")
    REPORTING = engine.REPORTING, _("报送质量")
    MANUAL = engine.MANUAL, _("加减分事项")
    VETO = engine.VETO, _("一票否决")


class MissingRule(models.TextChoices):
    ZERO = engine.MISSING_ZERO, _("缺数按0分计并标注")
    EXCLUDE = engine.MISSING_EXCLUDE, _("缺数不计，其余项按比例折算")


class SchemeQuerySet(models.QuerySet["AssessmentScheme"]):
    def current(self) -> SchemeQuerySet:
        """The version in use of each scheme code (drafts of a new version are not in use)."""
        return self.filter(status=SchemeStatus.ACTIVE)


class AssessmentScheme(models.Model):
    """One version of a scheme: the year, the group it ranks, and (through items) the formulas."""

    code = models.CharField(_("方案代码"), max_length=32)
    number = models.PositiveIntegerField(_("版本号"), default=1)
    name = models.CharField(_("方案名称"), max_length=120)
    year = models.PositiveSmallIntegerField(_("年度"))
    group = models.ForeignKey(
        "orgs.UnitGroup", verbose_name=_("考核组"), on_delete=models.PROTECT, related_name="schemes"
    )
    status = models.CharField(_("状态"), max_length=8, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT)
    tie_rule = models.CharField(_("并列规则"), max_length=40, default="shared")
    grading = models.JSONField(_("等次规则"), default=dict)
    description = models.TextField(_("说明"), blank=True)
    change_reason = models.TextField(_("修订原因"), blank=True)
    previous = models.ForeignKey(
        "self", verbose_name=_("上一版本"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by_name = models.CharField(_("修订人"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=clock.now)
    version = models.PositiveIntegerField(default=1)

    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["-year", "code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["code", "number"], name="scheme_unique_code_number"),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(status="active"),
                name="scheme_one_active_version",
                violation_error_message=_("同一方案只能有一个使用中的版本"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.number}版）"

    @property
    def is_editable(self) -> bool:
        return self.status == SchemeStatus.DRAFT

    def to_engine(self) -> engine.Scheme:
        return engine.Scheme(
            code=self.code,
            name=self.name,
            items=tuple(item.to_engine() for item in self.items.all()),
            tie_rule=self.tie_rule,
            grading=self.grading or engine.Scheme("", "", ()).grading,
        )


class SchemeItem(models.Model):
    """One line of a scheme: kind, weight and the parameters of its formula (validated per kind)."""

    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("考核项代码"), max_length=32)
    name = models.CharField(_("考核项"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=ItemKind.choices)
    weight = models.DecimalField(_("权重（分值）"), max_digits=8, decimal_places=2)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    indicator = models.ForeignKey(
        "indicators.Indicator",
        verbose_name=_("指标"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scheme_items",
    )
    missing = models.CharField(_("缺数规则"), max_length=8, choices=MissingRule.choices, default=MissingRule.ZERO)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("考核项")
        verbose_name_plural = _("考核项")
        ordering = ["scheme", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="schemeitem_unique_code")]

    def __str__(self) -> str:
        return self.name

    def to_engine(self) -> engine.Item:
        return engine.Item(
            code=self.code,
            name=self.name,
            kind=self.kind,
            weight=self.weight,
            params=self.params or {},
            indicator=self.indicator.code if self.indicator_id else "",  # type: ignore[union-attr]
            missing=self.missing,
        )

    @property
    def formula(self) -> str:
        """The item's formula in the reader's language (the engine's Chinese, or its English rendering)."""
        from kaifang.assessment import rule_texts

        return rule_texts.formula(self.to_engine())


class AdjustmentState(models.TextChoices):
    DRAFT = "draft", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class AdjustmentQuerySet(models.QuerySet["ManualAdjustment"]):
    def visible_to(self, user: User | Any) -> AdjustmentQuerySet:
        return self.filter(unit_scope_q(user, prefix="unit__"))

    def approved(self) -> AdjustmentQuerySet:
        return self.filter(state=AdjustmentState.APPROVED)


def evidence_path(instance: Any, filename: str) -> str:
    return f"assessment/evidence/{instance.scheme_code}/{instance.unit.code}/{filename}"


class ManualAdjustment(models.Model):
    """A bonus or penalty entry (加减分) for one unit under a manual item, with its evidence; under a
    veto item (一票否决) an approved entry (0 points) triggers the veto.

    Counted from `period` onwards within the scheme's year, once approved. Tied to the scheme code
    and item code (not to one version's row) so a revised scheme keeps its approved entries.
    """

    scheme_code = models.CharField(_("方案代码"), max_length=32)
    item_code = models.CharField(_("考核项代码"), max_length=32)
    unit = models.ForeignKey("orgs.OrgUnit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    period = models.DateField(_("计入期间"))
    points = models.DecimalField(_("分值"), max_digits=8, decimal_places=2)
    reason = models.CharField(_("事由"), max_length=200)
    evidence = models.TextField(_("依据"), blank=True)
    evidence_file = models.FileField(_("依据材料"), upload_to=evidence_path, blank=True)
    state = models.CharField(_("状态"), max_length=8, choices=AdjustmentState.choices, default=AdjustmentState.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = AdjustmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("加减分事项")
        verbose_name_plural = _("加减分事项")
        ordering = ["-period", "unit__path", "id"]

    def __str__(self) -> str:
        return f"{self.unit} {self.reason} {self.points}"


class SnapshotQuerySet(models.QuerySet["AssessmentSnapshot"]):
    def latest_for(self, scheme_code: str, period: Any) -> AssessmentSnapshot | None:
        return self.filter(scheme_code=scheme_code, period=period).order_by("-number").first()


class AssessmentSnapshot(models.Model):
    """A published result: frozen inputs and results (JSON) and their digest. Never updated.

    Republishing the same scheme and period writes a new row with the next `number`, the reason,
    and the per-unit differences against the previous publication.
    """

    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.PROTECT, related_name="snapshots")
    scheme_code = models.CharField(_("方案代码"), max_length=32)
    period = models.DateField(_("考核期间"))
    number = models.PositiveIntegerField(_("发布版本"), default=1)
    inputs = models.JSONField(_("输入数据"))
    results = models.JSONField(_("考核结果"))
    digest = models.CharField(_("校验值"), max_length=64)
    # "sha256" (also when empty) or "hmac-sm3" (国密, KAIFANG_AUDIT_DIGEST); nullable without default
    # so SQLite adds the column in place and the immutability triggers stay.
    digest_algorithm = models.CharField(max_length=16, null=True, blank=True)  # noqa: DJ001 (see above)
    reason = models.TextField(_("发布说明"), blank=True)
    diff = models.JSONField(_("与上一版差异"), default=list, blank=True)
    previous = models.ForeignKey(
        "self", verbose_name=_("上一版"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_by_name = models.CharField(_("发布人"), max_length=150, blank=True)
    published_at = models.DateTimeField(_("发布时间"), default=clock.now)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("已发布考核结果")
        verbose_name_plural = _("已发布考核结果")
        ordering = ["-period", "scheme_code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["scheme_code", "period", "number"], name="snapshot_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.scheme_code} {self.period:%Y-%m} 第{self.number}版"


class RunningScore(models.Model):
    """A scheme's running score for a month as last computed, kept for lookups: `results` is exactly what
    `kaifang.assessment.selectors.assess` gave (every point explained), `ranks` each unit's total, rank
    and grade. It is only ever served while `stamp` — the digest of every input it was computed from
    (`kaifang.assessment.running.inputs_stamp`) — equals the stamp of the data as it is now; any write
    changes the stamp, so a read after a save recomputes (zero lag). Derived data: no audit."""

    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.CASCADE, related_name="+")
    period = models.DateField(_("考核期间"))
    stamp = models.CharField(max_length=64)
    ranks = models.JSONField(default=dict)
    results = models.JSONField(default=dict)
    computed_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("实时得分")
        verbose_name_plural = _("实时得分")
        constraints = [models.UniqueConstraint(fields=["scheme", "period"], name="runningscore_once")]

    def __str__(self) -> str:
        return f"{self.scheme_id} {self.period:%Y-%m}"


class BulletinFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word"
    XLSX = "xlsx", "Excel"
    OFD = "ofd", "OFD"


class BulletinStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已生成")
    FAILED = "failed", _("生成失败")


def bulletin_path(instance: Any, filename: str) -> str:
    return f"assessment/bulletins/{instance.period:%Y-%m}/{filename}"


class Bulletin(models.Model):
    """A generated bulletin (通报) file, archived with the snapshot it reports."""

    snapshot = models.ForeignKey(
        AssessmentSnapshot, null=True, blank=True, on_delete=models.PROTECT, related_name="bulletins"
    )
    scheme_code = models.CharField(_("方案代码"), max_length=32)
    period = models.DateField(_("期间"))
    kind = models.CharField(_("类型"), max_length=10, default="monthly")
    format = models.CharField(_("格式"), max_length=4, choices=BulletinFormat.choices)
    doc_number = models.CharField(_("文号"), max_length=60, blank=True)
    title = models.CharField(_("标题"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=BulletinStatus.choices, default=BulletinStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    file = models.FileField(_("文件"), upload_to=bulletin_path, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title or f"{self.period:%Y-%m} {self.format}"
