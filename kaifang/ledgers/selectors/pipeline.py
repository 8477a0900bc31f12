"""Reading the project pipeline: time in each stage (from the dated history), the stage columns
of the board and how many projects reached each stage; `kaifang.ledgers.selectors` re-exports them."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kaifang.core import clock
from kaifang.core.listing import Listing
from kaifang.ledgers.models import InvestmentProject, StageChange
from kaifang.ledgers.money import Rates, yi
from kaifang.ledgers.reference import (
    PIPELINE_STAGES,
    STAGE_ORDER,
    Stage,
)
from kaifang.ledgers.selectors import visible_projects
from kaifang.ledgers.timers import lead_timers, worst_light


def stage_durations(history: list[StageChange], today: datetime.date) -> list[dict[str, Any]]:
    """Each stage visit of one project: stage, from, to (None = still there), days."""
    visits = []
    for index, change in enumerate(history):
        end = history[index + 1].effective_on if index + 1 < len(history) else None
        until = end or today
        visits.append(
            {
                "stage": change.to_stage,
                "label": Stage(change.to_stage).label,
                "start": change.effective_on,
                "end": end,
                "days": (until - change.effective_on).days,
                "change": change,
            }
        )
    return visits


def days_in_current_stage(project: InvestmentProject, today: datetime.date | None = None) -> int:
    return ((today or clock.today()) - project.stage_since).days


@dataclass
class StageColumn:
    stage: str
    label: str
    count: int = 0
    amount_wan: Decimal = Decimal(0)
    avg_days: int | None = None
    conversion: str = ""
    projects: list[InvestmentProject] = field(default_factory=list)

    @property
    def amount_yi(self) -> Decimal:
        return yi(self.amount_wan)


def pipeline(user: Any, listing: Listing | None = None, *, card_limit: int = 12) -> dict[str, Any]:
    """Kanban columns with counts, agreed amounts (亿元), average days in stage, conversion to the next."""
    today = clock.today()
    rates = Rates()
    projects = list(visible_projects(user, listing).order_by("-stage_since", "-id"))
    columns: dict[str, StageColumn] = {
        str(s): StageColumn(str(s), str(Stage(s).label)) for s in [*PIPELINE_STAGES, Stage.DROPPED]
    }
    days: dict[str, list[int]] = defaultdict(list)
    for p in projects:
        col = columns[p.stage]
        col.count += 1
        col.amount_wan += rates.to_wan_yuan(p.agreed_amount, p.currency, p.first_signed_on or p.lead_received_on)
        days[p.stage].append((today - p.stage_since).days)
        if len(col.projects) < card_limit:
            p.days_in_stage = (today - p.stage_since).days  # type: ignore[attr-defined]
            if p.stage == Stage.LEAD:
                p.timer_light = worst_light(lead_timers(p, today))  # type: ignore[attr-defined]
            col.projects.append(p)
    for stage, values in days.items():
        columns[stage].avg_days = round(sum(values) / len(values)) if values else None
    reached = reached_counts([p.pk for p in projects])
    for index, stage in enumerate(PIPELINE_STAGES[:-1]):
        nxt = PIPELINE_STAGES[index + 1]
        # 拟开工 is optional: a signed project counts as converted when it reached 开工 or 拟开工.
        hit = reached.get("signed_to_next", 0) if stage == Stage.SIGNED else reached.get(nxt, 0)
        base = reached.get(stage, 0)
        columns[stage].conversion = f"{hit / base:.0%}" if base else "—"
    return {
        "columns": [columns[s] for s in PIPELINE_STAGES],
        "dropped": columns[Stage.DROPPED],
        "total": len(projects),
        "rates_used": rates.used_text(),
    }


def reached_counts(project_ids: list[int]) -> dict[str, int]:
    """How many of the projects ever reached each stage (from their history), and signed→next."""
    best: dict[int, int] = {}
    for pid, to_stage in StageChange.objects.filter(project_id__in=project_ids).values_list("project_id", "to_stage"):
        if to_stage in STAGE_ORDER:
            best[pid] = max(best.get(pid, -1), STAGE_ORDER[to_stage])
    out: dict[str, int] = defaultdict(int)
    for order in best.values():
        for stage in PIPELINE_STAGES:
            if STAGE_ORDER[stage] <= order:
                out[stage] += 1
        if order > STAGE_ORDER[Stage.SIGNED]:
            out["signed_to_next"] += 1
    return dict(out)
