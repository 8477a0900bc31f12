"""Writes to the investment ledger. Every change validates, writes, pushes the derived indicator
figures it touched and records the audit event, all in one transaction."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kaifang.accounts.models import Role
from kaifang.accounts.permissions import can_write_for_unit
from kaifang.audit.services import record_event, snapshot
from kaifang.core import clock
from kaifang.ledgers import derived
from kaifang.ledgers.counting import ledger_events
from kaifang.ledgers.investors import normalize_investor_name, similar_investors
from kaifang.ledgers.models import (
    CapitalIncrease,
    ExchangeRate,
    FollowUp,
    FundsReceipt,
    InvestmentProject,
    Investor,
    ProjectTransfer,
    StageChange,
)
from kaifang.ledgers.money import Rates
from kaifang.ledgers.reference import ORIGIN_NAMES, Currency, FollowUpKind, FollowUpStatus, Industry, Stage
from kaifang.orgs.models import OrgUnit, UnitKind

WRITERS: set[str] = {Role.PROVINCE_ADMIN, Role.PROVINCE_SUPERVISOR, Role.CITY_OFFICER, Role.REPORTER}

# The stage workflow: (from stage, action) → (to stage, roles allowed). Anything else is refused.
TRANSITIONS: dict[tuple[str, str], tuple[str, set[str]]] = {
    (Stage.LEAD, "negotiate"): (Stage.NEGOTIATING, WRITERS),
    (Stage.NEGOTIATING, "sign"): (Stage.SIGNED, WRITERS),
    (Stage.NEGOTIATING, "back_to_lead"): (Stage.LEAD, WRITERS),
    (Stage.SIGNED, "plan_start"): (Stage.TO_START, WRITERS),
    (Stage.SIGNED, "start"): (Stage.STARTED, WRITERS),
    (Stage.SIGNED, "back_to_negotiating"): (Stage.NEGOTIATING, WRITERS),
    (Stage.TO_START, "start"): (Stage.STARTED, WRITERS),
    (Stage.TO_START, "back_to_signed"): (Stage.SIGNED, WRITERS),
    (Stage.STARTED, "funds_in"): (Stage.FUNDS_IN, WRITERS),
    (Stage.FUNDS_IN, "produce"): (Stage.PRODUCTION, WRITERS),
    **{(stage, "drop"): (Stage.DROPPED, WRITERS) for stage in Stage.values if stage != Stage.DROPPED},
}
ACTION_LABELS = {
    "create": _("录入线索"),
    "negotiate": _("转入在谈"),
    "sign": pgettext_lazy("project action", "签约"),
    "back_to_lead": _("退回线索"),
    "plan_start": _("列入拟开工"),
    "start": pgettext_lazy("project action", "开工"),
    "back_to_negotiating": _("退回在谈"),
    "back_to_signed": _("退回签约"),
    "funds_in": pgettext_lazy("project action", "资金到位"),
    "produce": pgettext_lazy("project action", "投产"),
    "drop": pgettext_lazy("project action", "终止"),
}
PROJECT_FIELDS = [
    "name",
    "unit_id",
    "platform_id",
    "leader",
    "currency",
    "agreed_amount",
    "stage",
    "industry",
    "origin",
]


@dataclass
class ProjectInput:
    """What a person types for a project (the form, the API, an import row)."""

    name: str
    investor_name: str
    origin: str
    industry: str
    unit: OrgUnit
    agreed_amount: Decimal
    currency: str = Currency.CNY
    platform: OrgUnit | None = None
    leader: str = ""
    description: str = ""
    lead_received_on: datetime.date | None = None
    is_fortune500: bool = False
    external_id: str = ""


def actor_name(actor: Any) -> str:
    if isinstance(actor, str):
        return actor
    return str(getattr(actor, "display_name", "") or getattr(actor, "username", ""))


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) is not None else None


def check_can_write(actor: Any, unit: OrgUnit) -> None:
    """People write only within their scope; system writers (demo, cli with no user) are trusted."""
    if isinstance(actor, str):
        return
    if not can_write_for_unit(actor, unit):
        raise PermissionDenied("您无权修改该单位的台账。")


def check_version(obj: Any, expected_version: int | None) -> None:
    if expected_version is not None and obj.version != expected_version:
        raise ValidationError("该记录已被他人修改，请刷新后核对再提交。", code="stale")


def check_date(day: datetime.date, *, label: str, not_before: datetime.date | None = None) -> None:
    if day > clock.today():
        raise ValidationError(f"{label}不能晚于今天。", code="future")
    if day.year < 2000:
        raise ValidationError(f"{label}有误。", code="invalid")
    if not_before is not None and day < not_before:
        raise ValidationError(f"{label}不能早于上一次变更的日期（{not_before:%Y-%m-%d}）。", code="order")


def clean_project_input(data: ProjectInput) -> None:
    errors: dict[str, list[str]] = {}
    if not data.name.strip() or len(data.name) > 200:
        errors["name"] = ["请填写项目名称（200字以内）。"]
    if not data.investor_name.strip() or len(data.investor_name) > 200:
        errors["investor_name"] = ["请填写投资方（200字以内）。"]
    if data.origin not in ORIGIN_NAMES:
        errors["origin"] = ["来源国家/地区不在列表中。"]
    if data.industry not in Industry.values:
        errors["industry"] = ["行业门类应为国民经济行业分类 A–T 之一。"]
    if data.currency not in Currency.values:
        errors["currency"] = ["币种只能是万元或万美元。"]
    if data.agreed_amount is None or data.agreed_amount < 0 or data.agreed_amount > Decimal("1e12"):
        errors["agreed_amount"] = ["协议投资额应为不小于0的数字。"]
    if data.unit.kind == UnitKind.PLATFORM:
        errors["unit"] = ["责任单位应为市、县（区）或省直部门；开放平台请填在“所在平台”。"]
    if data.platform is not None and data.platform.kind != UnitKind.PLATFORM:
        errors["platform"] = ["所在平台须为开放平台。"]
    if errors:
        raise ValidationError(errors)


def get_or_create_investor(*, name: str, origin: str, is_fortune500: bool = False) -> tuple[Investor, list[str]]:
    """The investor with exactly this normalised name, or a new one; warnings name similar investors."""
    key = normalize_investor_name(name)
    existing = Investor.objects.filter(normalized_name=key).order_by("id").first()
    if existing is not None:
        if is_fortune500 and not existing.is_fortune500:
            Investor.objects.filter(pk=existing.pk).update(is_fortune500=True)
            existing.is_fortune500 = True
        return existing, []
    warnings = [
        f"投资方“{name}”与已有的“{other.name}”相似（相似度 {ratio:.0%}），请确认是否为同一投资方。"
        for other, ratio in similar_investors(name)
    ]
    investor = Investor.objects.create(
        name=name.strip(), normalized_name=key, origin=origin, is_fortune500=is_fortune500
    )
    return investor, warnings


def _events_of(project_ids: list[int]) -> set[tuple[int, datetime.date]]:
    return derived.event_keys(ledger_events(project_ids=project_ids))


def create_project(*, actor: Any, data: ProjectInput) -> tuple[InvestmentProject, list[str]]:
    """Record a new lead (线索). Returns the project and similar-investor warnings (never a block)."""
    clean_project_input(data)
    check_can_write(actor, data.unit)
    received = data.lead_received_on or clock.today()
    check_date(received, label="线索获得日期")
    with transaction.atomic():
        if data.external_id and InvestmentProject.objects.filter(external_id=data.external_id).exists():
            raise ValidationError({"external_id": [f"台账编号 {data.external_id} 已存在。"]}, code="duplicate")
        investor, warnings = get_or_create_investor(
            name=data.investor_name, origin=data.origin, is_fortune500=data.is_fortune500
        )
        project = InvestmentProject.objects.create(
            external_id=data.external_id or f"P-{uuid.uuid4().hex[:12]}",
            name=data.name.strip(),
            investor=investor,
            origin=data.origin,
            industry=data.industry,
            unit=data.unit,
            platform=data.platform,
            leader=data.leader.strip(),
            currency=data.currency,
            agreed_amount=data.agreed_amount,
            description=data.description,
            stage=Stage.LEAD,
            stage_since=received,
            lead_received_on=received,
            created_by=_user(actor),
        )
        StageChange.objects.create(
            project=project,
            from_stage="",
            to_stage=Stage.LEAD,
            action="create",
            effective_on=received,
            unit=data.unit,
            actor=_user(actor),
            actor_name=actor_name(actor),
        )
        record_event(actor=actor, action="ledgers.project.create", obj=project, after=snapshot(project, PROJECT_FIELDS))
    return project, warnings


def transition_project(
    *,
    actor: Any,
    project: InvestmentProject,
    action: str,
    effective_on: datetime.date,
    evidence: str = "",
    expected_version: int | None = None,
) -> InvestmentProject:
    """Move a project one step along the transition table, with a dated history row."""
    with transaction.atomic():
        project = InvestmentProject.objects.select_for_update().get(pk=project.pk)
        check_version(project, expected_version)
        check_can_write(actor, project.unit)
        rule = TRANSITIONS.get((project.stage, action))
        if rule is None:
            raise ValidationError(
                f"项目当前处于“{project.get_stage_display()}”阶段，不能执行“{ACTION_LABELS.get(action, action)}”。",
                code="transition",
            )
        to_stage, roles = rule
        if not isinstance(actor, str) and getattr(actor, "role", None) not in roles:
            raise PermissionDenied("您的角色不能执行该操作。")
        check_date(effective_on, label="生效日期", not_before=project.stage_since)
        if len(evidence) > 2000:
            raise ValidationError("依据说明不能超过2000字。")
        before_keys = _events_of([project.pk])
        before = snapshot(project, ["stage", "stage_since", "version"])
        StageChange.objects.create(
            project=project,
            from_stage=project.stage,
            to_stage=to_stage,
            action=action,
            effective_on=effective_on,
            unit=project.unit,
            evidence=evidence.strip(),
            actor=_user(actor),
            actor_name=actor_name(actor),
        )
        project.stage, project.stage_since = to_stage, effective_on
        fields = ["stage", "stage_since", "version"]
        # 统计口径: the first signing and the first start are frozen with the unit holding it then.
        if to_stage == Stage.SIGNED and project.first_signed_on is None:
            project.first_signed_on, project.first_signed_unit = effective_on, project.unit
            fields += ["first_signed_on", "first_signed_unit"]
        if to_stage == Stage.STARTED and project.first_started_on is None:
            project.first_started_on, project.first_started_unit = effective_on, project.unit
            fields += ["first_started_on", "first_started_unit"]
            if project.first_signed_on is None:  # started without a recorded signing: it was signed then
                project.first_signed_on, project.first_signed_unit = effective_on, project.unit
                fields += ["first_signed_on", "first_signed_unit"]
        project.version = F("version") + 1
        project.save(update_fields=fields)
        project.refresh_from_db()
        derived.push_values(actor=actor, keys=before_keys | _events_of([project.pk]))
        record_event(
            actor=actor,
            action=f"ledgers.project.{action}",
            obj=project,
            before=before,
            after={**snapshot(project, ["stage", "stage_since", "version"]), "evidence": evidence.strip()},
        )
    return project


def update_project(
    *, actor: Any, project: InvestmentProject, data: ProjectInput, expected_version: int | None
) -> InvestmentProject:
    """Correct a project's details (not its stage or unit: those have their own dated services)."""
    clean_project_input(data)
    with transaction.atomic():
        project = InvestmentProject.objects.select_for_update().get(pk=project.pk)
        check_version(project, expected_version)
        check_can_write(actor, project.unit)
        before_keys = _events_of([project.pk])
        before = snapshot(project, PROJECT_FIELDS)
        investor, _warnings = get_or_create_investor(
            name=data.investor_name, origin=data.origin, is_fortune500=data.is_fortune500
        )
        project.name, project.investor, project.origin = data.name.strip(), investor, data.origin
        project.industry, project.platform, project.leader = data.industry, data.platform, data.leader.strip()
        project.currency, project.agreed_amount, project.description = (
            data.currency,
            data.agreed_amount,
            data.description,
        )
        project.version = F("version") + 1
        project.save()
        project.refresh_from_db()
        derived.push_values(actor=actor, keys=before_keys | _events_of([project.pk]))
        record_event(
            actor=actor,
            action="ledgers.project.update",
            obj=project,
            before=before,
            after=snapshot(project, PROJECT_FIELDS),
        )
    return project


def transfer_project(
    *,
    actor: Any,
    project: InvestmentProject,
    to_unit: OrgUnit,
    effective_on: datetime.date,
    reason: str = "",
    expected_version: int | None = None,
) -> InvestmentProject:
    """Hand a project to another responsible unit. History and counts already made stay put."""
    with transaction.atomic():
        project = InvestmentProject.objects.select_for_update().get(pk=project.pk)
        check_version(project, expected_version)
        check_can_write(actor, project.unit)
        check_can_write(actor, to_unit)
        if to_unit.pk == project.unit_id:
            raise ValidationError("项目已由该单位负责。", code="same_unit")
        if to_unit.kind == UnitKind.PLATFORM:
            raise ValidationError("责任单位不能是开放平台。", code="invalid")
        check_date(effective_on, label="移交日期")
        ProjectTransfer.objects.create(
            project=project,
            from_unit=project.unit,
            to_unit=to_unit,
            effective_on=effective_on,
            reason=reason.strip()[:2000],
            actor_name=actor_name(actor),
        )
        before = {"unit": project.unit.code}
        project.unit = to_unit
        project.version = F("version") + 1
        project.save(update_fields=["unit", "version"])
        project.refresh_from_db()
        record_event(
            actor=actor, action="ledgers.project.transfer", obj=project, before=before, after={"unit": to_unit.code}
        )
    return project


def _check_amount(amount: Decimal, currency: str, label: str) -> None:
    if currency not in Currency.values:
        raise ValidationError("币种只能是万元或万美元。")
    if amount is None or amount <= 0 or amount > Decimal("1e12"):
        raise ValidationError(f"{label}应为大于0的数字。")


def add_capital_increase(
    *, actor: Any, project: InvestmentProject, amount: Decimal, currency: str, signed_on: datetime.date, note: str = ""
) -> CapitalIncrease:
    """增资: only the increment counts (see `counting`)."""
    _check_amount(amount, currency, "增资额")
    with transaction.atomic():
        project = InvestmentProject.objects.select_for_update().get(pk=project.pk)
        check_can_write(actor, project.unit)
        if project.first_signed_on is None:
            raise ValidationError("项目尚未签约，不能登记增资；请修改协议投资额。", code="not_signed")
        check_date(signed_on, label="增资签约日期", not_before=project.first_signed_on)
        increase = CapitalIncrease.objects.create(
            project=project,
            amount=amount,
            currency=currency,
            signed_on=signed_on,
            unit=project.unit,
            note=note.strip()[:200],
            actor_name=actor_name(actor),
        )
        derived.push_values(actor=actor, keys={(project.unit_id, signed_on.replace(day=1))})
        record_event(
            actor=actor,
            action="ledgers.project.capital_increase",
            obj=project,
            after={"amount": amount, "currency": currency, "signed_on": signed_on},
        )
    return increase


def record_funds(
    *,
    actor: Any,
    project: InvestmentProject,
    amount: Decimal,
    currency: str,
    received_on: datetime.date,
    note: str = "",
) -> FundsReceipt:
    """Money that arrived (实际到位资金), counted for the unit holding the project on that day."""
    _check_amount(amount, currency, "到位金额")
    with transaction.atomic():
        project = InvestmentProject.objects.select_for_update().get(pk=project.pk)
        check_can_write(actor, project.unit)
        if project.first_signed_on is None:
            raise ValidationError("项目尚未签约，不能登记到位资金。", code="not_signed")
        check_date(received_on, label="到位日期")
        receipt = FundsReceipt.objects.create(
            project=project,
            amount=amount,
            currency=currency,
            received_on=received_on,
            unit=project.unit,
            note=note.strip()[:200],
            actor_name=actor_name(actor),
        )
        in_project_currency = Rates().convert(amount, currency, project.currency, received_on)
        InvestmentProject.objects.filter(pk=project.pk).update(
            funds_in_place=F("funds_in_place") + in_project_currency, version=F("version") + 1
        )
        derived.push_values(actor=actor, keys={(project.unit_id, received_on.replace(day=1))})
        record_event(
            actor=actor,
            action="ledgers.project.funds",
            obj=project,
            after={"amount": amount, "currency": currency, "received_on": received_on},
        )
    return receipt


LEAD_MILESTONES = {"respond": "responded_on", "assess": "assessed_on", "feedback": "feedback_on"}


def record_lead_milestone(
    *, actor: Any, project: InvestmentProject, milestone: str, on: datetime.date
) -> InvestmentProject:
    """Record that a lead was answered (响应), assessed (研判) or given feedback (反馈) on `on`."""
    field = LEAD_MILESTONES.get(milestone)
    if field is None:
        raise ValidationError("未知的线索处理环节。")
    with transaction.atomic():
        project = InvestmentProject.objects.select_for_update().get(pk=project.pk)
        check_can_write(actor, project.unit)
        check_date(on, label="处理日期", not_before=project.lead_received_on)
        if getattr(project, field) is not None:
            return project  # already recorded: a double submit applies once
        setattr(project, field, on)
        project.version = F("version") + 1
        project.save(update_fields=[field, "version"])
        project.refresh_from_db()
        record_event(actor=actor, action=f"ledgers.lead.{milestone}", obj=project, after={field: on})
    return project


def add_follow_up(*, actor: Any, project: InvestmentProject, kind: str, text: str) -> FollowUp:
    if kind not in FollowUpKind.values:
        raise ValidationError("未知的记录类型。")
    if not text.strip() or len(text) > 2000:
        raise ValidationError({"text": ["请填写内容（2000字以内）。"]})
    check_can_write(actor, project.unit)
    with transaction.atomic():
        item = FollowUp.objects.create(project=project, kind=kind, text=text.strip(), actor_name=actor_name(actor))
        record_event(
            actor=actor, action="ledgers.followup.create", obj=project, after={"kind": kind, "text": text.strip()}
        )
    return item


def set_follow_up_status(*, actor: Any, item: FollowUp, status: str, expected_version: int | None = None) -> FollowUp:
    if status not in FollowUpStatus.values:
        raise ValidationError("未知的状态。")
    with transaction.atomic():
        item = FollowUp.objects.select_for_update().select_related("project__unit").get(pk=item.pk)
        check_version(item, expected_version)
        check_can_write(actor, item.project.unit)
        before = item.status
        item.status = status
        item.resolved_at = clock_now() if status == FollowUpStatus.RESOLVED else None
        item.version += 1
        item.save(update_fields=["status", "resolved_at", "version"])
        record_event(
            actor=actor,
            action="ledgers.followup.status",
            obj=item.project,
            before={"status": before},
            after={"status": status},
        )
    return item


def clock_now() -> datetime.datetime:
    from django.utils import timezone

    return timezone.now()


def set_exchange_rate(*, actor: Any, year: int, rate: Decimal, source: str = "") -> ExchangeRate:
    """Record the year's 元/美元 rate used to convert 万美元 (province users only)."""
    if not isinstance(actor, str) and getattr(actor, "role", None) not in {
        Role.PROVINCE_ADMIN,
        Role.PROVINCE_SUPERVISOR,
    }:
        raise PermissionDenied("只有省级用户可以录入汇率。")
    if rate is None or rate <= 0 or rate > 100:
        raise ValidationError("汇率应为大于0的数字（元/美元）。")
    with transaction.atomic():
        defaults = {"rate": rate, "source": source[:200]}
        obj, _created = ExchangeRate.objects.update_or_create(year=year, defaults=defaults)
        record_event(actor=actor, action="ledgers.rate.set", obj=obj, unit=None, after={"year": year, "rate": rate})
    return obj
