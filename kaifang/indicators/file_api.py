"""/api/v1/indicators/catalogue/… and /api/v1/targets/import: the catalogue and targets as files,
through the same import services (and the same dry run) as the pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, UploadedFile

from kaifang.accounts.permissions import user_of
from kaifang.audit.services import record_export
from kaifang.core.context import change_context
from kaifang.core.schemas import ErrorOut, ImportOut, import_out, read_api_upload
from kaifang.indicators.services import catalogue_files, target_files

catalogue_files_router = Router(tags=["indicators"])
target_files_router = Router(tags=["targets"])


@catalogue_files_router.get("/export", response={200: dict[str, Any], 401: ErrorOut}, summary="导出指标目录（JSON）")
def export_catalogue(request: HttpRequest) -> dict[str, Any]:
    document = catalogue_files.catalogue_document()
    record_export(
        actor=user_of(request), what="indicators.catalogue", rows=len(document["indicators"]), file_format="json"
    )
    return document


@catalogue_files_router.post(
    "/import",
    response={200: ImportOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="导入指标目录（.xlsx 或 .json；默认只检查，commit=true 导入）",
)
def import_catalogue(request: HttpRequest, file: File[UploadedFile], commit: Form[bool] = False) -> Any:
    data = read_api_upload(file)
    with change_context(channel="api"):
        result = catalogue_files.import_catalogue(
            actor=user_of(request), data=data, filename=file.name or "catalogue.json", commit=commit
        )
    created = [*result.created, *result.updated] if result.committed else []
    return import_out(result, created)


@target_files_router.post(
    "/import",
    response={200: ImportOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="从 Excel 导入年度目标（默认只检查，commit=true 导入）",
)
def import_targets(request: HttpRequest, file: File[UploadedFile], commit: Form[bool] = False) -> Any:
    data = read_api_upload(file)
    with change_context(channel="api"):
        result = target_files.import_targets(
            actor=user_of(request), data=data, filename=file.name or "targets.xlsx", commit=commit
        )
    created = [f"{r.year}/{r.unit.code}/{r.indicator.code}" for r in [*result.new, *result.changed]]
    return import_out(result, created if result.committed else [])
