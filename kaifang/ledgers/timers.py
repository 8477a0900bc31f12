"""Lead response timers (线索响应时限): answer within 1 working day, assess within 3, feedback within 7 days.

The limits are settings (KAIFANG_LEAD_RESPOND_WORKDAYS = 1, KAIFANG_LEAD_ASSESS_WORKDAYS = 3,
KAIFANG_LEAD_FEEDBACK_DAYS = 7 calendar days; the defaults apply when a deployment sets none).
Working days come from `kaifang.core.workdays` (statutory holidays and adjusted weekend working
days from chinese-calendar, plus the province's override table; a clear error past known years).
Timers run while a project is a lead (线索); moving it on or dropping it is the answer and stops them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext, gettext_noop

from kaifang.core.workdays import add_workdays, is_workday  # noqa: F401  (is_workday re-exported)


@dataclass(frozen=True)
class Timer:
    key: str  # respond | assess | feedback
    label: str
    due: datetime.date
    done_on: datetime.date | None
    light: str  # green | yellow | red | grey

    @property
    def is_open(self) -> bool:
        return self.done_on is None

    @property
    def state_label(self) -> str:
        if self.done_on is not None:
            return gettext("按时完成") if self.done_on <= self.due else gettext("超时完成")
        labels = {
            "red": gettext_noop("已超时"),
            "yellow": gettext_noop("今日到期"),
            "green": gettext_noop("未到期"),
            "grey": gettext_noop("已停止"),
        }
        return gettext(labels[self.light])


def deadlines(received: datetime.date) -> dict[str, datetime.date]:
    return {
        "respond": add_workdays(received, int(getattr(settings, "KAIFANG_LEAD_RESPOND_WORKDAYS", 1))),
        "assess": add_workdays(received, int(getattr(settings, "KAIFANG_LEAD_ASSESS_WORKDAYS", 3))),
        "feedback": received + datetime.timedelta(days=int(getattr(settings, "KAIFANG_LEAD_FEEDBACK_DAYS", 7))),
    }


LABELS = {"respond": gettext_noop("响应"), "assess": gettext_noop("研判"), "feedback": gettext_noop("反馈")}
DONE_FIELDS = {"respond": "responded_on", "assess": "assessed_on", "feedback": "feedback_on"}


def light_for(due: datetime.date, done_on: datetime.date | None, today: datetime.date, *, running: bool) -> str:
    """Green before the due date, yellow on it, red after it; done on time → green, late → red."""
    if done_on is not None:
        return "green" if done_on <= due else "red"
    if not running:
        return "grey"
    if today > due:
        return "red"
    if today == due:
        return "yellow"
    return "green"


def lead_timers(project: object, today: datetime.date) -> list[Timer]:
    """The three timers of a project's lead phase, with lights as of `today`."""
    from kaifang.ledgers.reference import Stage

    running = getattr(project, "stage", None) == Stage.LEAD
    due = deadlines(project.lead_received_on)  # type: ignore[attr-defined]
    timers = []
    for key in ("respond", "assess", "feedback"):
        done = getattr(project, DONE_FIELDS[key])
        timers.append(Timer(key, LABELS[key], due[key], done, light_for(due[key], done, today, running=running)))
    return timers


def worst_light(timers: list[Timer]) -> str:
    lights = [t.light for t in timers if t.is_open]
    for light in ("red", "yellow", "green"):
        if light in lights:
            return light
    return "grey"
