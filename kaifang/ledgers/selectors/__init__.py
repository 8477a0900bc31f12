"""Reads of the ledgers, always through the visibility guard; the pipeline statistics.

Every figure here applies the counting rules of `kaifang.ledgers.counting` through
`ledger_events`: counts by origin, industry, city and platform are made of the same events as the
derived indicators, restricted to the units the user may see.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from kaifang.core import clock
from kaifang.core.listing import Filter, Listing, ListSpec, Sort
from kaifang.indicators.selectors import stored_figures
from kaifang.ledgers.counting import SIGNED_100M, SIGNED_AMOUNT, STARTED_100M, Event, ledger_events
from kaifang.ledgers.models import InvestmentProject, InvestmentProjectQuerySet, TalentRecord
from kaifang.ledgers.money import Rates, yi
from kaifang.ledgers.reference import (
    ORIGIN_NAMES,
    ORIGIN_TAGS,
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


# --- Pipeline ---------------------------------------------------------------------------------------


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


# --- Talents ---------------------------------------------------------------------------------------


def talent_breakdowns(user: Any, year: int) -> dict[str, Any]:
    qs = visible_talents(user).filter(introduced_on__year=year)
    by_level: dict[str, int] = defaultdict(int)
    by_field: dict[str, int] = defaultdict(int)
    by_source: dict[str, int] = defaultdict(int)
    by_city: dict[str, int] = defaultdict(int)
    by_month = [0] * 12
    units = {u.pk: u for u in OrgUnit.objects.only("id", "code", "name", "path")}
    codes = {u.code: u.name for u in units.values()}
    root = getattr(user, "unit", None)
    by_unit = root is not None and root.kind != "province"  # a city sees its districts, not one city row
    total = 0
    for t in qs:
        n = t.headcount
        total += n
        by_level[str(TalentLevel(t.level).label)] += n
        by_field[t.field] += n
        by_source[ORIGIN_NAMES.get(t.source_region, t.source_region)] += n
        by_city[units[t.unit_id].name if by_unit else codes.get(_city_of(units[t.unit_id]), "")] += n
        by_month[t.introduced_on.month - 1] += n

    def ranked(d: dict[str, int]) -> list[tuple[str, int]]:
        return sorted(d.items(), key=lambda kv: -kv[1])

    previous = [0] * 12
    for day, n in visible_talents(user).filter(introduced_on__year=year - 1).values_list("introduced_on", "headcount"):
        previous[day.month - 1] += n
    months_done = max((i + 1 for i, v in enumerate(by_month) if v), default=0)
    same_period_last_year = sum(previous[:months_done])

    return {
        "year": year,
        "total": total,
        "records": qs.count(),
        "by_level": ranked(by_level),
        "by_field": ranked(by_field)[:10],
        "by_source": ranked(by_source)[:10],
        "by_city": ranked(by_city),
        "by_unit": by_unit,
        "by_month": by_month,
        "by_month_previous": previous,
        "months_done": months_done,
        "same_period_last_year": same_period_last_year,
        "growth": (
            f"{(total - same_period_last_year) / same_period_last_year:+.1%}" if same_period_last_year else "不可比"
        ),
    }


def derived_figures(user: Any, today: datetime.date | None = None) -> dict[str, Any]:
    """The ledger-derived indicator figures of the user's own unit: this month and year to date."""
    from kaifang.ledgers.derived import ledger_indicators

    day = today or clock.today()
    unit = getattr(user, "unit", None)
    month = day.replace(day=1)
    rows = []
    if unit is not None:
        this_month: dict[int, Decimal] = defaultdict(Decimal)
        year_to_date: dict[int, Decimal] = defaultdict(Decimal)
        months = [month.replace(month=m) for m in range(1, month.month + 1)]
        for f in stored_figures(indicators=ledger_indicators(), units=[unit], periods=months):
            year_to_date[f.indicator_id] += f.month_value or 0
            if f.period == month:
                this_month[f.indicator_id] += f.month_value or 0
        for indicator in ledger_indicators():
            rows.append({"indicator": indicator, "month": this_month[indicator.pk], "ytd": year_to_date[indicator.pk]})
    return {"unit": unit, "month": month, "rows": rows}


# Moved to `kaifang.ledgers.selectors.pipeline`; imported at the end because it reads names defined above.
from kaifang.ledgers.selectors.pipeline import StageColumn as StageColumn  # noqa: E402
from kaifang.ledgers.selectors.pipeline import days_in_current_stage as days_in_current_stage  # noqa: E402
from kaifang.ledgers.selectors.pipeline import pipeline as pipeline  # noqa: E402
from kaifang.ledgers.selectors.pipeline import reached_counts as reached_counts  # noqa: E402
from kaifang.ledgers.selectors.pipeline import stage_durations as stage_durations  # noqa: E402
