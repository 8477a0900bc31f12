"""Template tags: the assessment card on the home page and on a unit's page; signed differences."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from kaifang.assessment.links import default_period
from kaifang.assessment.models import AssessmentScheme
from kaifang.assessment.selectors import latest_snapshot, visible_unit_codes
from kaifang.orgs.scope import scope_root

register = template.Library()


@register.inclusion_tag("assessment/_score_card.html", takes_context=True)
def score_card(context: dict[str, Any]) -> dict[str, Any]:
    """The unit's latest published score in each scheme that ranks it (cheap: frozen results only),
    or, for a unit no scheme ranks (the province), the schemes with their latest publications."""
    request = context.get("request")
    user = getattr(request, "user", None)
    unit = context.get("unit")
    if user is None or unit is None or scope_root(user) is None or not visible_unit_codes(user, [unit.code]):
        return {"rows": [], "schemes": []}
    rows = []
    for scheme in AssessmentScheme.objects.current().filter(group__members=unit).select_related("group"):
        snapshot = latest_snapshot(scheme.code)
        row = None
        if snapshot is not None:
            row = next((u for u in snapshot.results["units"] if u["code"] == unit.code), None)
        rows.append(
            {
                "scheme": scheme,
                "snapshot": snapshot,
                "row": row,
                "group_size": len(snapshot.results["units"]) if snapshot else 0,
                "live_period": f"{default_period(scheme.year):%Y-%m}",
            }
        )
    schemes = []
    if not rows:
        schemes = [
            {
                "scheme": s,
                "snapshot": latest_snapshot(s.code),
                "live_period": f"{default_period(s.year):%Y-%m}",
            }
            for s in AssessmentScheme.objects.current().select_related("group").order_by("-year", "code")[:4]
        ]
    return {"rows": rows, "schemes": schemes, "unit": unit}


@register.simple_tag
def scheme_rules(scheme: Any, results: Any, live: bool = True) -> Any:
    """The scheme-wide rules of a live result in the reader's language (published ones keep their text)."""
    from kaifang.assessment import rule_texts

    if not live or not rule_texts.in_english():
        return results["rules"]
    return rule_texts.rules_en(scheme.to_engine(), results.get("group_size"))


@register.filter
def signed(value: Any) -> str:
    """A difference with its sign: +7.00, −4.00, 0.00 (the minus sign, not a hyphen)."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    text = f"{abs(number):f}"
    return f"+{text}" if number > 0 else (f"−{text}" if number < 0 else text)


@register.filter
def absolute(value: Any) -> Any:
    return abs(value) if value is not None else None
