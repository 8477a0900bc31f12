"""Lead response timers (线索响应时限): answer within 1 working day, assess within 3, feedback within 7 days.

The limits are settings (KAIFANG_LEAD_RESPOND_WORKDAYS = 1, KAIFANG_LEAD_ASSESS_WORKDAYS = 3,
KAIFANG_LEAD_FEEDBACK_DAYS = 7 calendar days; the defaults apply when a deployment sets none).
Working days skip weekends and the statutory holidays below, and count the adjusted weekend
working days (调休上班). The holiday table covers 2017–2019 only: later years
fall back to plain weekends until the State Council notice for that year is added here.
Timers run while a project is a lead (线索); moving it on or dropping it is the answer and stops them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext, gettext_noop

# 国务院办公厅关于部分节假日安排的通知 (2017, 2018, 2019): days off, and weekend days worked.
HOLIDAYS: set[datetime.date] = set()
WORKED_WEEKENDS: set[datetime.date] = set()


def _span(first: str, last: str) -> list[datetime.date]:
    start, end = datetime.date.fromisoformat(first), datetime.date.fromisoformat(last)
    return [start + datetime.timedelta(days=i) for i in range((end - start).days + 1)]


for _first, _last in [
    ("2017-01-01", "2017-01-02"), ("2017-01-27", "2017-02-02"), ("2017-04-02", "2017-04-04"),
    ("2017-04-29", "2017-05-01"), ("2017-05-28", "2017-05-30"), ("2017-10-01", "2017-10-08"),
    ("2017-12-30", "2018-01-01"), ("2018-02-15", "2018-02-21"), ("2018-04-05", "2018-04-07"),
    ("2018-04-29", "2018-05-01"), ("2018-06-16", "2018-06-18"), ("2018-09-22", "2018-09-24"),
    ("2018-10-01", "2018-10-07"), ("2018-12-30", "2019-01-01"), ("2019-02-04", "2019-02-10"),
    ("2019-04-05", "2019-04-07"), ("2019-05-01", "2019-05-04"), ("2019-06-07", "2019-06-09"),
    ("2019-09-13", "2019-09-15"), ("2019-10-01", "2019-10-07"),
]:  # fmt: skip
    HOLIDAYS.update(_span(_first, _last))
WORKED_WEEKENDS.update(
    datetime.date.fromisoformat(day)
    for day in [
        "2017-01-22", "2017-02-04", "2017-04-01", "2017-05-27", "2017-09-30",
        "2018-02-11", "2018-02-24", "2018-04-08", "2018-04-28", "2018-09-29", "2018-09-30", "2018-12-29",
        "2019-02-02", "2019-02-03", "2019-04-28", "2019-05-05", "2019-09-29", "2019-10-12",
    ]
)  # fmt: skip


def is_workday(day: datetime.date) -> bool:
    if day in WORKED_WEEKENDS:
        return True
    return day.weekday() < 5 and day not in HOLIDAYS


def add_workdays(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start` (a lead received on Friday, +1 → Monday)."""
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_workday(day):
            remaining -= 1
    return day


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
