"""Presentation helpers: the period a page opens on, and links from a point to what produced it."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse

from kaifang.core import clock
from kaifang.indicators.periods import parse_period


def default_period(year: int) -> datetime.date:
    """The last complete month of the scheme's year as of today (the demo lives in July 2018)."""
    today = clock.today()
    if today.year > year:
        return datetime.date(year, 12, 1)
    if today.year < year:
        return datetime.date(year, 1, 1)
    return datetime.date(year, max(today.month - 1, 1), 1)


def period_or_default(text: str | None, year: int) -> datetime.date:
    return parse_period(text) if text else default_period(year)


def source_link(source: dict[str, Any]) -> dict[str, str]:
    """One source reference → {"label", "url"} for the breakdown page."""
    kind = source.get("type")
    if kind == "value":
        note = f"（{source['note']}）" if source.get("note") else ""
        return {
            "label": f"{source.get('name', source['indicator'])} · {source.get('unit_name', source['unit'])} · "
            f"{source['period']}{note}",
            "url": reverse("indicators:figure", args=[source["indicator"], source["unit"], source["period"]]),
        }
    if kind == "target":
        return {
            "label": f"{source['year']}年目标 · {source['indicator']}",
            "url": reverse("indicators:figure", args=[source["indicator"], source["unit"], f"{source['year']}-12"]),
        }
    if kind == "task":
        return {
            "label": f"督办事项 {source.get('code', source['id'])}",
            "url": reverse("supervision:task", args=[source["id"]]),
        }
    if kind == "adjustment":
        return {
            "label": f"加减分事项 #{source['id']}",
            "url": reverse("assessment:adjustments") + f"#adj-{source['id']}",
        }
    if kind == "submission":
        return {"label": f"{source['period']} 报送", "url": ""}
    return {"label": str(source), "url": ""}


def with_links(row: dict[str, Any]) -> dict[str, Any]:
    """A unit's result row with each item's sources turned into links."""
    items = [{**item, "links": [source_link(s) for s in item.get("sources") or []]} for item in row["items"]]
    return {**row, "items": items}
