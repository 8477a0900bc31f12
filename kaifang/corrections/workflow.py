"""The life of a correction request as a transition table, and who may take each step.

草稿(draft) → 待审批(submitted) → 已批准(approved) | 已驳回(rejected, with the reason);
a draft or a pending request can be 撤回 (withdrawn) by its requesting unit.

Parts (decided per request, not per role alone):
- "requester": a writing user bound to the unit that asked (`requester_unit`);
- "approver": the level above — a city officer of a city above the requesting unit (a county's
  request), or a province supervisor (any request of a unit below the province). Never a user of
  the requesting unit, never the person who asked.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from kaifang.accounts.models import Role
from kaifang.accounts.permissions import WRITING_ROLES, role_of
from kaifang.core.workflow import Step, Workflow
from kaifang.corrections.models import CorrectionRequest
from kaifang.corrections.models import CorrectionState as S
from kaifang.orgs.models import OrgUnit, UnitKind

REQUESTER = "requester"
APPROVER = "approver"

# The kind of unit whose officers approve, and the role they must hold there.
APPROVING_ROLES: dict[str, str] = {UnitKind.CITY: Role.CITY_OFFICER, UnitKind.PROVINCE: Role.PROVINCE_SUPERVISOR}


TRANSITIONS = Workflow(
    {
        (S.DRAFT, "submit"): Step(S.SUBMITTED, frozenset({REQUESTER}), _("提交审批")),
        (S.DRAFT, "withdraw"): Step(S.WITHDRAWN, frozenset({REQUESTER}), _("撤回")),
        (S.SUBMITTED, "withdraw"): Step(S.WITHDRAWN, frozenset({REQUESTER}), _("撤回")),
        (S.SUBMITTED, "approve"): Step(S.APPROVED, frozenset({APPROVER}), _("批准并更正数据")),
        (S.SUBMITTED, "reject"): Step(S.REJECTED, frozenset({APPROVER}), _("驳回"), needs_reason=True),
    }
)

ACTIONS = TRANSITIONS.actions


def is_strictly_above(upper: OrgUnit, lower: OrgUnit) -> bool:
    return upper.pk != lower.pk and lower.path.startswith(upper.path)


def approving_units(unit: OrgUnit, requester_unit: OrgUnit) -> list[OrgUnit]:
    """The units whose officers may approve a request for `unit` made by `requester_unit`, nearest
    first: every city or province above the requesting unit (which is `unit` or a unit above it)."""
    above = [a for a in unit.ancestors() if a.kind in APPROVING_ROLES and is_strictly_above(a, requester_unit)]
    return sorted(above, key=lambda a: -a.depth)


def parts_of(user: Any, correction: CorrectionRequest) -> set[str]:
    """The parts `user` plays for `correction` (empty: none, so every step is refused)."""
    role = role_of(user)
    own = getattr(user, "unit", None)
    if role is None or own is None:
        return set()
    parts: set[str] = set()
    if role in WRITING_ROLES and own.pk == correction.requester_unit_id:
        parts.add(REQUESTER)
    if (
        APPROVING_ROLES.get(own.kind) == role
        and is_strictly_above(own, correction.requester_unit)
        and correction.unit.path.startswith(own.path)
        and getattr(user, "pk", None) != correction.requested_by_id
    ):
        parts.add(APPROVER)
    return parts


def allowed_actions(user: Any, correction: CorrectionRequest) -> list[tuple[str, Step]]:
    """The steps `user` may take on `correction` now, in table order (for buttons and the API)."""
    return TRANSITIONS.allowed(correction.state, parts_of(user, correction))


def action_label(action: str) -> str:
    if action == "create":
        return str(_("提出申请"))
    return TRANSITIONS.label(action)
