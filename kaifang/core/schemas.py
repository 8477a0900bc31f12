"""Schemas and bounded parameter types shared by several API routers.

Every number a client sends has a stated range (issue 15, SEC-27): ids fit a JavaScript-safe
integer, versions PostgreSQL's `integer`, paging a list the server can actually hold. A value
outside its range is a 422 naming the field, never a database overflow (a 500).
"""

from typing import Annotated

from ninja import Path, Query, Schema
from pydantic import Field

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


class ErrorOut(Schema):
    detail: str | list[str] | dict[str, list[str]] | list[dict[str, object]]


class UnitRef(Schema):
    code: str
    name: str
