"""Schemas shared by several API routers, and the report every setup import returns."""

from typing import Any

from django.core.exceptions import ValidationError
from ninja import Schema


class ErrorOut(Schema):
    detail: str | list[str] | dict[str, list[str]] | list[dict[str, object]]


class UnitRef(Schema):
    code: str
    name: str


class ProblemOut(Schema):
    sheet: str
    row: int | None
    column: str
    message: str


class ImportOut(Schema):
    summary: str
    committed: bool
    rows: int
    created: list[str]
    unchanged: list[str]
    problems: list[ProblemOut]


def import_out(result: Any, created: list[str]) -> dict[str, Any]:
    """An import's report in the API: the same summary and row-precise problems as the page."""
    return {
        "summary": result.summary(),
        "committed": result.committed,
        "rows": result.rows,
        "created": created,
        "unchanged": list(getattr(result, "unchanged", [])),
        "problems": [
            {"sheet": p.sheet, "row": p.row, "column": p.column_letter, "message": p.message} for p in result.problems
        ],
    }


def read_api_upload(file: Any) -> bytes:
    """An uploaded file's bytes, refused over the upload limit (the setup imports share this)."""
    from django.conf import settings

    limit = getattr(settings, "KAIFANG_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
    if file.size is None or file.size > limit:
        raise ValidationError(f"文件超过上限 {limit // 1048576} MB。")
    return bytes(file.read())
