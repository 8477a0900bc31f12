"""Template tags: the home page's "my tasks due this week" card."""

from __future__ import annotations

from typing import Any

from django import template

from kaifang.supervision.selectors import my_tasks, task_queryset, task_rows

register = template.Library()


@register.inclusion_tag("supervision/_home_card_body.html", takes_context=True)
def my_tasks_card(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"supervision_card": my_tasks(user) if user is not None and user.is_authenticated else None}


@register.inclusion_tag("supervision/_unit_card_body.html", takes_context=True)
def unit_tasks_card(context: dict[str, Any]) -> dict[str, Any]:
    """The open tasks a unit leads (what the viewer may see of them), with their lights."""
    request = context.get("request")
    user = getattr(request, "user", None)
    unit = context.get("unit")
    if user is None or unit is None or not user.is_authenticated:
        return {"rows": []}
    tasks = task_queryset().visible_to(user).filter(lead_unit=unit).exclude(state__in=["draft", "reviewed"])
    return {"rows": task_rows(tasks.order_by("deadline", "code")), "unit": unit}
