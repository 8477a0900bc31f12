"""Template tags: the home page's "meetings awaiting my unit" card."""

from __future__ import annotations

from typing import Any

from django import template

from kaifang.meetings.selectors import my_meeting_todos

register = template.Library()


@register.inclusion_tag("meetings/_home_card_body.html", takes_context=True)
def my_meetings_card(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"todos": my_meeting_todos(user) if user is not None and user.is_authenticated else []}
