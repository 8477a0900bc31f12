"""Template helpers of the correction pages, and the notice on a published result's page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from kaifang.corrections import selectors, workflow
from kaifang.indicators.figures import plain

register = template.Library()


@register.filter
def plainfig(value: Decimal | None) -> str:
    """A stored figure exactly as stored (no rounding: a correction is about every digit)."""
    return "—" if value is None else plain(value)


@register.filter
def step_label(action: str) -> str:
    return workflow.action_label(action)


@register.inclusion_tag("corrections/_affecting_snapshot.html", takes_context=True)
def corrections_affecting(context: Any, snapshot: Any) -> dict[str, Any]:
    """On a published result's page: the approved corrections decided after it was published whose
    figures reach its inputs (需重新发布), as far as the viewer may see them."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"corrections": selectors.corrections_affecting(user, snapshot) if user is not None else []}
