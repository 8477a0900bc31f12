"""The one visibility rule of Kaifang.

A user is bound to one unit with one role. Reporters see their own unit only; every other role
sees the subtree of its unit (a city officer: the city and its counties; a province supervisor:
the whole province). Anonymous users, inactive users, users without a unit and accounts whose
role the security administrator has not granted yet (`scope_granted_at`) see nothing: deny by
default. Every queryset's `visible_to(user)` and every `get_*_for_user()` builds on
`unit_scope_q`, so the form, the API, the import, the export and the admin share one guard.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.http import Http404

from kaifang.orgs.roles import Role

if TYPE_CHECKING:
    from kaifang.orgs.models import OrgUnit

NOTHING = Q(pk__in=[])
UNIT_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")


def scope_root(user: Any) -> OrgUnit | None:
    """The unit whose subtree bounds `user`'s sight, or None when the user sees nothing."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    if getattr(user, "scope_granted_at", None) is None:
        return None
    return getattr(user, "unit", None)


def sees_subtree(user: Any) -> bool:
    """Reporters are bound to their own unit; other roles see their unit's subtree."""
    return getattr(user, "role", None) != Role.REPORTER


def unit_scope_q(user: Any, *, prefix: str = "unit__") -> Q:
    """A Q restricting a queryset to units `user` may see, through the relation at `prefix`.

    `prefix=""` filters OrgUnit itself; `prefix="unit__"` a model with a `unit` foreign key;
    `prefix="lead_unit__"` and so on for other relations.
    """
    root = scope_root(user)
    if root is None:
        return NOTHING
    if sees_subtree(user):
        return Q(**{f"{prefix}path__startswith": root.path})
    return Q(**{f"{prefix}pk" if prefix else "pk": root.pk})


def can_see_unit(user: Any, unit: OrgUnit) -> bool:
    root = scope_root(user)
    if root is None:
        return False
    if sees_subtree(user):
        return unit.path.startswith(root.path)
    return unit.pk == root.pk


def get_unit_for_user(user: Any, code: str) -> OrgUnit:
    """The unit with `code`, or 404 when it does not exist or lies outside `user`'s scope."""
    from kaifang.orgs.models import OrgUnit

    if not UNIT_CODE.fullmatch(code or ""):
        raise Http404("malformed unit code")
    unit = OrgUnit.objects.filter(code=code).filter(unit_scope_q(user, prefix="")).first()
    if unit is None:
        raise Http404("unit not found")
    return unit
