"""The submission workflow as a transition table, and who plays which part for a given unit.

Parts (not roles: the same city officer submits the city's own figures and reviews its counties):
- "reporter": a writing user bound to the submitting unit itself;
- "reviewer": for a county or a platform under a city, the officer of that city; for a city, a
  department or a unit directly under the province, a province supervisor;
- "province": a province supervisor (locks approved submissions).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from kaifang.accounts.models import Role
from kaifang.accounts.permissions import WRITING_ROLES, role_of
from kaifang.core.workflow import Step, Workflow
from kaifang.orgs.models import OrgUnit, UnitKind
from kaifang.reporting.models import SubmissionStatus as S

REPORTER, REVIEWER, PROVINCE = "reporter", "reviewer", "province"

ACTION_LABELS = {
    "submit": _("提交"),
    "approve": _("审核通过"),
    "return": _("退回"),
    "unapprove": _("撤销审核"),
    "lock": _("锁定"),
    "withdraw": _("撤回"),
}

# (from state, action) → Step(to state, parts allowed to do it)
TRANSITIONS = Workflow(
    {
        (S.DRAFT, "submit"): Step(S.SUBMITTED, frozenset({REPORTER})),
        (S.RETURNED, "submit"): Step(S.SUBMITTED, frozenset({REPORTER})),
        (S.SUBMITTED, "approve"): Step(S.APPROVED, frozenset({REVIEWER})),
        (S.SUBMITTED, "return"): Step(S.RETURNED, frozenset({REVIEWER})),
        (S.APPROVED, "unapprove"): Step(S.DRAFT, frozenset({REVIEWER})),
        (S.APPROVED, "lock"): Step(S.LOCKED, frozenset({PROVINCE})),
        # The reporter takes a submission back to correct it, until the level above has acted on it.
        (S.SUBMITTED, "withdraw"): Step(S.DRAFT, frozenset({REPORTER})),
    },
    labels=ACTION_LABELS,
)


def reviewing_unit(unit: OrgUnit) -> OrgUnit | None:
    """Who approves `unit`'s submissions: the nearest city above a county or platform, else the province."""
    ancestors = list(unit.ancestors())
    if unit.kind in (UnitKind.COUNTY, UnitKind.PLATFORM):
        cities = [a for a in ancestors if a.kind == UnitKind.CITY]
        if cities:
            return cities[-1]
    provinces = [a for a in ancestors if a.kind == UnitKind.PROVINCE]
    return provinces[-1] if provinces else None


_ASK = object()


def parts_of(user: Any, unit: OrgUnit, *, reviewer: Any = _ASK) -> set[str]:
    """The parts `user` plays for `unit`'s submission (empty: none, so every action is refused).
    `reviewer`: `reviewing_unit(unit)` when the caller already knows it (a queue of many units)."""
    role = role_of(user)
    own_unit = getattr(user, "unit", None)
    if role is None or own_unit is None:
        return set()
    parts = set()
    if role in WRITING_ROLES and own_unit.pk == unit.pk:
        parts.add(REPORTER)
    if reviewer is _ASK:
        reviewer = reviewing_unit(unit)
    reviews: dict[str, str] = {UnitKind.CITY: Role.CITY_OFFICER, UnitKind.PROVINCE: Role.PROVINCE_SUPERVISOR}
    if reviewer is not None and own_unit.pk == reviewer.pk and reviews.get(reviewer.kind) == role:
        parts.add(REVIEWER)
    if role == Role.PROVINCE_SUPERVISOR and own_unit.kind == UnitKind.PROVINCE and unit.path.startswith(own_unit.path):
        parts.add(PROVINCE)
    return parts


def allowed_actions(user: Any, unit: OrgUnit, status: str, *, parts: set[str] | None = None) -> list[str]:
    """Actions `user` may take on a submission of `unit` in `status` (for buttons)."""
    parts = parts_of(user, unit) if parts is None else parts
    return [action for action, _step in TRANSITIONS.allowed(status, parts)]
