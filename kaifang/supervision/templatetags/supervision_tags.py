"""Template tags: the home page's "my tasks due this week" card."""

from __future__ import annotations

from typing import Any

from django import template

from kaifang.supervision.selectors import my_tasks

register = template.Library()


@register.inclusion_tag("supervision/_home_card_body.html", takes_context=True)
def my_tasks_card(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"supervision_card": my_tasks(user) if user is not None and user.is_authenticated else None}
