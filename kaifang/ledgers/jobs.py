"""The scheduled lead-timer reminders (run by `kaifang.jobs`)."""

from __future__ import annotations

import datetime

from django.urls import reverse

from kaifang.core import clock
from kaifang.ledgers.models import InvestmentProject
from kaifang.ledgers.timers import lead_timers
from kaifang.notifications.services import notify_unit


def remind_lead_timers(today: datetime.date | None = None) -> int:
    """Notify the responsible unit of each lead whose timer is due today (yellow) or overdue (red).

    Idempotent: the dedup key names the project, the timer and the light, so each lead gets one
    "due today" and one "overdue" reminder per timer however often the job runs.
    """
    day = today or clock.today()
    created = 0
    for project in InvestmentProject.objects.leads().select_related("unit"):
        for timer in lead_timers(project, day):
            if not timer.is_open or timer.light not in ("yellow", "red"):
                continue
            state = "今日到期" if timer.light == "yellow" else "已超时"
            created += notify_unit(
                unit=project.unit,
                kind="ledgers.lead_timer",
                title=f"招商线索“{project.name}”{timer.label}{state}（时限 {timer.due:%Y-%m-%d}）",
                dedup_key=f"ledgers.lead:{project.pk}:{timer.key}:{timer.light}",
                body=f"线索获得日期 {project.lead_received_on:%Y-%m-%d}。请及时{timer.label}并在项目页登记。",
                url=reverse("ledgers:project", args=[project.pk]),
                relay=True,
            )
    return created
