"""Template tags: the home page's reporting card (my open submissions, what awaits my approval)."""

from __future__ import annotations

from typing import Any

from django import template

from kaifang.reporting.models import ReportingRound, RoundStatus, Submission
from kaifang.reporting.workflow import REVIEWER, parts_of

register = template.Library()


@register.inclusion_tag("reporting/_home_card_body.html", takes_context=True)
def reporting_card(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(user, "unit", None) is None:
        return {"show": False}
    rounds = list(ReportingRound.objects.visible_to(user).filter(status=RoundStatus.OPEN).order_by("-period")[:3])
    mine = {
        s.round_id: s
        for s in Submission.objects.filter(round__in=rounds, unit=user.unit).select_related("unit", "round")
    }
    waiting = []
    for round_ in rounds:
        pending = Submission.objects.visible_to(user).awaiting_approval().filter(round=round_).select_related("unit")
        count = sum(1 for s in pending if REVIEWER in parts_of(user, s.unit))
        if count:
            waiting.append({"round": round_, "count": count})
    rows = [{"round": r, "mine": mine.get(r.pk)} for r in rounds]
    return {"show": bool(rounds), "rows": rows, "waiting": waiting}
