"""The reminder job: in-app notices for tasks due soon, overdue, or missing a monthly report.

Run by the scheduled job cycle (`kaifang.core.jobs`) and by `kaifang run_reminders`. Idempotent:
each notice carries a dedup key naming the task and the fact (the deadline, the milestone, the
month), so running the job twice — or every 15 minutes all day — notifies once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings

from kaifang.core import clock
from kaifang.notifications.services import notify_unit
from kaifang.supervision.lights import fmt_day, report_due_date
from kaifang.supervision.models import OPEN_STATES
from kaifang.supervision.selectors import attach_related, missing_periods_of, related_of, task_queryset


@dataclass
class ReminderCounts:
    due_soon: int = 0
    overdue: int = 0
    missing_reports: int = 0

    def __str__(self) -> str:
        return f"临期提醒 {self.due_soon} 条，超期提醒 {self.overdue} 条，缺报提醒 {self.missing_reports} 条"


def send_task_reminders(*, today: datetime.date | None = None) -> ReminderCounts:
    """Notify lead units about open tasks; returns how many notifications were newly created."""
    day = today or clock.today()
    window = settings.KAIFANG_TASK_YELLOW_DAYS
    counts = ReminderCounts()
    for task in attach_related(list(task_queryset().filter(state__in=OPEN_STATES))):
        url = f"/supervision/tasks/{task.pk}/"
        left = (task.deadline - day).days
        if 0 <= left <= window:
            counts.due_soon += notify_unit(
                unit=task.lead_unit,
                kind="task_due_soon",
                title=f"临期提醒：{task.title}（{fmt_day(task.deadline)}到期）",
                dedup_key=f"task:{task.pk}:due_soon:{task.deadline.isoformat()}",
                url=url,
            )
        elif left < 0:
            counts.overdue += notify_unit(
                unit=task.lead_unit,
                kind="task_overdue",
                title=f"超期提醒：{task.title}已超过办理时限（{fmt_day(task.deadline)}）",
                dedup_key=f"task:{task.pk}:overdue:{task.deadline.isoformat()}",
                url=url,
            )
        for title, due, done in related_of(task).milestones:
            m_left = (due - day).days
            if not done and 0 <= m_left <= window:
                counts.due_soon += notify_unit(
                    unit=task.lead_unit,
                    kind="task_due_soon",
                    title=f"节点临期：{task.title} · {title}（{fmt_day(due)}）",
                    dedup_key=f"task:{task.pk}:milestone:{due.isoformat()}:{title[:60]}",
                    url=url,
                )
        for period in missing_periods_of(task, today=day):
            due = report_due_date(period, task.report_day or 1)
            counts.missing_reports += notify_unit(
                unit=task.lead_unit,
                kind="task_report_missing",
                title=f"缺报提醒：{task.title} {period.year}年{period.month}月进展（应于{fmt_day(due)}前报送）",
                dedup_key=f"task:{task.pk}:missing:{period.isoformat()}",
                url=url,
            )
    return counts
