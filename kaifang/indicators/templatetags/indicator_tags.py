"""Figures in Chinese office format: thousands separators, the indicator's decimals, 不可比."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import gettext, gettext_noop

from kaifang.indicators import maths, provenance
from kaifang.orgs.scope import can_see_unit

register = template.Library()


def format_figure(value: Any, decimals: int = 2) -> str:
    """Decimal('6737.1800000') with 2 decimals → "6,737.18"; None → "—"; not comparable → 不可比."""
    if value is maths.NOT_COMPARABLE:
        return gettext("不可比")
    if not isinstance(value, Decimal):
        return "—"
    quantum = Decimal(1).scaleb(-int(decimals))
    return f"{value.quantize(quantum):,}"


@register.filter
def fig(value: Any, decimals: int = 2) -> str:
    return format_figure(value, decimals)


@register.filter
def pct(value: Any, places: int = 1) -> str:
    """A ratio as a percentage: 0.2222 → "22.2%"; missing or not comparable → "—" / 不可比."""
    if value is None:
        return "—"
    if value is maths.NOT_COMPARABLE:
        return gettext("不可比")
    return maths.percent(value, places)


@register.filter
def signed_pct(value: Any, places: int = 1) -> str:
    if value is None:
        return "—"
    if value is maths.NOT_COMPARABLE:
        return gettext("不可比")
    return maths.signed_percent(value, places)


@register.filter
def ratio(value: Any, places: int = 3) -> str:
    if not isinstance(value, Decimal):
        return gettext("不可比") if value is maths.NOT_COMPARABLE else "—"
    return str(value.quantize(Decimal(1).scaleb(-places)))


@register.filter
def light_label(value: str) -> str:
    labels = {
        "green": gettext_noop("正常"),
        "yellow": gettext_noop("滞后"),
        "red": gettext_noop("严重滞后"),
        "grey": gettext_noop("无目标"),
    }
    return gettext(labels[value]) if value in labels else value


@register.filter
def provenance_of(figure: Any) -> str:
    """A figure's tooltip: its source department and how it was reported (来源：商务厅 · 来自台账)."""
    return provenance.provenance(figure.indicator, figure.basis, figure.basis_label)


@register.filter
def source_line(indicator: Any, basis_label: str) -> str:
    """The tooltip of a figure known by its basis in words only (a cockpit card)."""
    return provenance.provenance_from_label(indicator, basis_label)


@register.filter
def reported_how(figure: Any) -> str:
    """The figure's basis in words, 来自台账 for a ledger-counted one."""
    return provenance.how_reported(figure.indicator, figure.basis, figure.basis_label)


@register.filter
def ledger_rows(figure: Any) -> str:
    """The ledger list a ledger-counted figure comes from ("" for any other figure)."""
    if not provenance.from_ledger(figure.indicator, figure.basis):
        return ""
    return provenance.ledger_rows_url(figure.indicator, figure.unit, figure.period_to)


@register.filter
def yyyymm(value: Any) -> str:
    return f"{value:%Y-%m}" if value else ""


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


KEY_INDICATORS = 5


@register.inclusion_tag("indicators/unit_card_body.html", takes_context=True)
def indicator_card(context: Any, unit: Any) -> dict[str, Any]:
    """A unit page's card: the year-to-date of the first few catalogue indicators, with lights."""
    from kaifang.indicators import selectors
    from kaifang.indicators.models import DataValue
    from kaifang.indicators.periods import ytd_text

    request = context.get("request")
    user = getattr(request, "user", None)
    if unit is None or user is None or not can_see_unit(user, unit):
        return {"rows": []}
    chosen = [i for i in selectors.indicators() if i.source == "reported"][:KEY_INDICATORS]
    if not chosen:
        return {"rows": []}
    latest = (
        DataValue.objects.filter(indicator=chosen[0], unit__path__startswith=unit.path)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    if latest is None:
        return {"rows": [], "unit": unit}
    rows = [selectors.figures(i, [unit], latest.replace(month=1), latest)[0] for i in chosen]
    return {"rows": rows, "unit": unit, "label": ytd_text(latest), "period": latest}
