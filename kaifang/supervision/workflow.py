"""The task lifecycle as a transition table, and who may take each step.

立项(draft) → 审核(reviewed) → 下发(issued) → 签收(acknowledged) → 办理(in_progress) →
申请办结(completion_claimed) → 复核销号(closed) | 退回重办(returned → in_progress).

Who may act is decided per task, not per role alone:
- "supervisor": the province supervisor; for a task a city issued (a sub-task it split off, or a
  task from its own meeting for its counties) also that city's officers.
- "lead": a writing user (reporter or city officer) bound to the task's lead unit.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from kaifang.accounts.models import Role
from kaifang.core.workflow import Step, Workflow
from kaifang.orgs.scope import scope_root
from kaifang.supervision.models import Task, TaskState

SUPERVISOR = "supervisor"
LEAD = "lead"


TRANSITIONS = Workflow(
    {
        (TaskState.DRAFT, "review"): Step(TaskState.REVIEWED, frozenset({SUPERVISOR}), _("审核")),
        (TaskState.REVIEWED, "issue"): Step(TaskState.ISSUED, frozenset({SUPERVISOR}), _("下发")),
        (TaskState.REVIEWED, "reopen"): Step(
            TaskState.DRAFT, frozenset({SUPERVISOR}), _("退回修改"), needs_reason=True
        ),
        (TaskState.ISSUED, "acknowledge"): Step(TaskState.ACKNOWLEDGED, frozenset({LEAD}), _("签收")),
        (TaskState.ACKNOWLEDGED, "start"): Step(TaskState.IN_PROGRESS, frozenset({LEAD}), _("开始办理")),
        (TaskState.IN_PROGRESS, "claim"): Step(TaskState.COMPLETION_CLAIMED, frozenset({LEAD}), _("申请办结")),
        (TaskState.COMPLETION_CLAIMED, "close"): Step(TaskState.CLOSED, frozenset({SUPERVISOR}), _("复核销号")),
        (TaskState.COMPLETION_CLAIMED, "return"): Step(
            TaskState.RETURNED, frozenset({SUPERVISOR}), _("退回重办"), needs_reason=True
        ),
        (TaskState.RETURNED, "resume"): Step(TaskState.IN_PROGRESS, frozenset({LEAD}), _("继续办理")),
    }
)

ACTIONS = TRANSITIONS.actions


def actor_kinds(user: Any, task: Task) -> set[str]:
    """What `user` is for `task`: {"supervisor"}, {"lead"}, both (never in practice) or nothing."""
    unit = scope_root(user)
    if unit is None:
        return set()
    role = getattr(user, "role", None)
    kinds: set[str] = set()
    if role == Role.PROVINCE_SUPERVISOR:
        kinds.add(SUPERVISOR)
    if role == Role.CITY_OFFICER and task.issuer_unit_id == unit.pk:
        kinds.add(SUPERVISOR)
    if role in (Role.REPORTER, Role.CITY_OFFICER) and task.lead_unit_id == unit.pk:
        kinds.add(LEAD)
    return kinds


def allowed_actions(user: Any, task: Task) -> list[tuple[str, Step]]:
    """The steps `user` may take on `task` now, in table order (for buttons and the API)."""
    return TRANSITIONS.allowed(task.state, actor_kinds(user, task))


def can_report(user: Any, task: Task) -> bool:
    """Progress reports come from the lead unit while the task is open."""
    from kaifang.supervision.models import OPEN_STATES

    return LEAD in actor_kinds(user, task) and task.state in OPEN_STATES


def can_supervise(user: Any, task: Task) -> bool:
    """Urging and supervision notices: the province supervisor, or the splitting city for a sub-task."""
    return SUPERVISOR in actor_kinds(user, task)


def can_split(user: Any, task: Task) -> bool:
    """A city officer leading an issued task may split it into sub-tasks for its counties."""
    from kaifang.supervision.models import OPEN_STATES

    return (
        getattr(user, "role", None) == Role.CITY_OFFICER
        and LEAD in actor_kinds(user, task)
        and task.parent_id is None
        and task.state in OPEN_STATES
    )


def can_create_tasks(user: Any) -> bool:
    """Province supervisors and admins create tasks for any unit; city officers for units below their city."""
    return getattr(user, "role", None) in (Role.PROVINCE_SUPERVISOR, Role.PROVINCE_ADMIN, Role.CITY_OFFICER) and (
        scope_root(user) is not None
    )
