"""Talent figures of a year: by level, field, source, city and month, against last year
(split from `kaifang.ledgers.selectors`, which re-exports it)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from kaifang.ledgers.reference import ORIGIN_NAMES, TalentLevel
from kaifang.ledgers.selectors import _city_of, visible_talents
from kaifang.orgs.models import OrgUnit


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
