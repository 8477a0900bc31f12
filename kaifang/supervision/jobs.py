"""The reminder job: in-app notices for tasks due soon, overdue, or missing a monthly report.

Run by the scheduled job cycle (`kaifang.jobs`) and by `kaifang run_reminders`. Idempotent:
each notice carries a dedup key naming the task and the fact (the deadline, the milestone, the
month), so running the job twice — or every 15 minutes all day — notifies once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from kaifang.core import clock
from kaifang.notifications.models import Notification
from kaifang.notifications.services import notify_unit, unit_recipients
from kaifang.orgs.models import OrgUnit
from kaifang.supervision.lights import fmt_day, report_due_date
from kaifang.supervision.models import OPEN_STATES, Task, TaskState
from kaifang.supervision.selectors import attach_related, missing_periods_of, related_of, steps_of
from kaifang.supervision.steps import load_limits


@dataclass
class ReminderCounts:
    due_soon: int = 0
    overdue: int = 0
    missing_reports: int = 0
    steps_overdue: int = 0

    def __str__(self) -> str:
        return (
            f"临期提醒 {self.due_soon} 条，超期提醒 {self.overdue} 条，缺报提醒 {self.missing_reports} 条，"
            f"环节逾期提醒 {self.steps_overdue} 条"
        )


class _Sender:
    """`notify_unit`, skipping in memory what is already sent: a repeated run makes no queries per task."""

    def __init__(self, tasks: list[Any]) -> None:
        units = {task.lead_unit_id: task.lead_unit for task in tasks}
        # Issuers are told only of late reviews: their (many) earlier notices are loaded only then.
        units.update({t.issuer_unit_id: t.issuer_unit for t in tasks if t.state == TaskState.COMPLETION_CLAIMED})
        self.recipients = {pk: {u.pk for u in unit_recipients(unit)} for pk, unit in units.items()}
        wanted = {uid for ids in self.recipients.values() for uid in ids}
        self.sent = set(
            Notification.objects.filter(recipient_id__in=wanted, dedup_key__startswith="task:").values_list(
                "recipient_id", "dedup_key"
            )
        )

    def __call__(self, *, unit: OrgUnit, kind: str, title: str, dedup_key: str, url: str) -> int:
        if all((uid, dedup_key[:200]) in self.sent for uid in self.recipients.get(unit.pk, ())):
            return 0  # nobody to tell, or everyone told already
        return notify_unit(unit=unit, kind=kind, title=title, dedup_key=dedup_key, url=url, relay=True)


def send_task_reminders(*, today: datetime.date | None = None) -> ReminderCounts:
    """Notify lead units about open tasks; returns how many notifications were newly created."""
    day = today or clock.today()
    window = settings.KAIFANG_TASK_YELLOW_DAYS
    counts = ReminderCounts()
    states = (*OPEN_STATES, TaskState.COMPLETION_CLAIMED)
    tasks = attach_related(list(Task.objects.select_related("lead_unit", "issuer_unit").filter(state__in=states)))
    send = _Sender(tasks)
    limits = load_limits()
    for task in tasks:
        url = f"/supervision/tasks/{task.pk}/"
        for step in steps_of(task, today=day, limits=limits):
            if step.overdue and step.key in ("ack", "review"):
                # 签收逾期 goes to the lead unit; 复核逾期 to the issuer, who owes the review.
                counts.steps_overdue += send(
                    unit=task.lead_unit if step.key == "ack" else task.issuer_unit,
                    kind=f"task_{step.key}_overdue",
                    title=f"{step.state_label}：{task.title}（应于{fmt_day(step.due)}前{step.label}）",
                    dedup_key=f"task:{task.pk}:{step.key}_overdue:{step.due.isoformat()}",
                    url=url,
                )
        if task.state == TaskState.COMPLETION_CLAIMED:
            continue
        left = (task.deadline - day).days
        if 0 <= left <= window:
            counts.due_soon += send(
                unit=task.lead_unit,
                kind="task_due_soon",
                title=f"临期提醒：{task.title}（{fmt_day(task.deadline)}到期）",
                dedup_key=f"task:{task.pk}:due_soon:{task.deadline.isoformat()}",
                url=url,
            )
        elif left < 0:
            counts.overdue += send(
                unit=task.lead_unit,
                kind="task_overdue",
                title=f"超期提醒：{task.title}已超过办理时限（{fmt_day(task.deadline)}）",
                dedup_key=f"task:{task.pk}:overdue:{task.deadline.isoformat()}",
                url=url,
            )
        for title, due, done in related_of(task).milestones:
            m_left = (due - day).days
            if not done and 0 <= m_left <= window:
                counts.due_soon += send(
                    unit=task.lead_unit,
                    kind="task_due_soon",
                    title=f"节点临期：{task.title} · {title}（{fmt_day(due)}）",
                    dedup_key=f"task:{task.pk}:milestone:{due.isoformat()}:{title[:60]}",
                    url=url,
                )
        for period in missing_periods_of(task, today=day):
            due = report_due_date(period, task.report_day or 1)
            counts.missing_reports += send(
                unit=task.lead_unit,
                kind="task_report_missing",
                title=f"缺报提醒：{task.title} {period.year}年{period.month}月进展（应于{fmt_day(due)}前报送）",
                dedup_key=f"task:{task.pk}:missing:{period.isoformat()}",
                url=url,
            )
    return counts
