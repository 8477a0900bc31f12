"""The task lifecycle as a transition table, and who may take each step.

立项(draft) → 审核(reviewed) → 下发(issued) → 签收即办理(in_progress) →
申请办结(completion_claimed) → 复核销号(closed) | 退回重办(returned → in_progress).

Who may act is decided per task, not per role alone:
- "supervisor": the province supervisor; for a task a city issued (a sub-task it split off, or a
  task from its own meeting for its counties) also that city's officers.
- "lead": a writing user (reporter or city officer) bound to the task's lead unit.

Four eyes (`four_eyes_problem`): whoever created a task (立项) may not review or issue it (审核/下发)
unless the setting KAIFANG_TASK_SINGLE_PERSON_OK allows one person (small offices). The page,
the API and the CLI all go through `services.transition`, which asks it.
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
        # 签收 starts the work in the same step (no separate "开始办理" click); "start" remains only for
        # tasks signed for before the two were merged.
        (TaskState.ISSUED, "acknowledge"): Step(TaskState.IN_PROGRESS, frozenset({LEAD}), _("签收并开始办理")),
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
    allowed = TRANSITIONS.allowed(task.state, actor_kinds(user, task))
    return [(action, step) for action, step in allowed if four_eyes_problem(user, task, action) is None]


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


FOUR_EYES_ACTIONS = frozenset({"review", "issue"})


def four_eyes_problem(user: Any, task: Task, action: str) -> str | None:
    """Why `user` may not take `action` on `task` under the four-eyes rule (None: they may)."""
    from django.conf import settings

    if action not in FOUR_EYES_ACTIONS or getattr(settings, "KAIFANG_TASK_SINGLE_PERSON_OK", False):
        return None
    if task.created_by_id is not None and task.created_by_id == getattr(user, "pk", None):
        return str(_("立项人不能审核或下发自己立项的事项：请由另一位督查人员审核、下发（四眼原则）。"))
    return None
