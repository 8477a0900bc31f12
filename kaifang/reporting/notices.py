"""Who hears of a submission's transitions (and of a reminder to report): in-app notices through
`kaifang.notifications.services`, one per transition version (deduplicated)."""

from __future__ import annotations

from django.urls import reverse

from kaifang.indicators.periods import month_label
from kaifang.notifications.services import notify_unit
from kaifang.reporting.models import Submission
from kaifang.reporting.workflow import reviewing_unit


def notify_transition(sub: Submission, action: str, reason: str) -> None:
    url = reverse("reporting:entry", args=[sub.round_id, sub.unit.code])
    label = f"{month_label(sub.round.period)}“{sub.round.name}”"
    key = f"reporting.{sub.pk}.{action}.{sub.version}"
    if action == "submit":
        reviewer = reviewing_unit(sub.unit)
        if reviewer is not None:
            notify_unit(
                unit=reviewer,
                kind="reporting.submitted",
                title=f"{sub.unit.name}已提交{label}，待审核",
                dedup_key=key,
                url=reverse("reporting:queue", args=[sub.round_id]),
            )
    elif action == "approve":
        notify_unit(unit=sub.unit, kind="reporting.approved", title=f"{label}已审核通过", dedup_key=key, url=url)
    elif action == "return":
        notify_unit(
            unit=sub.unit,
            kind="reporting.returned",
            title=f"{label}被退回：{reason[:80]}",
            body=reason,
            dedup_key=key,
            url=url,
        )
    elif action == "unapprove":
        notify_unit(
            unit=sub.unit,
            kind="reporting.reopened",
            title=f"{label}的审核已撤销，可修改后重新提交",
            body=reason,
            dedup_key=key,
            url=url,
        )
    elif action == "withdraw":
        reviewer = reviewing_unit(sub.unit)
        if reviewer is not None:
            notify_unit(
                unit=reviewer,
                kind="reporting.withdrawn",
                title=f"{sub.unit.name}已撤回{label}，修改后将重新提交",
                body=reason,
                dedup_key=key,
                url=reverse("reporting:queue", args=[sub.round_id]),
            )
