"""The assessment API's schemes as files: export as JSON, import (check or commit), copy to a new year;
mounted on the same router as `kaifang.assessment.api`."""

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import File, Form, Query, Schema, UploadedFile
from ninja.responses import Status
from pydantic import Field

from kaifang.assessment import selectors
from kaifang.assessment.api import SchemeOut, _scheme_out, router
from kaifang.assessment.api_bulletins import AdjustmentFilters as AdjustmentFilters
from kaifang.assessment.api_bulletins import AdjustmentOut as AdjustmentOut
from kaifang.assessment.api_bulletins import BulletinFilters as BulletinFilters
from kaifang.assessment.api_bulletins import BulletinIn as BulletinIn
from kaifang.assessment.api_bulletins import BulletinOut as BulletinOut
from kaifang.assessment.api_bulletins import get_bulletin as get_bulletin
from kaifang.assessment.api_bulletins import list_adjustments as list_adjustments
from kaifang.assessment.api_bulletins import list_bulletins as list_bulletins
from kaifang.assessment.api_bulletins import request_bulletin as request_bulletin
from kaifang.audit.services import record_export
from kaifang.core.context import change_context
from kaifang.core.schemas import MAX_VERSION, ErrorOut, read_api_upload


@router.get(
    "/schemes/{code}/file", response={200: dict[str, Any], 401: ErrorOut, 404: ErrorOut}, summary="导出方案文件（JSON）"
)
def export_scheme(
    request: HttpRequest,
    code: str,
    number: Annotated[int | None, Query(ge=1, le=MAX_VERSION, description="方案版本号（默认：使用中的版本）")] = None,
) -> dict[str, Any]:
    from kaifang.assessment.services.schemes import scheme_document

    scheme = selectors.get_scheme_for_user(request.user, code[:32], number)
    record_export(actor=request.user, what="assessment.scheme", rows=scheme.items.count(), file_format="json")
    return scheme_document(scheme)


class SchemeImportOut(Schema):
    summary: str
    committed: bool
    code: str | None
    number: int | None
    rule_texts: dict[str, str]
    problems: list[str]


@router.post(
    "/scheme-files",
    response={200: SchemeImportOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="导入方案文件（JSON 或 YAML；默认只检查，commit=true 导入为草稿，activate=true 同时启用）",
)
def import_scheme(
    request: HttpRequest, file: File[UploadedFile], commit: Form[bool] = False, activate: Form[bool] = False
) -> dict[str, Any]:
    from kaifang.assessment.services.schemes import import_scheme as run_import

    data = read_api_upload(file)
    with change_context(channel="api"):
        result = run_import(actor=request.user, data=data, filename=file.name or "", commit=commit, activate=activate)
    return {
        "summary": result.summary(),
        "committed": result.committed,
        "code": result.scheme.code if result.scheme else result.document.get("code"),
        "number": result.scheme.number if result.scheme else None,
        "rule_texts": {**dict(result.item_texts), **result.rules},
        "problems": [str(p) for p in result.problems],
    }


class CopyIn(Schema):
    year: int = Field(ge=2000, le=2100)
    code: str = Field("", max_length=32)
    name: str = Field("", max_length=120)


@router.post(
    "/schemes/{code}/copy",
    response={201: SchemeOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="复制方案到新年度（草稿）",
)
def copy_scheme(request: HttpRequest, code: str, payload: CopyIn) -> Status:
    from kaifang.assessment.services.schemes import copy_scheme_to_year

    scheme = selectors.get_scheme_for_user(request.user, code[:32])
    new = copy_scheme_to_year(
        actor=request.user, scheme=scheme, year=payload.year, code=payload.code, name=payload.name
    )
    return Status(201, _scheme_out(new))
