"""Writes about people: creating users, changing role or unit, passwords, API tokens."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kaifang.accounts.models import ApiToken, Role, User
from kaifang.accounts.permissions import ADMIN_ROLES, can_manage_security, can_manage_users
from kaifang.audit.services import record_event
from kaifang.core import clock
from kaifang.orgs.models import OrgUnit, UnitKind

USER_FIELDS = ["username", "display_name", "role", "is_active"]

# Which unit kinds each role may be bound to: a city officer sits at a city, a reporter at a
# county, department or platform (or a city reporting its own figures), province roles at the root.
ROLE_UNIT_KINDS: dict[str, set[str]] = {
    Role.PROVINCE_ADMIN: {UnitKind.PROVINCE},
    Role.PROVINCE_SUPERVISOR: {UnitKind.PROVINCE},
    Role.AUDITOR: {UnitKind.PROVINCE},
    Role.SECURITY_ADMIN: {UnitKind.PROVINCE},
    Role.CITY_OFFICER: {UnitKind.CITY},
    Role.REPORTER: {UnitKind.CITY, UnitKind.COUNTY, UnitKind.DEPARTMENT, UnitKind.PLATFORM},
    Role.LEADER: {UnitKind.PROVINCE, UnitKind.CITY, UnitKind.COUNTY},
}


def _user_snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "unit": user.unit.code if user.unit else None,
        "is_active": user.is_active,
    }


def deny(*, actor: Any, action: str, message: str, user: Any = None, after: Any = None) -> PermissionDenied:
    """Record a refused account operation (SEC-15: every rejection leaves an audit row) and return
    the exception to raise. The row is written in its own transaction so the refusal survives."""
    with transaction.atomic():
        record_event(
            actor=actor,
            action=f"{action}.denied",
            obj=user if getattr(user, "pk", None) else None,
            object_type="accounts.user",
            object_repr=str(getattr(user, "username", "") or (after or {}).get("username", "")),
            after={"reason": message, **(after or {})},
        )
    return PermissionDenied(message)


def normalise_username(username: str) -> str:
    return username.strip()


def _check_role_unit(role: str, unit: OrgUnit) -> None:
    if role not in ROLE_UNIT_KINDS:
        raise ValidationError({"role": _("未知角色：%(role)s") % {"role": role}})
    if unit.kind not in ROLE_UNIT_KINDS[role]:
        raise ValidationError(
            {
                "unit": _("角色“%(role)s”不能绑定到%(kind)s“%(unit)s”。")
                % {"role": Role(role).label, "kind": unit.get_kind_display(), "unit": unit.name}
            }
        )


def create_user(
    *,
    actor: Any,
    username: str,
    password: str,
    unit: OrgUnit,
    role: str,
    display_name: str = "",
    phone: str = "",
    must_change_password: bool = True,
) -> User:
    """Create a user bound to `unit` with `role`.

    The system administrator creates accounts with business roles; the three administrator roles
    (三员) are created from the command line (`kaifang create_admin`), never by one of them.
    """
    username = normalise_username(username)
    requested = {"username": username, "role": role, "unit": getattr(unit, "code", None)}
    if actor is not None and not isinstance(actor, str):
        if not can_manage_users(actor):
            raise deny(
                actor=actor, action="accounts.user.create", message=_("只有系统管理员可以创建用户。"), after=requested
            )
        if role in ADMIN_ROLES:
            raise deny(
                actor=actor,
                action="accounts.user.create",
                message=_("管理员账号只能由命令行创建。"),
                after=requested,
            )
    _check_role_unit(role, unit)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("账号“%(username)s”已存在。") % {"username": username}})
    user = User(
        username=username,
        unit=unit,
        role=role,
        display_name=display_name,
        phone=phone.strip(),
        must_change_password=must_change_password,
    )
    validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.password_changed_at = clock.now()
        user.save()
        record_event(actor=actor, action="accounts.user.create", obj=user, unit=unit, after=_user_snapshot(user))
    return user


def set_role(*, actor: Any, user: User, role: str, unit: OrgUnit, expected_version: int) -> User:
    """Change a user's role and unit. Only the security administrator does, and never their own."""
    requested = {"role": role, "unit": getattr(unit, "code", None)}
    if not isinstance(actor, str) and not can_manage_security(actor):
        raise deny(
            actor=actor,
            action="accounts.user.set_role",
            message=_("只有安全管理员可以修改角色和单位。"),
            user=user,
            after=requested,
        )
    if getattr(actor, "pk", None) == user.pk:
        raise deny(
            actor=actor,
            action="accounts.user.set_role",
            message=_("不能修改自己的角色或所属单位。"),
            user=user,
            after=requested,
        )
    _check_role_unit(role, unit)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.version != expected_version:
            raise ValidationError(_("该用户已被他人修改，请刷新后重试。"), code="stale")
        before = _user_snapshot(locked)
        locked.role, locked.unit, locked.version = role, unit, locked.version + 1
        locked.save(update_fields=["role", "unit", "version"])
        record_event(
            actor=actor,
            action="accounts.user.set_role",
            obj=locked,
            unit=unit,
            before=before,
            after=_user_snapshot(locked),
        )
    return locked


def change_password(*, user: User, new_password: str, keep_session: str | None = None) -> None:
    """The user's own change (the view checks the current password). Ends their other sessions."""
    from kaifang.accounts.lifecycle import end_user_sessions

    if user.check_password(new_password):
        raise ValidationError(_("新密码不能与原密码相同。"), code="password_reused")
    validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.password_changed_at = clock.now()
        user.must_change_password = False
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])
        record_event(actor=user, action="accounts.user.change_password", obj=user, unit=user.unit)
    end_user_sessions(user=user, keep=keep_session)


def create_token(*, actor: Any, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new bearer token for `user`; returns the row and the token text, which is never stored."""
    token = "kf_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        row = ApiToken.objects.create(user=user, name=name, prefix=token[:10], digest=ApiToken.digest_of(token))
        record_event(
            actor=actor,
            action="accounts.token.create",
            obj=row,
            unit=user.unit,
            after={"user": user.username, "prefix": row.prefix, "name": name},
        )
    return row, token


def revoke_token(*, actor: Any, token: ApiToken) -> ApiToken:
    with transaction.atomic():
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        record_event(
            actor=actor, action="accounts.token.revoke", obj=token, unit=token.user.unit, after={"prefix": token.prefix}
        )
    return token


def user_for_token(token: str) -> User | None:
    """The active user a bearer token belongs to, or None (revoked, unknown, inactive)."""
    if not token or len(token) > 200:
        return None
    row = (
        ApiToken.objects.active().select_related("user", "user__unit").filter(digest=ApiToken.digest_of(token)).first()
    )
    if row is None:
        return None
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=clock.now())
    return row.user
