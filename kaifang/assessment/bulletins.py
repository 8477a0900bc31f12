"""Bulletins (通报): what a monthly or quarterly bulletin says, written from the data.

`bulletin_content` gathers the title, issuer, document number, a summary paragraph (who leads, who
lags, what changed against the previous period), the ranking with the red list (红榜, top) and the
black list (黑榜, bottom), a bar chart and the overdue tasks by unit. The renderers in
`kaifang.assessment.documents` turn it into PDF, Word and Excel. A bulletin reports the published
snapshot of the period when there is one, else the running score: then it is a draft for comment
(征求意见稿), said on every page, and has no document number (文号) — a numbered bulletin is only ever
issued from a published snapshot.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.html import escape

from kaifang.assessment.inputs import period_window
from kaifang.assessment.models import AssessmentScheme, AssessmentSnapshot
from kaifang.assessment.selectors import assess, latest_snapshot
from kaifang.core import clock
from kaifang.indicators.periods import add_months, ytd_label
from kaifang.orgs.models import OrgUnit
from kaifang.supervision.selectors import overdue_tasks_under

LIST_SIZE = 3  # units on the red list and on the black list


@dataclass
class BulletinContent:
    title: str
    issuer: str
    doc_number: str
    date: datetime.date
    period_label: str
    scheme_name: str
    published: bool
    snapshot_number: int | None
    summary: str
    item_names: list[str]
    rows: list[dict[str, Any]]  # code, name, total, rank, grade, items (points), change
    red: list[dict[str, Any]]
    black: list[dict[str, Any]]
    overdue: list[dict[str, Any]] = field(default_factory=list)  # unit, count, tasks
    rules: dict[str, str] = field(default_factory=dict)
    snapshot_id: int | None = None

    @property
    def draft(self) -> bool:
        """Made from live scores, not a published snapshot: a draft for comment without 文号."""
        return not self.published


DRAFT_MARK = "征求意见稿"


def bulletin_title(period: datetime.date, kind: str) -> str:
    if kind == "quarterly":
        quarter = (period.month - 1) // 3 + 1
        span = f"{period.year}年第{'一二三四'[quarter - 1]}季度"
    else:
        span = ytd_label(period)
    return f"关于{span}全省对外开放工作考核情况的通报"


def doc_number(period: datetime.date, kind: str) -> str:
    prefix = getattr(settings, "KAIFANG_BULLETIN_PREFIX", "开放办通")
    serial = (period.month - 1) // 3 + 1 if kind == "quarterly" else period.month
    return f"{prefix}〔{period.year}〕{serial}号"


def _results(scheme: AssessmentScheme, period: datetime.date) -> tuple[dict[str, Any], AssessmentSnapshot | None]:
    snapshot = latest_snapshot(scheme.code, period)
    if snapshot is not None:
        return snapshot.results, snapshot
    return assess(scheme=scheme, period=period).results(), None


def _previous(scheme: AssessmentScheme, period: datetime.date, kind: str) -> dict[str, Any] | None:
    months = 3 if kind == "quarterly" else 1
    before = add_months(period, -months)
    if before.year != scheme.year:
        return None
    return _results(scheme, before)[0]


def _summary(rows: list[dict[str, Any]], previous: dict[str, Any] | None, label: str) -> str:
    if not rows:
        return f"{label}，考核组内暂无单位得分。"
    leaders = "、".join(f"{r['name']}（{r['total']}分）" for r in rows[:LIST_SIZE])
    laggards = "、".join(f"{r['name']}（{r['total']}分）" for r in rows[-LIST_SIZE:][::-1])
    text = f"{label}，全省对外开放工作考核得分居前的是{leaders}；排名靠后的是{laggards}。"
    if previous:
        prior = {u["code"]: u for u in previous["units"]}
        moves = []
        for r in rows:
            old = prior.get(r["code"])
            if old is not None and old["rank"] != r["rank"]:
                moves.append((old["rank"] - r["rank"], r["name"], old["rank"], r["rank"]))
        up = [m for m in moves if m[0] > 0]
        down = [m for m in moves if m[0] < 0]
        if up:
            best = max(up)
            text += f"与上期相比，{best[1]}由第{best[2]}名升至第{best[3]}名，进步最大"
            text += "；" if down else "。"
        if down:
            worst = min(down)
            text += f"{'' if up else '与上期相比，'}{worst[1]}由第{worst[2]}名降至第{worst[3]}名，须引起重视。"
        if not moves:
            text += "各单位名次与上期相同。"
    missing = [r["name"] for r in rows if "缺数" in r.get("flags", [])]
    if missing:
        text += f"{'、'.join(missing)}有指标缺数，已按考核方案的缺数规则计分，请尽快补报。"
    vetoed = [r["name"] for r in rows if r.get("vetoed")]
    if vetoed:
        text += f"{'、'.join(vetoed)}触发一票否决。"
    return text


def _overdue(units: list[str], period: datetime.date) -> list[dict[str, Any]]:
    """Tasks led by the group's units (or their counties) still open past their deadline at period end."""
    _start, end = period_window(period)
    out = []
    for unit in OrgUnit.objects.filter(code__in=units).order_by("path"):
        tasks = overdue_tasks_under(unit, end)
        if tasks:
            out.append({"unit": unit.name, "count": len(tasks), "tasks": tasks[:5]})
    return sorted(out, key=lambda e: -e["count"])


def bulletin_content(scheme: AssessmentScheme, period: datetime.date, kind: str = "monthly") -> BulletinContent:
    results, snapshot = _results(scheme, period)
    previous = _previous(scheme, period, kind)
    label = ytd_label(period)
    prior = {u["code"]: u["rank"] for u in (previous or {"units": []})["units"]}
    rows = []
    for unit in results["units"]:
        old = prior.get(unit["code"])
        rows.append(
            {
                "code": unit["code"],
                "name": unit["name"],
                "total": unit["total"],
                "rank": unit["rank"],
                "grade": unit["grade"],
                "flags": unit.get("flags", []),
                "vetoed": unit.get("vetoed", False),
                "points": [i["points"] for i in unit["items"]],
                "change": (old - unit["rank"]) if old is not None else None,
            }
        )
    items = results["units"][0]["items"] if results["units"] else []
    return BulletinContent(
        title=bulletin_title(period, kind),
        issuer=settings.KAIFANG_ISSUER_NAME,
        doc_number=doc_number(period, kind) if snapshot is not None else "",
        date=clock.today(),
        period_label=label,
        scheme_name=scheme.name,
        published=snapshot is not None,
        snapshot_number=snapshot.number if snapshot else None,
        snapshot_id=snapshot.pk if snapshot else None,
        summary=_summary(rows, previous, label),
        item_names=[i["name"] for i in items],
        rows=rows,
        red=rows[:LIST_SIZE],
        black=rows[-LIST_SIZE:][::-1] if len(rows) > LIST_SIZE else [],
        overdue=_overdue([r["code"] for r in rows], period),
        rules=results.get("rules", {}),
    )


def bar_chart_svg(rows: list[dict[str, Any]], *, width: int = 640, bar: int = 18) -> str:
    """A horizontal bar chart of totals as SVG (server-side, for the PDF)."""
    if not rows:
        return ""
    top = max((Decimal(r["total"]) for r in rows), default=Decimal(1)) or Decimal(1)
    label_w, pad = 110, 6
    height = len(rows) * (bar + pad) + pad
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Noto Sans CJK SC" font-size="12">'
    ]
    for index, row in enumerate(rows):
        y = pad + index * (bar + pad)
        length = int((width - label_w - 70) * max(Decimal(row["total"]), Decimal(0)) / top)
        colour = "#c62828" if index < LIST_SIZE else ("#8a96a3" if index >= len(rows) - LIST_SIZE else "#1d5fa8")
        parts.append(f'<text x="{label_w - 6}" y="{y + bar - 5}" text-anchor="end">{escape(row["name"])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{length}" height="{bar}" fill="{colour}"/>')
        parts.append(f'<text x="{label_w + length + 4}" y="{y + bar - 5}">{row["total"]}</text>')
    parts.append("</svg>")
    return "".join(parts)
