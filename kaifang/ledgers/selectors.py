"""Reads of the ledgers, always through the visibility guard; the pipeline statistics.

Every figure here applies the counting rules of `kaifang.ledgers.counting` through
`ledger_events`: counts by origin, industry, city and platform are made of the same events as the
derived indicators, restricted to the units the user may see.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from kaifang.core import clock
from kaifang.core.listing import Filter, Listing, ListSpec, Sort
from kaifang.ledgers.counting import SIGNED_100M, SIGNED_AMOUNT, STARTED_100M, Event, ledger_events
from kaifang.ledgers.models import InvestmentProject, InvestmentProjectQuerySet, StageChange, TalentRecord
from kaifang.ledgers.money import Rates, yi
from kaifang.ledgers.reference import (
    ORIGIN_NAMES,
    ORIGIN_TAGS,
    PIPELINE_STAGES,
    STAGE_ORDER,
    TAG_F500,
    Industry,
    Stage,
    TalentKind,
    TalentLevel,
)
from kaifang.ledgers.timers import lead_timers, worst_light
from kaifang.orgs.forms import unit_filter
from kaifang.orgs.models import OrgUnit
from kaifang.orgs.scope import unit_scope_q
from kaifang.refdata.selectors import membership_q, memberships


def _by_origin_tag(projects: Any, tag: str) -> Any:
    if tag == TAG_F500:  # an investor flag, not an origin
        return projects.filter(investor__is_fortune500=True)
    # Tagged by the group's membership on the day the project was signed (or its lead came in).
    dated = projects.annotate(tag_day=Coalesce("first_signed_on", "lead_received_on"))
    return dated.filter(membership_q(tag, member_field="origin", day_field="tag_day"))


PROJECT_LIST = ListSpec(
    filters=(
        Filter("stage", _("阶段"), lookup="stage", choices=Stage.choices),
        Filter("tag", _("来源"), lookup=_by_origin_tag, choices=[(t, t) for t in [*ORIGIN_TAGS, TAG_F500]]),
        Filter("industry", _("行业"), lookup="industry", choices=[(c, f"{c} {n}") for c, n in Industry.choices]),
        unit_filter(label=_("责任单位")),
        Filter("year", _("线索年度"), lookup="lead_received_on__year", pattern=r"(19|20)\d\d", input_type="text"),
    ),
    search=("name", "investor__name", "external_id"),
    search_label=_("项目、投资方或编号"),
    sorts=(
        Sort("new", _("线索日期（新→旧）"), ("-lead_received_on", "-id")),
        Sort("old", _("线索日期（旧→新）"), ("lead_received_on", "id")),
        Sort("signed", _("首次签约（新→旧）"), ("-first_signed_on", "-id")),
        Sort("stage", _("进入当前阶段（新→旧）"), ("-stage_since", "-id")),
        Sort("unit", _("责任单位"), ("unit__path", "-lead_received_on", "-id")),
        Sort("name", _("项目名称"), ("name", "id")),
    ),
)


def visible_projects(user: Any, listing: Listing | None = None) -> InvestmentProjectQuerySet:
    """The projects `user` may see, narrowed by a reading of PROJECT_LIST (filters, search, sort)."""
    qs = InvestmentProject.objects.visible_to(user).select_related("unit", "platform", "investor")
    return listing.apply(qs) if listing is not None else qs


def get_project_for_user(user: Any, pk: int) -> InvestmentProject:
    project = visible_projects(user).filter(pk=pk).first()
    if project is None:
        raise Http404("project not found")
    return project


TALENT_LIST = ListSpec(
    filters=(
        Filter("level", _("人才层次"), lookup="level", choices=TalentLevel.choices),
        Filter("kind", _("类型"), lookup="kind", choices=TalentKind.choices),
        unit_filter(label=_("责任单位")),
        Filter("year", _("引进年度"), lookup="introduced_on__year", pattern=r"(19|20)\d\d", input_type="text"),
    ),
    search=("name", "employer", "field", "programme", "external_id"),
    search_label=_("姓名、用人单位、领域或编号"),
    sorts=(
        Sort("new", _("引进日期（新→旧）"), ("-introduced_on", "-id")),
        Sort("old", _("引进日期（旧→新）"), ("introduced_on", "id")),
        Sort("headcount", _("人数（多→少）"), ("-headcount", "-introduced_on", "-id")),
        Sort("unit", _("责任单位"), ("unit__path", "-introduced_on", "-id")),
        Sort("name", _("姓名/团队"), ("name", "id")),
    ),
)


def visible_talents(user: Any, listing: Listing | None = None) -> Any:
    """The talent records `user` may see, narrowed by a reading of TALENT_LIST."""
    qs = TalentRecord.objects.visible_to(user).select_related("unit")
    return listing.apply(qs) if listing is not None else qs


def get_talent_for_user(user: Any, pk: int) -> TalentRecord:
    record = visible_talents(user).filter(pk=pk).first()
    if record is None:
        raise Http404("talent not found")
    return record


# --- Time in stage ---------------------------------------------------------------------------------


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


# --- Pipeline ---------------------------------------------------------------------------------------


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


# --- Breakdowns under the counting rules ---------------------------------------------------------


def _year_months(year: int) -> set[datetime.date]:
    return {datetime.date(year, m, 1) for m in range(1, 13)}


def _city_of(unit: OrgUnit) -> str:
    parts = unit.path.strip("/").split("/")
    return parts[1] if len(parts) > 1 else parts[0]


def _area_of(unit: OrgUnit, city_scope: bool) -> str:
    """The map area an event falls in: its city (province view) or its district (city view)."""
    parts = unit.path.strip("/").split("/")
    if city_scope:
        return parts[2] if len(parts) > 2 else parts[-1]
    return parts[1] if len(parts) > 1 else parts[0]


def breakdowns(user: Any, year: int) -> dict[str, Any]:
    """Signed amounts and 亿元以上 counts of `year` by origin tag, origin, industry, city and platform."""
    rates = Rates()
    events = ledger_events(months=_year_months(year), rates=rates, unit_q=unit_scope_q(user, prefix="unit__"))
    project_ids = {e.project_id for e in events if e.project_id}
    projects = {
        p.pk: p for p in InvestmentProject.objects.filter(pk__in=project_ids).select_related("investor", "platform")
    }
    units = {u.pk: u for u in OrgUnit.objects.only("id", "code", "name", "path", "kind")}
    signed = [e for e in events if e.measure in (SIGNED_AMOUNT, SIGNED_100M)]

    def group(key_of: Any) -> list[dict[str, Any]]:
        rows: dict[str, dict[str, Any]] = {}
        for e in signed:
            keys = key_of(e)
            for key in keys if isinstance(keys, list) else [keys]:
                if key is None:
                    continue
                row = rows.setdefault(key, {"key": key, "amount_wan": Decimal(0), "big": 0, "projects": set()})
                if e.measure == SIGNED_AMOUNT:
                    row["amount_wan"] += e.value
                    row["projects"].add(e.project_id)
                else:
                    row["big"] += 1
        out = sorted(rows.values(), key=lambda r: -r["amount_wan"])
        for r in out:
            r["amount_yi"] = yi(r["amount_wan"])
            r["count"] = len(r.pop("projects"))
        return out

    table = memberships()

    def tags(e: Event) -> list[str]:
        p = projects[e.project_id]  # type: ignore[index]
        found = [t for t in table.tags_of(p.origin, p.tagged_on) if t in ORIGIN_TAGS]
        if p.investor.is_fortune500:
            found.append("世界500强")
        return found

    by_tag = group(tags)
    by_origin = group(lambda e: ORIGIN_NAMES.get(projects[e.project_id].origin, ""))
    by_industry = group(lambda e: str(Industry(projects[e.project_id].industry).label))
    # The province sees its cities; a city (or a county) sees the districts of its city.
    root = getattr(user, "unit", None)
    city_scope = root is not None and root.kind != "province"
    by_city_code = group(lambda e: _area_of(units[e.unit_id], city_scope))
    names = {u.code: u.name for u in units.values()}
    for row in by_city_code:
        row["code"], row["key"] = row["key"], names.get(row["key"], row["key"])

    def platform_name(e: Event) -> str | None:
        platform = projects[e.project_id].platform  # type: ignore[index]
        return platform.name if platform is not None else None

    by_platform = group(platform_name)
    started = sum(1 for e in events if e.measure == STARTED_100M)
    return {
        "year": year,
        "by_tag": by_tag,
        "by_origin": by_origin[:12],
        "by_industry": by_industry,
        "by_city": by_city_code,
        "city_scope": city_scope,
        "map_code": _city_of(root) if city_scope and root is not None else "210000",
        "by_platform": by_platform[:15],
        "signed_total_yi": yi(sum((e.value for e in events if e.measure == SIGNED_AMOUNT), Decimal(0))),
        "signed_big": sum(1 for e in events if e.measure == SIGNED_100M),
        "started_big": started,
        "rates_used": rates.used_text(),
    }


def monthly_trend(user: Any, year: int) -> list[dict[str, Any]]:
    """Per month of `year`: signed 亿元以上 count, signed amount (亿元), started 亿元以上 count."""
    events = ledger_events(months=_year_months(year), unit_q=unit_scope_q(user, prefix="unit__"))
    rows: list[dict[str, Any]] = [
        {"month": m, "signed_big": 0, "amount_wan": Decimal(0), "started_big": 0} for m in range(1, 13)
    ]
    for e in events:
        row = rows[e.on.month - 1]
        if e.measure == SIGNED_100M:
            row["signed_big"] += 1
        elif e.measure == SIGNED_AMOUNT:
            row["amount_wan"] += e.value
        elif e.measure == STARTED_100M:
            row["started_big"] += 1
    for row in rows:
        row["amount_yi"] = yi(row["amount_wan"])
    return rows


def open_leads(user: Any, today: datetime.date | None = None) -> list[dict[str, Any]]:
    """Leads still in the 线索 stage with their timers, the worst first."""
    day = today or clock.today()
    rows: list[dict[str, Any]] = []
    for p in visible_projects(user).filter(stage=Stage.LEAD).order_by("lead_received_on"):
        timers = lead_timers(p, day)
        rows.append({"project": p, "timers": timers, "light": worst_light(timers)})
    order = {"red": 0, "yellow": 1, "green": 2, "grey": 3}
    rows.sort(key=lambda r: order[r["light"]])
    return rows


def derived_figures(user: Any, today: datetime.date | None = None) -> dict[str, Any]:
    """The ledger-derived indicator figures of the user's own unit: this month and year to date."""
    from kaifang.ledgers.derived import ledger_indicators

    day = today or clock.today()
    unit = getattr(user, "unit", None)
    month = day.replace(day=1)
    rows = []
    if unit is not None:
        from kaifang.indicators.models import DataValue

        this_month: dict[int, Decimal] = defaultdict(Decimal)
        year_to_date: dict[int, Decimal] = defaultdict(Decimal)
        for indicator_id, period, value in DataValue.objects.filter(
            indicator__in=ledger_indicators(), unit=unit, period__year=month.year, period__lte=month
        ).values_list("indicator_id", "period", "month_value"):
            year_to_date[indicator_id] += value or 0
            if period == month:
                this_month[indicator_id] += value or 0
        for indicator in ledger_indicators():
            rows.append({"indicator": indicator, "month": this_month[indicator.pk], "ytd": year_to_date[indicator.pk]})
    return {"unit": unit, "month": month, "rows": rows}


from kaifang.ledgers.talent_selectors import talent_breakdowns  # noqa: E402, F401 (re-exported; it reads visible_talents)
