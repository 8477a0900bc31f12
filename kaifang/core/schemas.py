"""Schemas shared by several API routers."""

from ninja import Schema


class ErrorOut(Schema):
    detail: str | list[str] | dict[str, list[str]] | list[dict[str, object]]


class UnitRef(Schema):
    code: str
    name: str
