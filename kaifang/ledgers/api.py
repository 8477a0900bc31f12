"""/api/v1/projects and /api/v1/talents: the ledgers for programs, through the same services and guard."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from kaifang.core.listing import ApiPagination
from kaifang.core.schemas import (
    MONEY_MESSAGE,
    ErrorOut,
    Money,
    MoneyOut,
    PathId,
    Version,
)
from kaifang.ledgers import selectors, services
from kaifang.ledgers.models import InvestmentProject, TalentRecord
from kaifang.ledgers.reference import Stage
from kaifang.ledgers.services import money
from kaifang.ledgers.services.talents import TalentInput, create_talent
from kaifang.orgs.models import OrgUnit, UnitKind
from kaifang.orgs.scope import get_unit_for_user

projects_router = Router(tags=["projects"])
talents_router = Router(tags=["talents"])
CODE = r"^[A-Za-z0-9_-]{1,32}$"
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class StageChangeOut(Schema):
    from_stage: str
    to_stage: str
    action: str
    effective_on: datetime.date
    unit_code: str = Field(alias="unit.code")
    actor_name: str
    evidence: str


class ProjectOut(Schema):
    id: int
    external_id: str
    name: str
    investor: str = Field(alias="investor.name")
    origin: str
    origin_tags: list[str]
    industry: str
    unit_code: str = Field(alias="unit.code")
    unit_name: str = Field(alias="unit.name")
    platform_code: str | None = None
    leader: str
    currency: str
    agreed_amount: MoneyOut
    funds_in_place: MoneyOut
    stage: str
    stage_since: datetime.date
    lead_received_on: datetime.date
    first_signed_on: datetime.date | None
    first_started_on: datetime.date | None
    version: int

    @staticmethod
    def resolve_platform_code(obj: InvestmentProject) -> str | None:
        return obj.platform.code if obj.platform else None


class ProjectDetailOut(ProjectOut):
    history: list[StageChangeOut]

    @staticmethod
    def resolve_history(obj: InvestmentProject) -> list[Any]:
        return list(obj.stage_changes.select_related("unit").order_by("effective_on", "id"))


class ProjectIn(Schema):
    name: str = Field(max_length=200)
    investor_name: str = Field(max_length=200)
    origin: str = Field(max_length=8)
    industry: str = Field(max_length=1)
    unit_code: str = Field(pattern=CODE)
    platform_code: str | None = Field(None, pattern=CODE)
    leader: str = Field("", max_length=50)
    currency: str = Field("CNY", max_length=3)
    agreed_amount: Money
    lead_received_on: datetime.date | None = None
    is_fortune500: bool = False
    description: str = Field("", max_length=4000)
    external_id: str = Field("", max_length=64)


class CreatedProjectOut(Schema):
    project: ProjectOut
    warnings: list[str]


class ProjectTransitionIn(Schema):
    action: str = Field(max_length=24)
    effective_on: datetime.date
    evidence: str = Field("", max_length=2000)
    expected_version: Version


class ProjectFiltersIn(Schema):
    """The project list's filters (the page's too): they combine; `unit` includes the units below it."""

    stage: Stage | None = None
    tag: str | None = Field(None, max_length=20, description="来源标签：一带一路、京津冀 … 或 世界500强")
    industry: str | None = Field(None, max_length=1)
    unit: str | None = Field(None, pattern=CODE)
    year: int | None = Field(None, ge=1900, le=2100, description="线索获得年度")
    q: str | None = Field(None, max_length=50, description="项目名称、投资方或台账编号中包含")
    sort: str | None = Field(None, max_length=20, description="new（默认）、old、signed、stage、unit、name")


@projects_router.get("", response={200: list[ProjectOut], **ERRORS}, summary="可见的招商引资项目（分页）")
@paginate(ApiPagination)
def list_projects(request: HttpRequest, filters: Query[ProjectFiltersIn]) -> Any:
    listing = selectors.PROJECT_LIST.read(filters.dict(exclude_none=True), user=request.user).strict()
    return selectors.visible_projects(request.user, listing)


@projects_router.get("/{int:pk}", response={200: ProjectDetailOut, **ERRORS}, summary="单个项目及阶段历史")
def get_project(request: HttpRequest, pk: PathId) -> Any:
    return selectors.get_project_for_user(request.user, pk)


@projects_router.post("", response={201: CreatedProjectOut, **ERRORS}, summary="录入招商线索")
def create(request: HttpRequest, payload: ProjectIn) -> Status:
    unit = get_unit_for_user(request.user, payload.unit_code)
    platform = get_unit_for_platform(payload.platform_code)
    project, warnings = services.create_project(
        actor=request.user,
        data=services.ProjectInput(
            name=payload.name,
            investor_name=payload.investor_name,
            origin=payload.origin,
            industry=payload.industry,
            unit=unit,
            platform=platform,
            leader=payload.leader,
            currency=payload.currency,
            agreed_amount=payload.agreed_amount,
            lead_received_on=payload.lead_received_on,
            is_fortune500=payload.is_fortune500,
            description=payload.description,
            external_id=payload.external_id,
        ),
    )
    return Status(201, {"project": selectors.get_project_for_user(request.user, project.pk), "warnings": warnings})


def get_unit_for_platform(code: str | None) -> Any:
    if not code:
        return None

    platform = OrgUnit.objects.filter(code=code, kind=UnitKind.PLATFORM).first()
    if platform is None:
        raise ValidationError({"platform_code": ["平台不存在。"]})
    return platform


@projects_router.post("/{int:pk}/transition", response={200: ProjectOut, **ERRORS}, summary="项目阶段变更")
def transition(request: HttpRequest, pk: PathId, payload: ProjectTransitionIn) -> Any:
    project = selectors.get_project_for_user(request.user, pk)
    moved = services.transition_project(
        actor=request.user,
        project=project,
        action=payload.action,
        effective_on=payload.effective_on,
        evidence=payload.evidence,
        expected_version=payload.expected_version,
    )
    return selectors.get_project_for_user(request.user, moved.pk)


class TransferIn(Schema):
    to_unit_code: str = Field(pattern=CODE)
    effective_on: datetime.date
    reason: str = Field("", max_length=2000)
    expected_version: Version


class AmountIn(Schema):
    amount: Money = Field(description="大于 0；" + MONEY_MESSAGE)
    currency: str = Field("CNY", max_length=3)
    on: datetime.date
    note: str = Field("", max_length=200)


@projects_router.post("/{int:pk}/transfer", response={200: ProjectOut, **ERRORS}, summary="项目移交其他单位")
def transfer(request: HttpRequest, pk: PathId, payload: TransferIn) -> Any:
    project = selectors.get_project_for_user(request.user, pk)
    to_unit = get_unit_for_user(request.user, payload.to_unit_code)
    services.transfer_project(
        actor=request.user,
        project=project,
        to_unit=to_unit,
        effective_on=payload.effective_on,
        reason=payload.reason,
        expected_version=payload.expected_version,
    )
    return selectors.get_project_for_user(request.user, pk)  # the service checked the new unit is writable


@projects_router.post("/{int:pk}/funds", response={201: ProjectOut, **ERRORS}, summary="登记到位资金")
def add_funds(request: HttpRequest, pk: PathId, payload: AmountIn) -> Status:
    project = selectors.get_project_for_user(request.user, pk)
    money.record_funds(
        actor=request.user,
        project=project,
        amount=payload.amount,
        currency=payload.currency,
        received_on=payload.on,
        note=payload.note,
    )
    return Status(201, selectors.get_project_for_user(request.user, pk))


@projects_router.post("/{int:pk}/capital-increases", response={201: ProjectOut, **ERRORS}, summary="登记增资")
def add_increase(request: HttpRequest, pk: PathId, payload: AmountIn) -> Status:
    project = selectors.get_project_for_user(request.user, pk)
    money.add_capital_increase(
        actor=request.user,
        project=project,
        amount=payload.amount,
        currency=payload.currency,
        signed_on=payload.on,
        note=payload.note,
    )
    return Status(201, selectors.get_project_for_user(request.user, pk))


class TalentOut(Schema):
    id: int
    external_id: str
    name: str
    kind: str
    headcount: int
    field: str
    level: str
    programme: str
    employer: str
    unit_code: str = Field(alias="unit.code")
    introduced_on: datetime.date
    source_region: str


class TalentIn(Schema):
    name: str = Field(max_length=100)
    kind: str = Field("person", max_length=8)
    headcount: int = Field(1, ge=1, le=500)
    field: str = Field(max_length=100)
    level: str = Field(max_length=16)
    programme: str = Field("", max_length=100)
    employer: str = Field(max_length=200)
    unit_code: str = Field(pattern=CODE)
    introduced_on: datetime.date
    source_region: str = Field(max_length=8)
    external_id: str = Field("", max_length=64)


class TalentFiltersIn(Schema):
    level: str | None = Field(None, max_length=16)
    kind: str | None = Field(None, max_length=8)
    unit: str | None = Field(None, pattern=CODE)
    year: int | None = Field(None, ge=1900, le=2100, description="引进年度")
    q: str | None = Field(None, max_length=50, description="姓名、用人单位、领域、人才计划或台账编号中包含")
    sort: str | None = Field(None, max_length=20, description="new（默认）、old、headcount、unit、name")


@talents_router.get("", response={200: list[TalentOut], **ERRORS}, summary="可见的引进人才（分页）")
@paginate(ApiPagination)
def list_talents(request: HttpRequest, filters: Query[TalentFiltersIn]) -> Any:
    listing = selectors.TALENT_LIST.read(filters.dict(exclude_none=True), user=request.user).strict()
    return selectors.visible_talents(request.user, listing)


@talents_router.get("/{int:pk}", response={200: TalentOut, **ERRORS}, summary="单条引进人才")
def get_talent(request: HttpRequest, pk: PathId) -> TalentRecord:
    return selectors.get_talent_for_user(request.user, pk)


@talents_router.post("", response={201: TalentOut, **ERRORS}, summary="录入引进人才")
def create_talent_api(request: HttpRequest, payload: TalentIn) -> Status:
    unit = get_unit_for_user(request.user, payload.unit_code)
    if getattr(request.user, "role", None) in ("leader", "auditor"):
        raise PermissionDenied("只读用户不能录入。")
    record = create_talent(
        actor=request.user,
        data=TalentInput(**payload.dict(exclude={"unit_code"}), unit=unit),
    )
    return Status(201, record)
