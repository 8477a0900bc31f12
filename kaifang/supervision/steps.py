"""Per-step deadlines of a task (环节时限) and their overdue states, counted one by one.

Supervision offices time each step, in working days (`kaifang.core.workdays`: chinese-calendar plus
the province's overrides):

- 签收 (ack): within N working days after the day it was issued (下发);
- 反馈 (feedback): the first progress report by the first report day after issue; a report day
  that is not a working day moves to the next working day;
- 办结 (finish): the completion claim by the task's deadline (an approved extension's date);
- 复核 (review): the issuer reviews a completion claim within N working days after the claim.

N comes from the `StepLimit` row for the task's category and level (the most specific one: both,
then category, then level, then the row for all) or from the settings. `step_states` is pure: the
callers load the limits once (`load_limits`) and the first report dates in bulk.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kaifang.core.workdays import add_workdays, next_workday
from kaifang.supervision.models import OPEN_STATES, StepLimit, TaskState

STEP_LABELS = {"ack": _("签收"), "feedback": _("反馈"), "finish": _("办结"), "review": _("复核")}
OVERDUE_LABELS = {"ack": _("签收逾期"), "feedback": _("反馈逾期"), "finish": _("办结逾期"), "review": _("复核逾期")}
STEP_KEYS = ("ack", "feedback", "finish", "review")


@dataclass(frozen=True)
class Limits:
    ack_workdays: int
    review_workdays: int


LimitTable = dict[tuple[str, str], Limits]


def load_limits() -> LimitTable:
    """Every StepLimit row keyed by (category, level) ("" for any): one query."""
    return {
        (category, level): Limits(ack, review)
        for category, level, ack, review in StepLimit.objects.values_list(
            "category", "level", "ack_workdays", "review_workdays"
        )
    }


def limits_for(category: str, level: str, table: LimitTable) -> Limits:
    for key in ((category, level), (category, ""), ("", level), ("", "")):
        if key in table:
            return table[key]
    return Limits(int(settings.KAIFANG_TASK_ACK_WORKDAYS), int(settings.KAIFANG_TASK_REVIEW_WORKDAYS))


@dataclass(frozen=True)
class StepState:
    key: str
    due: datetime.date
    done_on: datetime.date | None
    overdue: bool  # still owed and past its due date
    workdays: int | None = None  # the limit in working days (ack, review)

    @property
    def label(self) -> str:
        return str(STEP_LABELS[self.key])

    @property
    def late(self) -> bool:
        return self.done_on is not None and self.done_on > self.due

    @property
    def state_label(self) -> str:
        if self.overdue:
            return str(OVERDUE_LABELS[self.key])
        if self.done_on is not None:
            return str(_("超时完成") if self.late else _("按时完成"))
        return str(_("未到期"))


def first_report_due(issued_on: datetime.date, report_day: int) -> datetime.date:
    """The first report day after the issue day, moved to a working day when it is none."""
    day = issued_on.replace(day=report_day)
    if day <= issued_on:
        day = (issued_on.replace(day=1) + datetime.timedelta(days=32)).replace(day=report_day)
    return next_workday(day)


def step_states(
    *,
    state: str,
    issued_on: datetime.date | None,
    acknowledged_on: datetime.date | None,
    report_day: int | None,
    first_report_on: datetime.date | None,
    deadline: datetime.date,
    claimed_on: datetime.date | None,
    closed_on: datetime.date | None,
    limits: Limits,
    today: datetime.date,
) -> list[StepState]:
    """The steps of one task as of `today` (none before it is issued)."""
    if issued_on is None or state in (TaskState.DRAFT, TaskState.REVIEWED):
        return []
    steps = []
    ack_due = add_workdays(issued_on, limits.ack_workdays)
    steps.append(
        StepState("ack", ack_due, acknowledged_on, state == TaskState.ISSUED and today > ack_due, limits.ack_workdays)
    )
    if report_day:
        due = first_report_due(issued_on, report_day)
        owed = first_report_on is None and state in OPEN_STATES
        steps.append(StepState("feedback", due, first_report_on, owed and today > due))
    steps.append(StepState("finish", deadline, claimed_on, state in OPEN_STATES and today > deadline))
    if claimed_on is not None and state in (TaskState.COMPLETION_CLAIMED, TaskState.CLOSED):
        review_due = add_workdays(claimed_on, limits.review_workdays)
        waiting = state == TaskState.COMPLETION_CLAIMED
        done = closed_on if state == TaskState.CLOSED else None
        steps.append(StepState("review", review_due, done, waiting and today > review_due, limits.review_workdays))
    return steps


def overdue_keys(steps: list[StepState]) -> list[str]:
    return [step.key for step in steps if step.overdue]
