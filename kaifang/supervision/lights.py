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
        return Light("grey", ("尚未下发，不亮灯",))
    if facts.state == TaskState.CLOSED:
        when = f"于{fmt_day(facts.closed_on)}" if facts.closed_on else ""
        return Light("grey", (f"已{when}办结销号",))
    if facts.state == TaskState.COMPLETION_CLAIMED:
        if facts.claimed_on and facts.claimed_on > facts.deadline:
            return Light("red", (f"超过办理时限（{fmt_day(facts.deadline)}）后才申请办结，待复核",))
        return Light("green", ("已在时限内申请办结，待复核销号",))
    red = _red_reasons(facts, today)
    if red:
        return Light("red", tuple(_with_extension(red, facts)))
    yellow = _yellow_reasons(facts, today, days)
    if yellow:
        return Light("yellow", tuple(_with_extension(yellow, facts)))
    on_plan = f"按计划推进（进度{facts.progress}%，时间进度{_elapsed_percent(facts, today)}%）"
    if facts.extended_from:
        on_plan += f"；已批准延期至{fmt_day(facts.deadline)}（原时限{fmt_day(facts.extended_from)}）"
    return Light("green", (on_plan,))


def _with_extension(reasons: list[str], facts: TaskFacts) -> list[str]:
    """Every light of an extended task says so (once)."""
    if facts.extended_from and not any("已批准延期" in reason for reason in reasons):
        reasons.append(f"已批准延期至{fmt_day(facts.deadline)}（原时限{fmt_day(facts.extended_from)}）")
    return reasons


def _extended(facts: TaskFacts) -> str:
    return f"，已批准延期，原时限{fmt_day(facts.extended_from)}" if facts.extended_from else ""


def _red_reasons(facts: TaskFacts, today: datetime.date) -> list[str]:
    reasons: list[str] = []
    if facts.ack_overdue_since is not None:
        reasons.append(f"签收逾期（应于{fmt_day(facts.ack_overdue_since)}前签收）")
    if today > facts.deadline:
        late = (today - facts.deadline).days
        reasons.append(f"已超过办理时限（{fmt_day(facts.deadline)}{_extended(facts)}）{late}天")
    for period in facts.missing_periods:
        due = report_due_date(period, facts.report_day or 1)
        reasons.append(f"{period.year}年{period.month}月进展报告未报送（应于{fmt_day(due)}前报送）")
    for title, due, done in facts.milestones:
        if not done and today > due:
            reasons.append(f"节点“{title}”已超过时限（{fmt_day(due)}）")
    return reasons


def _yellow_reasons(facts: TaskFacts, today: datetime.date, days: int) -> list[str]:
    reasons: list[str] = []
    left = (facts.deadline - today).days
    if 0 <= left <= days:
        when = "今天到期" if left == 0 else f"距办理时限（{fmt_day(facts.deadline)}）还有{left}天"
        if facts.extended_from:
            when += f"（已批准延期，原时限{fmt_day(facts.extended_from)}）"
        reasons.append(when)
    for title, due, done in facts.milestones:
        m_left = (due - today).days
        if not done and 0 <= m_left <= days:
            reasons.append(f"节点“{title}”{'今天到期' if m_left == 0 else f'还有{m_left}天到期'}")
    elapsed = _elapsed_percent(facts, today)
    if facts.progress < elapsed:
        reasons.append(f"进度{facts.progress}%落后于时间进度{elapsed}%")
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
