"""Schemas and bounded parameter types shared by several API routers, and the report every setup
import returns.

Every number a client sends has a stated range (issue 15, SEC-27): ids fit a JavaScript-safe
integer, versions PostgreSQL's `integer`, paging a list the server can actually hold. A value
outside its range is a 422 naming the field, never a database overflow (a 500).
"""

import re
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from ninja import Path, Query, Schema
from pydantic import Field, PlainSerializer, PlainValidator, WithJsonSchema

from kaifang.core.numbers import figure_text

MAX_ID = 2**53 - 1  # the largest integer every JSON client reads exactly
MAX_VERSION = 2**31 - 1  # versions are PositiveIntegerField (PostgreSQL integer)
MAX_OFFSET = 10_000_000
MAX_LIMIT = 500

PathId = Annotated[int, Path(ge=1, le=MAX_ID, description=f"记录编号（1–{MAX_ID}）")]
QueryId = Annotated[int, Query(ge=1, le=MAX_ID, description=f"记录编号（1–{MAX_ID}）")]
Version = Annotated[int, Field(ge=1, le=MAX_VERSION, description="读取时的版本号（乐观锁）")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description=f"跳过的条数（0–{MAX_OFFSET}）")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"每页条数（1–{MAX_LIMIT}）")]
Year = Annotated[int, Field(ge=2000, le=2100, description="年度（2000–2100）")]


# Money in (万元 or 万美元, two decimals): an integer, or the digits as text ("1234.50"), never a float
# (whose binary digits are not the amount typed) — exactly what the document says, so a client built
# from it is never refused for the shape (422) and a value outside it never gets through.
MAX_MONEY = 10**14 - 1
MONEY_PATTERN = r"^(0|[1-9][0-9]{0,13})(\.[0-9]{1,2})?$"
MONEY_MESSAGE = f'金额应为 0 至 {MAX_MONEY:,} 的整数，或如 "1234.50" 的文本（最多两位小数）'


def parse_money(value: object) -> Decimal:
    if isinstance(value, float) and value.is_integer():  # JSON's 71.0 is the integer 71
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_MONEY:
        return Decimal(value)
    if isinstance(value, str) and re.fullmatch(MONEY_PATTERN, value):
        return Decimal(value)
    raise ValueError(MONEY_MESSAGE)


Money = Annotated[
    Decimal,
    PlainValidator(parse_money),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": MAX_MONEY},
                {"type": "string", "pattern": MONEY_PATTERN},
            ],
            "description": MONEY_MESSAGE,
        },
        mode="validation",
    ),
]


# Money out: always two decimals, as text ("12000.00").
MoneyOut = Annotated[
    Decimal,
    PlainSerializer(lambda value: figure_text(value, 2), return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$", "description": "金额（文本，两位小数）"},
        mode="serialization",
    ),
]


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
