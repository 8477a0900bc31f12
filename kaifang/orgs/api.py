from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from kaifang.core.schemas import ErrorOut
from kaifang.orgs.models import UnitKind
from kaifang.orgs.scope import get_unit_for_user
from kaifang.orgs.selectors import visible_units

router = Router(tags=["orgunits"])

CODE_PATTERN = r"^[A-Za-z0-9_-]{1,32}$"


class OrgUnitOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    kind_label: str
    parent_code: str | None
    depth: int
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    groups: list[str]

    @staticmethod
    def resolve_kind_label(obj: object) -> str:
        return str(obj.get_kind_display())  # type: ignore[attr-defined]

    @staticmethod
    def resolve_parent_code(obj: object) -> str | None:
        return obj.parent.code if obj.parent else None  # type: ignore[attr-defined]

    @staticmethod
    def resolve_groups(obj: object) -> list[str]:
        return [g.code for g in obj.groups.all()]  # type: ignore[attr-defined]


class UnitFilters(Schema):
    kind: UnitKind | None = None
    parent: str | None = Field(None, pattern=CODE_PATTERN)
    group: str | None = Field(None, pattern=CODE_PATTERN)
    include_historic: bool = False


@router.get("", response={200: list[OrgUnitOut], 401: ErrorOut}, summary="可见的组织机构")
def list_units(request: HttpRequest, filters: Query[UnitFilters]) -> list[OrgUnitOut]:
    units = visible_units(
        request.user,
        kind=filters.kind,
        parent=filters.parent,
        group=filters.group,
        include_historic=filters.include_historic,
    ).prefetch_related("groups")
    return list(units)  # type: ignore[arg-type]


@router.get("/{code}", response={200: OrgUnitOut, 401: ErrorOut, 404: ErrorOut}, summary="单个组织机构")
def get_unit(request: HttpRequest, code: str) -> OrgUnitOut:
    return get_unit_for_user(request.user, code[:64])  # type: ignore[return-value]
