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
from kaifang.core import clock, versions
from kaifang.core.actors import actor_display_name as actor_name
from kaifang.core.actors import actor_user as _user
from kaifang.core.actors import is_system_actor
from kaifang.core.workflow import Step, Workflow
from kaifang.ledgers import derived
from kaifang.ledgers.counting import ledger_events
from kaifang.ledgers.investors import normalize_investor_name, similar_investors
from kaifang.ledgers.models import (
    InvestmentProject,
    Investor,
    ProjectTransfer,
    StageChange,
)
from kaifang.ledgers.reference import ORIGIN_NAMES, Currency, Industry, Stage
from kaifang.orgs.models import OrgUnit, UnitKind

WRITERS: set[str] = {Role.PROVINCE_ADMIN, Role.PROVINCE_SUPERVISOR, Role.CITY_OFFICER, Role.REPORTER}
WRITING = frozenset(WRITERS)

# The stage workflow: (from stage, action) → (to stage, roles allowed). Anything else is refused.
TRANSITIONS = Workflow(
    {
        (Stage.LEAD, "negotiate"): Step(Stage.NEGOTIATING, WRITING),
        (Stage.NEGOTIATING, "sign"): Step(Stage.SIGNED, WRITING),
        (Stage.NEGOTIATING, "back_to_lead"): Step(Stage.LEAD, WRITING),
        (Stage.SIGNED, "plan_start"): Step(Stage.TO_START, WRITING),
        (Stage.SIGNED, "start"): Step(Stage.STARTED, WRITING),
        (Stage.SIGNED, "back_to_negotiating"): Step(Stage.NEGOTIATING, WRITING),
        (Stage.TO_START, "start"): Step(Stage.STARTED, WRITING),
        (Stage.TO_START, "back_to_signed"): Step(Stage.SIGNED, WRITING),
        (Stage.STARTED, "funds_in"): Step(Stage.FUNDS_IN, WRITING),
        (Stage.FUNDS_IN, "produce"): Step(Stage.PRODUCTION, WRITING),
        **{(stage, "drop"): Step(Stage.DROPPED, WRITING) for stage in Stage.values if stage != Stage.DROPPED},
    }
)
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


def check_can_write(actor: Any, unit: OrgUnit) -> None:
    """People write only within their scope; system writers (demo, cli with no user) are trusted."""
    if is_system_actor(actor):
        return
    if not can_write_for_unit(actor, unit):
        raise PermissionDenied("您无权修改该单位的台账。")


def check_version(obj: Any, expected_version: int | None) -> None:
    versions.check_version(obj, expected_version, "该记录已被他人修改，请刷新后核对再提交。")


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
        to_stage = TRANSITIONS.transition(
            project.stage,
            action,
            None if is_system_actor(actor) else {getattr(actor, "role", None)},
            refused=f"项目当前处于“{project.get_stage_display()}”阶段，不能执行“{ACTION_LABELS.get(action, action)}”。",
            forbidden="您的角色不能执行该操作。",
            code="transition",
        ).to
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
