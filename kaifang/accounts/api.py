from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from kaifang.accounts.permissions import user_of
from kaifang.core.schemas import ErrorOut, UnitRef

router = Router(tags=["accounts"])


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    role_label: str
    unit: UnitRef | None
    sees_subtree: bool


@router.get("/me", response={200: MeOut, 401: ErrorOut}, summary="当前用户")
def me(request: HttpRequest) -> MeOut:
    from kaifang.orgs.scope import sees_subtree

    user = user_of(request)
    return MeOut(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        role_label=str(user.get_role_display()),
        unit=UnitRef(code=user.unit.code, name=user.unit.name) if user.unit else None,
        sees_subtree=sees_subtree(user),
    )
