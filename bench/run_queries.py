"""Time Kaifang's aggregate queries on the data set of bench/national_data.py, beside numpy.

Measured through the application's own selectors (`kaifang.indicators.selectors`: visibility
guard, own-reported-or-sum-of-children per month, YTD, range sum, last year, targets, lights) for
a province-level user, on the database given by DATABASE_URL:

1. one indicator's figure for one unit's subtree (a city; and the province), 2018-01 … 2018-06;
2. ranking all cities of a province by YTD (2018-06);
3. a province dashboard: for 8 indicators, the province figure and every city's figure — read
   through the monthly rollups kept with the figures (`kaifang.indicators.rollups`), and the same
   adding up the children live (SQL aggregates, as before the rollups) for comparison.

The baseline does the same aggregation in memory with numpy on arrays preloaded (untimed) from the
same rows: own figure when reported, otherwise the sum (mean) of the children's, YTD, range sum and
last year's YTD. Prints p50/p95 in ms and the ratio database/numpy (p50).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kf_bench python bench/run_queries.py [--repeat 40]
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PERIOD_FROM = datetime.date(2018, 1, 1)
PERIOD_TO = datetime.date(2018, 6, 1)
LAST_YEAR = datetime.date(2017, 6, 1)
DASHBOARD = 8


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def timed(fn: Callable[[int], Any], repeat: int) -> list[float]:
    fn(0)  # warm-up (connection, plans, caches)
    out = []
    for i in range(repeat):
        began = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - began) * 1000)
    return out


class Baseline:
    """The province's rows for the benchmark indicators as dense numpy arrays (loaded untimed)."""

    def __init__(self, province: Any, indicator_ids: list[int]):
        from kaifang.indicators.models import DataValue
        from kaifang.orgs.models import OrgUnit

        units = list(OrgUnit.objects.filter(path__startswith=province.path).values_list("id", "parent_id", "kind"))
        self.index = {uid: i for i, (uid, _p, _k) in enumerate(units)}
        self.cities = np.array([self.index[u] for u, _p, k in units if k == "city"])
        self.counties = np.array([self.index[u] for u, _p, k in units if k == "county"])
        self.county_parent = np.array([self.index[p] for u, p, k in units if k == "county"])
        self.months = [datetime.date(2017 + i // 12, i % 12 + 1, 1) for i in range(24)]
        month_of = {m: i for i, m in enumerate(self.months)}
        n_units = len(units)
        self.month = {i: np.full((n_units, 24), np.nan) for i in indicator_ids}
        self.ytd = {i: np.full((n_units, 24), np.nan) for i in indicator_ids}
        rows = DataValue.objects.filter(
            indicator_id__in=indicator_ids, unit__path__startswith=province.path
        ).values_list("indicator_id", "unit_id", "period", "month_value", "ytd_value")
        for ind, unit, period, month_value, ytd_value in rows.iterator(chunk_size=20000):
            j = month_of.get(period)
            if j is not None:
                self.month[ind][self.index[unit], j] = float(month_value)
                self.ytd[ind][self.index[unit], j] = float(ytd_value)
        self.to = month_of[PERIOD_TO]
        self.start = month_of[PERIOD_FROM]
        self.last = month_of[LAST_YEAR]

    def city_figures(self, indicator_id: int) -> dict[str, np.ndarray]:
        """Every city: own value when reported, else the sum of its counties (per month)."""
        out = {}
        for name, cube, cols in (
            ("ytd", self.ytd[indicator_id], [self.to]),
            ("last", self.ytd[indicator_id], [self.last]),
            ("range", self.month[indicator_id], list(range(self.start, self.to + 1))),
        ):
            per_month = []
            for j in cols:
                county_values = cube[self.counties, j]
                reported = ~np.isnan(county_values)
                sums = np.bincount(
                    self.county_parent[reported], weights=county_values[reported], minlength=cube.shape[0]
                )
                counts = np.bincount(self.county_parent[reported], minlength=cube.shape[0])
                own = cube[self.cities, j]
                per_month.append(np.where(np.isnan(own), sums[self.cities], own))
                out[f"{name}_count"] = counts[self.cities]
            out[name] = np.sum(per_month, axis=0)
        out["yoy"] = np.where(out["last"] != 0, (out["ytd"] - out["last"]) / np.abs(out["last"]), np.nan)
        return out

    def subtree(self, indicator_id: int, city_position: int | None) -> float:
        figures = self.city_figures(indicator_id)
        if city_position is None:
            return float(figures["ytd"].sum())
        return float(figures["ytd"][city_position])

    def ranking(self, indicator_id: int) -> np.ndarray:
        return np.argsort(-self.city_figures(indicator_id)["ytd"])

    def dashboard(self, indicator_ids: list[int]) -> list[float]:
        return [float(self.city_figures(i)["ytd"].sum()) for i in indicator_ids]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--province", default="", help="省级单位代码（默认：下辖县最多的省）")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("请用 DATABASE_URL 指定 bench/national_data.py 生成的数据库。")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaifang.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count

    from kaifang.accounts.models import Role
    from kaifang.indicators import rollups, selectors
    from kaifang.indicators.models import DataValue, Indicator, MonthRollup
    from kaifang.orgs.models import OrgUnit

    if not rollups.usable() or not MonthRollup.objects.exists():  # figures loaded around the services
        print(f"下级汇总（MonthRollup）未按当前数据建立，重建…（{rollups.rebuild():,} 行）")
    if args.province:
        province = OrgUnit.objects.get(code=args.province)
    else:
        top = (
            OrgUnit.objects.filter(kind="county")
            .values("parent__parent_id")
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()
        )
        province = OrgUnit.objects.get(pk=top["parent__parent_id"])  # type: ignore[index]
    user = SimpleNamespace(
        is_authenticated=True,
        is_active=True,
        role=Role.PROVINCE_SUPERVISOR,
        unit=province,
        pk=None,
        username="bench",
        scope_granted_at=datetime.datetime(2018, 1, 1, tzinfo=datetime.UTC),
    )
    indicators = list(Indicator.objects.filter(code__startswith="BN").order_by("code"))
    cities = list(OrgUnit.objects.filter(parent=province, kind="city").order_by("code"))
    counties = OrgUnit.objects.filter(path__startswith=province.path, kind="county").count()
    values = DataValue.objects.count()
    print(
        f"数据库 {connection.vendor}，指标数据 {values:,} 行；"
        f"测试省 {province.code}（{len(cities)} 市 {counties} 县），"
        f"指标 {len(indicators)} 个，每项重复 {args.repeat} 次。"
    )
    rng = random.Random(7)
    picks = [(rng.choice(indicators), rng.randrange(len(cities))) for _ in range(args.repeat + 1)]
    used = sorted({i.pk for i, _c in picks} | {i.pk for i in indicators[:DASHBOARD]})
    began = time.perf_counter()
    base = Baseline(province, used)
    print(f"numpy 基线数据载入 {time.perf_counter() - began:.1f} 秒（不计入计时）。\n")

    def app_city(i: int) -> Any:
        indicator, c = picks[i]
        return selectors.aggregate(
            user=user, indicator=indicator, unit=cities[c], period_from=PERIOD_FROM, period_to=PERIOD_TO
        )

    def app_province(i: int) -> Any:
        indicator, _c = picks[i]
        return selectors.aggregate(
            user=user, indicator=indicator, unit=province, period_from=PERIOD_FROM, period_to=PERIOD_TO
        )

    def app_ranking(i: int) -> Any:
        return selectors.ranking(user=user, indicator=picks[i][0], group_or_parent=province, period=PERIOD_TO)

    def app_dashboard(i: int) -> Any:
        return selectors.children_figures_many(
            user=user, indicators=indicators[:DASHBOARD], unit=province, period_from=PERIOD_FROM, period_to=PERIOD_TO
        )

    def np_city(i: int) -> Any:
        indicator, c = picks[i]
        return base.subtree(indicator.pk, c)

    def np_province(i: int) -> Any:
        return base.subtree(picks[i][0].pk, None)

    def np_ranking(i: int) -> Any:
        return base.ranking(picks[i][0].pk)

    def np_dashboard(i: int) -> Any:
        return base.dashboard([i.pk for i in indicators[:DASHBOARD]])

    # The two paths agree (sanity check on one pick): the city's YTD.
    _indicator, _c = picks[0]
    app_value = app_city(0).ytd_value
    assert abs(float(app_value) - np_city(0)) < 0.01, (app_value, np_city(0))

    from kaifang.indicators import aggregation

    def live(fn: Callable[[int], Any]) -> Callable[[int], Any]:
        """The same read adding up children live (SQL aggregates), as before the monthly rollups."""

        def run(i: int) -> Any:
            aggregation.usable = lambda: False  # type: ignore[attr-defined]
            try:
                return fn(i)
            finally:
                aggregation.usable = rollups.usable  # type: ignore[attr-defined]

        return run

    rows = [
        ("一个单位（市）子树的一个指标 1-6月", app_city, np_city),
        ("一个单位（省）子树的一个指标 1-6月", app_province, np_province),
        ("全省各市排名（累计）", app_ranking, np_ranking),
        (f"省级看板（{DASHBOARD} 个指标 × 省+各市）", app_dashboard, np_dashboard),
        ("  同上，不用下级汇总（逐次 SQL 汇总）", live(app_dashboard), np_dashboard),
    ]
    print(f"{'查询':<34}{'p50 ms':>9}{'p95 ms':>9}{'numpy p50':>11}{'numpy p95':>11}{'倍数':>8}")
    for label, app_fn, np_fn in rows:
        app_times = timed(app_fn, args.repeat)
        np_times = timed(np_fn, args.repeat)
        a50, a95 = statistics.median(app_times), percentile(app_times, 0.95)
        n50, n95 = statistics.median(np_times), percentile(np_times, 0.95)
        print(f"{label:<34}{a50:>9.1f}{a95:>9.1f}{n50:>11.2f}{n95:>11.2f}{a50 / n50:>8.0f}")


if __name__ == "__main__":
    main()
