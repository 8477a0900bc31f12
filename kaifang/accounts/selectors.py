"""Reads of the user administration pages, through the one guard (`User.objects.visible_to`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from kaifang.accounts.models import Role, UnitAssignment, User, UserImport
from kaifang.orgs.models import OrgUnit

STATUSES = ("pending", "granted", "inactive", "locked")


@dataclass(frozen=True)
class UserFilters:
    q: str = ""
    unit: str = ""  # a unit code: that unit and its subtree
    role: str = ""
    status: str = ""  # one of STATUSES
    imported: int | None = None  # a UserImport id: the accounts it created


def visible_users(user: Any, filters: UserFilters | None = None) -> Any:
    """The accounts `user` may administer (or, as the audit administrator, read), filtered."""
    filters = filters or UserFilters()
    rows = User.objects.visible_to(user).select_related("unit")
    if filters.q.strip():
        text = filters.q.strip()[:50]
        rows = rows.filter(Q(username__icontains=text) | Q(display_name__icontains=text) | Q(phone__icontains=text))
    if filters.unit:
        unit = OrgUnit.objects.visible_to(user).filter(code=filters.unit).first()
        rows = rows.filter(unit__path__startswith=unit.path) if unit else rows.none()
    if filters.role in Role.values:
        rows = rows.filter(role=filters.role)
    if filters.status == "pending":
        rows = rows.awaiting_grant()
    elif filters.status == "granted":
        rows = rows.filter(is_active=True, scope_granted_at__isnull=False)
    elif filters.status == "inactive":
        rows = rows.filter(is_active=False)
    elif filters.status == "locked":
        rows = rows.filter(locked_until__gt=timezone.now())
    if filters.imported is not None:
        batch = UserImport.objects.filter(pk=filters.imported).first()
        rows = rows.filter(username__in=batch.created_usernames if batch else [])
    return rows.order_by("unit__path", "username")


def get_user_for_admin(user: Any, pk: int) -> User:
    """One account on the administration pages, or 404 outside `user`'s sight."""
    found = User.objects.visible_to(user).select_related("unit").filter(pk=pk).first()
    if found is None:
        raise Http404("user not found")
    return found


def users_by_ids(user: Any, ids: list[int]) -> list[User]:
    """The visible accounts among `ids`, in unit order (a batch for one-time passwords)."""
    return list(User.objects.visible_to(user).select_related("unit").filter(pk__in=ids).order_by("unit__path", "pk"))


def postings_of(account: User) -> list[UnitAssignment]:
    """Where the person has worked, and as what, newest first."""
    return list(UnitAssignment.objects.filter(user=account).select_related("unit"))


def recent_imports(user: Any, limit: int = 10) -> list[UserImport]:
    """The latest bulk imports, for the administrators."""
    if not User.objects.visible_to(user).exists():
        return []
    return list(UserImport.objects.all()[:limit])


def pending_count(user: Any) -> int:
    return int(User.objects.visible_to(user).awaiting_grant().count())


def assignable_units(user: Any) -> list[OrgUnit]:
    """The current units an account may be bound to, in tree order."""
    return list(OrgUnit.objects.visible_to(user).current().order_by("path"))
