"""Traffic lights for tasks: derived from dates, milestones and reports, never typed.

`light_for(facts, today=..., yellow_days=...)` is a pure function: the callers pass today's date
(from `kaifang.core.clock.today()` in the app, any date in tests). Rules, worst first:

- grey: not yet issued (draft, reviewed), or closed (办结销号);
- red: past the deadline; a monthly progress report missing (the day after its report day);
  a milestone past its date and not done; a completion claimed after the deadline;
- yellow: the deadline or an open milestone within `yellow_days` days (today counts, the deadline
  day itself is still yellow); progress behind the time elapsed since the task was issued;
- green: on track.

Every rule that fires is returned as Chinese text, shown on hover.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kaifang.supervision.models import TaskState

LIGHT_LABELS = {"green": _("绿灯"), "yellow": _("黄灯"), "red": _("红灯"), "grey": _("灰灯")}
SEVERITY = {"grey": 0, "green": 1, "yellow": 2, "red": 3}


@dataclass(frozen=True)
class Light:
    color: str
    reasons: tuple[str, ...]

    @property
    def rule(self) -> str:
        return "；".join(self.reasons)

    @property
    def label(self) -> str:
        return str(LIGHT_LABELS[self.color])

    @property
    def css(self) -> str:
        return f"light-{self.color}"


@dataclass(frozen=True)
class TaskFacts:
    state: str
    deadline: datetime.date
    issued_on: datetime.date | None = None
    progress: int = 0
    milestones: tuple[tuple[str, datetime.date, bool], ...] = ()
    missing_periods: tuple[datetime.date, ...] = ()
    report_day: int | None = None
    claimed_on: datetime.date | None = None
    closed_on: datetime.date | None = None
    ack_overdue_since: datetime.date | None = None  # 签收 due date, when still not signed after it
    extended_from: datetime.date | None = None  # the deadline before an approved extension
    extra: dict[str, Any] = field(default_factory=dict)


def fmt_day(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _day(day: datetime.date) -> str:
    """A day in a light's reason, in the reader's language (the official notices keep `fmt_day`)."""
    return gettext("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}


def _extension_note(facts: TaskFacts) -> str:
    return gettext("已批准延期至%(deadline)s（原时限%(before)s）") % {
        "deadline": _day(facts.deadline),
        "before": _day(facts.extended_from),  # type: ignore[arg-type]
    }


def report_due_date(period: datetime.date, report_day: int) -> datetime.date:
    return period.replace(day=report_day)


def missing_report_periods(
    *,
    issued_on: datetime.date | None,
    report_day: int | None,
    reported_periods: set[datetime.date] | frozenset[datetime.date],
    today: datetime.date,
    stop: datetime.date | None = None,
) -> list[datetime.date]:
    """Months (1st of month) whose report was due before `today` (and before `stop`) but never came.

    A month's report is due on `report_day` of that month; months whose report day falls on or
    before the issue date owe nothing. A report on the report day itself is on time, so a month
    counts as missing from the next day on.
    """
    if issued_on is None or report_day is None:
        return []
    limit = today if stop is None else min(today, stop + datetime.timedelta(days=1))
    missing: list[datetime.date] = []
    period = issued_on.replace(day=1)
    while True:
        due = report_due_date(period, report_day)
        if due >= limit:
            break
        if due > issued_on and period not in reported_periods:
            missing.append(period)
        period = (period + datetime.timedelta(days=32)).replace(day=1)
    return missing


def light_for(facts: TaskFacts, *, today: datetime.date, yellow_days: int | None = None) -> Light:
    """The light of one task on `today` (pure: everything it needs is in `facts`)."""
    days = settings.KAIFANG_TASK_YELLOW_DAYS if yellow_days is None else yellow_days
    if facts.state in (TaskState.DRAFT, TaskState.REVIEWED):
        return Light("grey", (gettext("尚未下发，不亮灯"),))
    if facts.state == TaskState.CLOSED:
        if facts.closed_on:
            return Light("grey", (gettext("已于%(day)s办结销号") % {"day": _day(facts.closed_on)},))
        return Light("grey", (gettext("已办结销号"),))
    if facts.state == TaskState.COMPLETION_CLAIMED:
        if facts.claimed_on and facts.claimed_on > facts.deadline:
            return Light(
                "red", (gettext("超过办理时限（%(day)s）后才申请办结，待复核") % {"day": _day(facts.deadline)},)
            )
        return Light("green", (gettext("已在时限内申请办结，待复核销号"),))
    red = _red_reasons(facts, today)
    if red:
        return Light("red", tuple(_with_extension(red, facts)))
    yellow = _yellow_reasons(facts, today, days)
    if yellow:
        return Light("yellow", tuple(_with_extension(yellow, facts)))
    on_plan = gettext("按计划推进（进度%(progress)s%%，时间进度%(elapsed)s%%）") % {
        "progress": facts.progress,
        "elapsed": _elapsed_percent(facts, today),
    }
    if facts.extended_from:
        on_plan += gettext("；") + _extension_note(facts)
    return Light("green", (on_plan,))


def _with_extension(reasons: list[str], facts: TaskFacts) -> list[str]:
    """Every light of an extended task says so (once)."""
    if facts.extended_from and not facts_said_extended(reasons, facts):
        reasons.append(_extension_note(facts))
    return reasons


def facts_said_extended(reasons: list[str], facts: TaskFacts) -> bool:
    """Whether a reason already says the task was extended (its original deadline is named)."""
    return any(_day(facts.extended_from) in reason for reason in reasons)  # type: ignore[arg-type]


def _extended(facts: TaskFacts) -> str:
    if not facts.extended_from:
        return ""
    return gettext("，已批准延期，原时限%(day)s") % {"day": _day(facts.extended_from)}


def _red_reasons(facts: TaskFacts, today: datetime.date) -> list[str]:
    reasons: list[str] = []
    if facts.ack_overdue_since is not None:
        reasons.append(gettext("签收逾期（应于%(day)s前签收）") % {"day": _day(facts.ack_overdue_since)})
    if today > facts.deadline:
        late = (today - facts.deadline).days
        reasons.append(
            gettext("已超过办理时限（%(day)s%(extended)s）%(late)s天")
            % {"day": _day(facts.deadline), "extended": _extended(facts), "late": late}
        )
    for period in facts.missing_periods:
        due = report_due_date(period, facts.report_day or 1)
        reasons.append(
            gettext("%(y)s年%(m)s月进展报告未报送（应于%(day)s前报送）")
            % {"y": period.year, "m": period.month, "day": _day(due)}
        )
    for title, due, done in facts.milestones:
        if not done and today > due:
            reasons.append(gettext("节点“%(title)s”已超过时限（%(day)s）") % {"title": title, "day": _day(due)})
    return reasons


def _yellow_reasons(facts: TaskFacts, today: datetime.date, days: int) -> list[str]:
    reasons: list[str] = []
    left = (facts.deadline - today).days
    if 0 <= left <= days:
        if left == 0:
            when = gettext("今天到期")
        else:
            when = gettext("距办理时限（%(day)s）还有%(left)s天") % {"day": _day(facts.deadline), "left": left}
        if facts.extended_from:
            when += gettext("（已批准延期，原时限%(day)s）") % {"day": _day(facts.extended_from)}
        reasons.append(when)
    for title, due, done in facts.milestones:
        m_left = (due - today).days
        if not done and 0 <= m_left <= days:
            if m_left == 0:
                reasons.append(gettext("节点“%(title)s”今天到期") % {"title": title})
            else:
                reasons.append(gettext("节点“%(title)s”还有%(left)s天到期") % {"title": title, "left": m_left})
    elapsed = _elapsed_percent(facts, today)
    if facts.progress < elapsed:
        reasons.append(
            gettext("进度%(progress)s%%落后于时间进度%(elapsed)s%%") % {"progress": facts.progress, "elapsed": elapsed}
        )
    return reasons


def _elapsed_percent(facts: TaskFacts, today: datetime.date) -> int:
    """Share of the time from issue to deadline already gone, in whole percent (rounded down)."""
    if facts.issued_on is None:
        return 0
    total = (facts.deadline - facts.issued_on).days
    if total <= 0:
        return 100
    gone = min(max((today - facts.issued_on).days, 0), total)
    return gone * 100 // total
