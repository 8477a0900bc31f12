from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import File, Form, Router, Schema, Status, UploadedFile
from pydantic import Field

from kaifang.accounts.permissions import user_of
from kaifang.core.schemas import ErrorOut, ImportOut, Limit, Offset, UnitRef, import_out, read_api_upload
from kaifang.orgs.models import OrgUnit
from kaifang.orgs.scope import sees_subtree

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
    user = user_of(request)
    return MeOut(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        role_label=str(user.get_role_display()),
        unit=UnitRef(code=user.unit.code, name=user.unit.name) if user.unit else None,
        sees_subtree=sees_subtree(user),
    )


# --- User administration (三员) ---------------------------------------------------------------------


class UserOut(Schema):
    username: str
    display_name: str
    role: str
    unit: UnitRef | None
    is_active: bool
    scope_granted: bool


def _user_out(user: Any) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "unit": UnitRef(code=user.unit.code, name=user.unit.name) if user.unit else None,
        "is_active": user.is_active,
        "scope_granted": user.scope_granted_at is not None,
    }


class UserIn(Schema):
    username: str
    display_name: str
    unit: str
    role: str


class PasswordsIn(Schema):
    usernames: list[str] = Field(max_length=200)
    grant: bool = True


class IssuedOut(Schema):
    username: str
    unit: UnitRef | None
    password: str
    valid_until: datetime.datetime


def _account(request: HttpRequest, username: str) -> Any:
    from kaifang.accounts.models import User

    found = User.objects.visible_to(user_of(request)).select_related("unit").filter(username=username).first()
    if found is None:
        raise Http404("user not found")
    return found


@router.get("/users", response={200: list[UserOut], 401: ErrorOut}, summary="账号列表（三员）")
def list_users(request: HttpRequest, status: str = "", unit: str = "", limit: Limit = 100, offset: Offset = 0) -> Any:
    from kaifang.accounts.selectors import UserFilters, visible_users

    rows = visible_users(user_of(request), UserFilters(status=status, unit=unit))
    start = max(offset, 0)
    return [_user_out(u) for u in rows[start : start + max(1, min(limit, 500))]]


@router.post("/users", response={201: UserOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut}, summary="新建账号")
def create_account(request: HttpRequest, payload: UserIn) -> Any:
    from kaifang.accounts.services import create_user

    user = user_of(request)
    unit = OrgUnit.objects.visible_to(user).filter(code=payload.unit).first()
    if unit is None:
        raise ValidationError({"unit": ["单位不存在或不在您的管理范围内。"]})
    account = create_user(
        actor=user,
        username=payload.username,
        unit=unit,
        role=payload.role,
        display_name=payload.display_name,
    )  # personal fields (phone) stay out of the API (SEC-45): set on the page or by the Excel import
    return Status(201, _user_out(account))


@router.post(
    "/users/import",
    response={200: ImportOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="批量导入账号（默认只检查；commit=true 导入）",
)
def import_users(request: HttpRequest, file: File[UploadedFile], commit: Form[bool] = False) -> Any:
    from kaifang.accounts.services.imports import import_accounts

    data = read_api_upload(file)
    result = import_accounts(actor=user_of(request), data=data, filename=file.name or "", commit=commit)
    created = [r.username for r in result.new] if result.committed else []
    return import_out(result, created)


@router.post(
    "/users/passwords",
    response={200: list[IssuedOut], 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="授权并签发一次性密码（安全管理员；密码只返回这一次）",
)
def issue_passwords(request: HttpRequest, payload: PasswordsIn) -> Any:
    from kaifang.accounts.services.lifecycle import issue_one_time_passwords

    users = [_account(request, name) for name in payload.usernames]
    issued = issue_one_time_passwords(actor=user_of(request), users=users, grant=payload.grant)
    return [
        {
            "username": line.user.username,
            "unit": UnitRef(code=line.user.unit.code, name=line.user.unit.name) if line.user.unit else None,
            "password": line.password,
            "valid_until": line.valid_until,
        }
        for line in issued
    ]
