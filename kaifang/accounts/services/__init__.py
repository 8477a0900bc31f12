"""Writes about people: creating, editing and moving accounts (the system administrator), granting
roles and scopes (the security administrator), passwords, API tokens."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kaifang.accounts.models import Role, UnitAssignment, User
from kaifang.accounts.permissions import ADMIN_ROLES, can_manage_security, can_manage_users
from kaifang.audit.services import record_event
from kaifang.core import clock
from kaifang.core.actors import actor_name as _actor_label
from kaifang.core.actors import is_system_actor
from kaifang.core.versions import check_version
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
        "phone": mask_phone(user.phone),  # the trail is not a second, unencrypted copy of it
        "role": user.role,
        "unit": user.unit.code if user.unit else None,
        "is_active": user.is_active,
        "scope_granted": user.scope_granted_at is not None,
    }


def mask_phone(phone: str) -> str:
    """13912345678 → 139****5678 (enough to tell a change, not enough to call)."""
    phone = (phone or "").strip()
    return phone if len(phone) < 7 else f"{phone[:3]}****{phone[-4:]}"


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


PHONE = re.compile(r"^[0-9+()\- ]{5,32}$")


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


def check_person(*, username: str | None = None, display_name: str, phone: str) -> None:
    """The checks every path that names a person runs (page, import, API): a valid, free account
    name (SEC-01: unique after case and whitespace), a name, a plausible phone number."""
    errors: dict[str, list[str]] = {}
    if username is not None:
        if not username:
            errors["username"] = [_("请填写账号。")]
        else:
            try:
                User._meta.get_field("username").run_validators(username)
            except ValidationError:
                errors["username"] = [_("账号只能包含字母、数字和 @ . + - _，最长 150 位。")]
            else:
                if User.objects.filter(username__iexact=username).exists():
                    errors["username"] = [_("账号“%(username)s”已存在。") % {"username": username}]
    if not display_name.strip():
        errors["display_name"] = [_("请填写姓名。")]
    elif len(display_name.strip()) > 50:
        errors["display_name"] = [_("姓名不能超过 50 字。")]
    if phone.strip() and not PHONE.match(phone.strip()):
        errors["phone"] = [_("电话号码“%(phone)s”格式不正确。") % {"phone": phone.strip()[:32]}]
    if errors:
        raise ValidationError(errors)


def _reassign(*, user: User, actor: Any, reason: str = "") -> None:
    """Close the user's current posting when their unit or role changed and open the next one."""
    current = UnitAssignment.objects.filter(user=user, until__isnull=True).first()
    if current is not None and current.unit_id == user.unit_id and current.role == user.role:
        return
    now = clock.now()
    if current is not None:
        UnitAssignment.objects.filter(pk=current.pk).update(until=now)
    if user.unit_id is not None:
        UnitAssignment.objects.create(
            user=user, unit_id=user.unit_id, role=user.role, since=now, changed_by=_actor_label(actor), reason=reason
        )


def create_user(
    *,
    actor: Any,
    username: str,
    unit: OrgUnit,
    role: str,
    password: str | None = None,
    display_name: str = "",
    phone: str = "",
    must_change_password: bool = True,
    grant: bool = False,
) -> User:
    """Create an account bound to `unit`, for `role`.

    Deny by default: the account has no scope until the security administrator grants the role
    (`set_role`); without `password` it cannot sign in until the security administrator issues a
    one-time password. Only code acting for the server operator (the CLI, the demo) passes
    `grant=True`. The system administrator creates accounts with business roles; the three
    administrator roles (三员) are created from the command line (`kaifang create_admin`).
    """
    username = normalise_username(username)
    requested = {"username": username, "role": role, "unit": getattr(unit, "code", None)}
    if actor is not None and not is_system_actor(actor):
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
        if grant:
            raise deny(
                actor=actor,
                action="accounts.user.create",
                message=_("角色和权限范围只能由安全管理员授予。"),
                after=requested,
            )
    _check_role_unit(role, unit)
    check_person(username=username, display_name=display_name or username, phone=phone)
    user = User(
        username=username,
        unit=unit,
        role=role,
        display_name=display_name.strip(),
        phone=phone.strip(),
        must_change_password=must_change_password,
    )
    if password is not None:
        validate_password(password, user)
    with transaction.atomic():
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
            user.password_changed_at = clock.now()
        user.scope_granted_at = clock.now() if grant else None
        user.save()
        _reassign(user=user, actor=actor, reason=_("新建账号"))
        record_event(actor=actor, action="accounts.user.create", obj=user, unit=unit, after=_user_snapshot(user))
    return user


def _locked_for_update(user: User, expected_version: int) -> User:
    locked = User.objects.select_for_update().get(pk=user.pk)
    check_version(locked, expected_version, _("该用户已被他人修改，请刷新后重试。"))
    return locked


def update_user(*, actor: Any, user: User, display_name: str, phone: str, expected_version: int) -> User:
    """The system administrator corrects a person's name or phone (the account name never changes)."""
    if not is_system_actor(actor) and not can_manage_users(actor):
        raise deny(actor=actor, action="accounts.user.update", message=_("只有系统管理员可以修改用户信息。"), user=user)
    check_person(display_name=display_name, phone=phone)
    with transaction.atomic():
        locked = _locked_for_update(user, expected_version)
        before = _user_snapshot(locked)
        locked.display_name, locked.phone = display_name.strip(), phone.strip()
        if _user_snapshot(locked) == before:
            return locked
        locked.version += 1
        locked.save(update_fields=["display_name", "phone", "version"])
        record_event(
            actor=actor,
            action="accounts.user.update",
            obj=locked,
            unit=locked.unit,
            before=before,
            after=_user_snapshot(locked),
        )
    return locked


def move_user(
    *, actor: Any, user: User, unit: OrgUnit, expected_version: int, role: str | None = None, reason: str = ""
) -> User:
    """The system administrator moves a person to another unit (optionally for another role). The
    posting history keeps where they were; the grant is withdrawn until the security administrator
    gives it again for the new unit, so a move never widens anyone's sight on its own."""
    role = role or user.role
    requested = {"unit": getattr(unit, "code", None), "role": role}
    if not is_system_actor(actor) and not can_manage_users(actor):
        raise deny(
            actor=actor,
            action="accounts.user.move",
            message=_("只有系统管理员可以调动用户。"),
            user=user,
            after=requested,
        )
    if getattr(actor, "pk", None) == user.pk:
        raise deny(
            actor=actor, action="accounts.user.move", message=_("不能调动自己的账号。"), user=user, after=requested
        )
    if role in ADMIN_ROLES or user.role in ADMIN_ROLES:
        raise deny(
            actor=actor,
            action="accounts.user.move",
            message=_("管理员账号不能调动，请用命令行另建账号。"),
            user=user,
            after=requested,
        )
    _check_role_unit(role, unit)
    with transaction.atomic():
        locked = _locked_for_update(user, expected_version)
        if locked.unit_id == unit.pk and locked.role == role:
            raise ValidationError({"unit": _("该用户已在“%(unit)s”。") % {"unit": unit.name}})
        before = _user_snapshot(locked)
        locked.unit, locked.role, locked.scope_granted_at = unit, role, None
        locked.version += 1
        locked.save(update_fields=["unit", "role", "scope_granted_at", "version"])
        _reassign(user=locked, actor=actor, reason=reason.strip()[:200] or _("调动"))
        record_event(
            actor=actor,
            action="accounts.user.move",
            obj=locked,
            unit=unit,
            before=before,
            after={**_user_snapshot(locked), "reason": reason.strip()},
        )
    return locked


def set_role(*, actor: Any, user: User, role: str, unit: OrgUnit, expected_version: int) -> User:
    """Grant `user` a role at a unit, which gives the account its scope. Only the security
    administrator does, and never for their own account."""
    requested = {"role": role, "unit": getattr(unit, "code", None)}
    if not is_system_actor(actor) and not can_manage_security(actor):
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
        locked = _locked_for_update(user, expected_version)
        before = _user_snapshot(locked)
        locked.role, locked.unit, locked.version = role, unit, locked.version + 1
        locked.scope_granted_at = clock.now()
        locked.save(update_fields=["role", "unit", "scope_granted_at", "version"])
        _reassign(user=locked, actor=actor, reason=_("授权"))
        record_event(
            actor=actor,
            action="accounts.user.set_role",
            obj=locked,
            unit=unit,
            before=before,
            after=_user_snapshot(locked),
        )
    return locked


def revoke_scope(*, actor: Any, user: User, expected_version: int, reason: str = "") -> User:
    """Withdraw an account's grant (it keeps its unit and role, and sees nothing until granted again)."""
    if not is_system_actor(actor) and not can_manage_security(actor):
        raise deny(actor=actor, action="accounts.user.revoke", message=_("只有安全管理员可以撤销授权。"), user=user)
    if getattr(actor, "pk", None) == user.pk:
        raise deny(actor=actor, action="accounts.user.revoke", message=_("不能撤销自己的授权。"), user=user)
    with transaction.atomic():
        locked = _locked_for_update(user, expected_version)
        if locked.scope_granted_at is None:
            return locked
        before = _user_snapshot(locked)
        locked.scope_granted_at, locked.version = None, locked.version + 1
        locked.save(update_fields=["scope_granted_at", "version"])
        record_event(
            actor=actor,
            action="accounts.user.revoke",
            obj=locked,
            unit=locked.unit,
            before=before,
            after={**_user_snapshot(locked), "reason": reason.strip()},
        )
    return locked


def change_password(*, user: User, new_password: str, keep_session: str | None = None) -> None:
    """The user's own change (the view checks the current password). Ends their other sessions."""
    from kaifang.accounts.services.lifecycle import end_user_sessions

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


# API tokens live in their own module; they are still reachable here, where callers import them.
from kaifang.accounts.services.tokens import (  # noqa: E402, F401
    create_token,
    revoke_token,
    token_for,
    token_refusal,
    user_for_token,
)
