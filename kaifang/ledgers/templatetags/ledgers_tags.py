"""Template tags: the home page's "leads waiting for an answer" card."""

from __future__ import annotations

from typing import Any

from django import template

from kaifang.ledgers.selectors import open_leads

register = template.Library()


@register.inclusion_tag("ledgers/_home_card_body.html", takes_context=True)
def my_leads_card(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"rows": []}
    rows = [r for r in open_leads(user) if r["light"] in ("red", "yellow")]
    return {"rows": rows}
