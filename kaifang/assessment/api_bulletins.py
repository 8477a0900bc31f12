"""The assessment API's bulletins (请求生成、查看、列出) and the manual bonus/penalty entries list; mounted on
the same router as `kaifang.assessment.api`."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from kaifang.assessment import selectors, services
from kaifang.assessment.api import PERIOD_PATTERN, _period_for, router
from kaifang.assessment.models import Bulletin
from kaifang.core.listing import ApiPagination
from kaifang.core.schemas import ErrorOut, PathId


class BulletinIn(Schema):
    scheme: str = Field(..., pattern=r"^[A-Za-z0-9_-]{1,32}$")
    period: str = Field(..., pattern=PERIOD_PATTERN)
    kind: str = Field("monthly", pattern=r"^(monthly|quarterly)$")
    format: str = Field("pdf", pattern=r"^(pdf|docx|xlsx|ofd)$")


class BulletinOut(Schema):
    id: int
    scheme: str
    period: str
    kind: str
    format: str
    title: str
    doc_number: str
    status: str
    progress: int
    snapshot_id: int | None
    sha256: str
    download_url: str | None


def _bulletin_out(bulletin: Bulletin) -> dict[str, Any]:
    done = bulletin.status == "done"
    return {
        "id": bulletin.pk,
        "scheme": bulletin.scheme_code,
        "period": f"{bulletin.period:%Y-%m}",
        "kind": bulletin.kind,
        "format": bulletin.format,
        "title": bulletin.title,
        "doc_number": bulletin.doc_number,
        "status": bulletin.status,
        "progress": bulletin.progress,
        "snapshot_id": bulletin.snapshot_id,
        "sha256": bulletin.sha256,
        "download_url": reverse("assessment:bulletin_download", args=[bulletin.pk]) if done else None,
    }


@router.post(
    "/bulletins",
    response={201: BulletinOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="生成通报（后台生成，查询进度后下载）",
)
def request_bulletin(request: HttpRequest, payload: BulletinIn) -> Status:
    scheme = selectors.get_scheme_for_user(request.user, payload.scheme)
    bulletin = services.request_bulletin(
        actor=request.user,
        scheme=scheme,
        period=_period_for(scheme, payload.period),
        kind=payload.kind,
        file_format=payload.format,
    )
    bulletin.refresh_from_db()
    return Status(201, _bulletin_out(bulletin))


@router.get(
    "/bulletins/{int:bulletin_id}", response={200: BulletinOut, 401: ErrorOut, 404: ErrorOut}, summary="通报进度"
)
def get_bulletin(request: HttpRequest, bulletin_id: PathId) -> dict[str, Any]:
    return _bulletin_out(selectors.get_bulletin_for_user(request.user, bulletin_id))


class BulletinFilters(Schema):
    scheme: str | None = Field(None, max_length=32)
    kind: str | None = Field(None, max_length=10, description="monthly 或 quarterly")
    format: str | None = Field(None, max_length=4)
    status: str | None = Field(None, max_length=8)
    period: str | None = Field(None, pattern=r"^(19|20)\d{2}-(0[1-9]|1[0-2])$")
    q: str | None = Field(None, max_length=50, description="标题或文号中包含")
    sort: str | None = Field(None, max_length=20, description="new（默认）、period、old")


@router.get("/bulletins", response={200: list[BulletinOut], 400: ErrorOut, 401: ErrorOut}, summary="通报列表（分页）")
@paginate(ApiPagination)
def list_bulletins(request: HttpRequest, filters: Query[BulletinFilters]) -> list[dict[str, Any]]:
    listing = selectors.BULLETIN_LIST.read(filters.dict(exclude_none=True), user=request.user).strict()
    return [_bulletin_out(b) for b in selectors.bulletins_for_user(request.user, listing)]


class AdjustmentOut(Schema):
    id: int
    scheme: str
    item: str
    unit_code: str
    unit_name: str
    period: str
    points: str
    reason: str
    evidence: str
    state: str
    version: int


class AdjustmentFilters(Schema):
    state: str | None = Field(None, max_length=8)
    scheme: str | None = Field(None, max_length=32)
    unit: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]{1,32}$")
    period: str | None = Field(None, pattern=r"^(19|20)\d{2}-(0[1-9]|1[0-2])$")
    q: str | None = Field(None, max_length=50, description="事由、依据或考核项中包含")
    sort: str | None = Field(None, max_length=20, description="pending（默认）、period、points、unit")


@router.get(
    "/adjustments", response={200: list[AdjustmentOut], 400: ErrorOut, 401: ErrorOut}, summary="加减分事项（分页）"
)
@paginate(ApiPagination)
def list_adjustments(request: HttpRequest, filters: Query[AdjustmentFilters]) -> list[dict[str, Any]]:
    listing = selectors.ADJUSTMENT_LIST.read(filters.dict(exclude_none=True), user=request.user).strict()
    return [
        {
            "id": e.pk,
            "scheme": e.scheme_code,
            "item": e.item_code,
            "unit_code": e.unit.code,
            "unit_name": e.unit.name,
            "period": f"{e.period:%Y-%m}",
            "points": str(e.points),
            "reason": e.reason,
            "evidence": e.evidence,
            "state": e.state,
            "version": e.version,
        }
        for e in selectors.visible_adjustments(request.user, listing)
    ]
