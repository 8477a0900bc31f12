"""Small predicates about what a role may do. Scope (which units) lives in `kaifang.orgs.scope`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from kaifang.accounts.models import Role, User
from kaifang.core.actors import is_system_actor
from kaifang.orgs.scope import can_see_unit, scope_root

PROVINCE_ROLES = {Role.PROVINCE_ADMIN, Role.PROVINCE_SUPERVISOR}
WRITING_ROLES = {Role.PROVINCE_ADMIN, Role.PROVINCE_SUPERVISOR, Role.CITY_OFFICER, Role.REPORTER}


def user_of(request: HttpRequest) -> User:
    """The signed-in Kaifang user of a request (views are login-required, API routes auth-required)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user


def role_of(user: Any) -> str | None:
    return getattr(user, "role", None) if scope_root(user) is not None else None


def is_province_user(user: Any) -> bool:
    return role_of(user) in PROVINCE_ROLES


def is_admin(user: Any) -> bool:
    return role_of(user) == Role.PROVINCE_ADMIN


def is_supervisor(user: Any) -> bool:
    return role_of(user) == Role.PROVINCE_SUPERVISOR


def is_read_only(user: Any) -> bool:
    return role_of(user) in {Role.LEADER, Role.AUDITOR, Role.SECURITY_ADMIN}


def can_write_for_unit(user: Any, unit: Any) -> bool:
    """May `user` change data belonging to `unit`? Leaders and auditors never write; a system actor
    (the demo loader: code, not a person) writes for every unit."""
    if is_system_actor(user):
        return True
    return role_of(user) in WRITING_ROLES and can_see_unit(user, unit)


# 三员 (separation of duties, 等保 8.1.4.2d): the system administrator manages accounts and master
# data, the security administrator roles, second factors, lock-outs and sessions, the audit
# administrator reads (and exports) the audit trail. None of them can do another's work.
ADMIN_ROLES = {Role.PROVINCE_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR}


def can_read_all_audit(user: Any) -> bool:
    """May open the audit page: the audit administrator (everything) and province supervisors
    (business events only, see `kaifang.security.selectors.visible_events`). The system and security
    administrators may not read the trail of their own work."""
    return role_of(user) in {Role.PROVINCE_SUPERVISOR, Role.AUDITOR}


def can_read_security_audit(user: Any) -> bool:
    """Sign-ins, account, role and security events: the audit administrator only."""
    return role_of(user) == Role.AUDITOR


def can_manage_users(user: Any) -> bool:
    """Create, edit, move, deactivate and reactivate accounts, import them in bulk: the system
    administrator. Creating or moving an account never gives it a scope."""
    return is_admin(user)


def can_manage_security(user: Any) -> bool:
    """Grant roles and scopes, issue one-time passwords, reset second factors, unlock, end sessions:
    the security administrator."""
    return role_of(user) == Role.SECURITY_ADMIN


def can_read_users(user: Any) -> bool:
    """Open the user administration pages: the three administrators; the audit administrator only
    reads them."""
    return role_of(user) in ADMIN_ROLES
