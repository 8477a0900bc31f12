"""Assess 2,844 counties for one month, beside a numpy baseline of the same scoring.

Two measurements, each printing p50/p95 over --repeat runs and the ratio against its baseline:

1. engine: `kaifang.assessment.engine.score` (Decimal, explained points, ranks, grades) on
   synthetic inputs generated in-process, against numpy float64 vectors doing the same arithmetic
   (no explanations). The totals of both are compared (largest difference printed).
2. --db: the whole path on a throwaway database (SQLite file, or PostgreSQL when DATABASE_URL
   points at one): 2,844 units, targets and values of five indicators for June 2018 and June
   2017 are bulk-loaded, then `kaifang.assessment.selectors.assess` gathers (indicator figures,
   task counts, reports, entries) and scores; the baseline is one values query plus numpy.

    .venv/bin/python bench/assess_counties.py [--units 2844] [--repeat 5] [--db]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/assess_counties.py --db
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kaifang.assessment import engine as e  # noqa: E402 (pure Python, no Django needed)

TIME_PROGRESS = Decimal(6) / Decimal(12)
ITEMS = (
    e.Item("fdi", "实际利用外资", e.COMPLETION, Decimal(30), {"cap": "1.2"}, indicator="BX_FDI"),
    e.Item("trade", "进出口增速", e.GROWTH, Decimal(20), {"target_growth": "0.05", "cap": "1.2"}, indicator="BX_TRADE"),
    e.Item("domestic", "引进内资", e.EFFICACY, Decimal(20), indicator="BX_DOM"),
    e.Item("fie", "新设外资企业", e.THRESHOLD, Decimal(10), {"threshold": "3"}, indicator="BX_FIE"),
    e.Item("projects", "签约项目排名", e.RANKING, Decimal(10), {"step": "0.01", "floor": "2"}, indicator="BX_PROJ"),
    e.Item("tasks", "督办任务", e.TASKS, Decimal(5)),
    e.Item("reporting", "报送质量", e.REPORTING, Decimal(5)),
)
SCHEME = e.Scheme("BENCH", "县级考核（基准）", ITEMS)


def synthetic(n: int) -> dict[str, list[Decimal]]:
    rng = random.Random(2844)

    def money(low: float, high: float) -> Decimal:
        return Decimal(str(round(rng.uniform(low, high), 2)))

    target = [money(500, 5000) for _ in range(n)]
    return {
        "target": target,
        "actual": [t * Decimal(str(round(rng.uniform(0.2, 0.75), 3))) for t in target],
        "current": [money(50, 900) for _ in range(n)],
        "base": [money(50, 900) for _ in range(n)],
        "domestic": [money(1, 80) for _ in range(n)],
        "fie": [Decimal(rng.randint(0, 8)) for _ in range(n)],
        "projects": [Decimal(rng.randint(0, 60)) for _ in range(n)],
    }


def unit_data(data: dict[str, list[Decimal]], codes: list[str]) -> list[e.UnitData]:
    tasks = {"due": 0, "closed_on_time": 0, "overdue": 0, "urged": 0, "notices": 0, "failed": 0}
    reports = {"required": 0, "on_time": 0, "returned": 0}
    return [
        e.UnitData(
            code,
            code,
            {
                "fdi": {"actual": data["actual"][i], "target": data["target"][i], "time_progress": TIME_PROGRESS},
                "trade": {"current": data["current"][i], "base": data["base"][i]},
                "domestic": {"value": data["domestic"][i]},
                "fie": {"value": data["fie"][i]},
                "projects": {"value": data["projects"][i]},
                "tasks": tasks,
                "reporting": reports,
            },
        )
        for i, code in enumerate(codes)
    ]


def numpy_totals(a: dict[str, np.ndarray]) -> np.ndarray:
    """The same scoring in float64 vectors: no explanations, no Decimal."""
    r2 = lambda x: np.round(x + 1e-9, 2)  # noqa: E731 (half-up on the 2nd decimal, near enough for a baseline)
    fdi = r2(30 * np.clip(a["actual"] / a["target"] / 0.5, 0, 1.2))
    trade = r2(20 * np.clip((a["current"] / a["base"]) / 1.05, 0, 1.2))
    low, high = a["domestic"].min(), a["domestic"].max()
    domestic = r2(20 * (60 + 40 * (a["domestic"] - low) / (high - low)) / 100)
    fie = np.where(a["fie"] >= 3, 10.0, 0.0)
    ordered = np.sort(a["projects"])
    rank = len(ordered) - np.searchsorted(ordered, a["projects"], side="right") + 1
    projects = r2(np.maximum(10 - (rank - 1) * 0.01, 2))
    return fdi + trade + domestic + fie + projects + 5.0 + 5.0


def as_arrays(data: dict[str, list[Decimal]]) -> dict[str, np.ndarray]:
    return {k: np.array([float(v) for v in values]) for k, values in data.items()}


def timed(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def report(label: str, times: list[float], baseline: list[float]) -> None:
    p50, p95 = statistics.median(times), sorted(times)[max(0, int(len(times) * 0.95) - 1)]
    b50, b95 = statistics.median(baseline), sorted(baseline)[max(0, int(len(baseline) * 0.95) - 1)]
    print(f"{label:<34} p50 {p50 * 1000:8.1f} ms  p95 {p95 * 1000:8.1f} ms")
    print(f"{'  numpy baseline':<34} p50 {b50 * 1000:8.1f} ms  p95 {b95 * 1000:8.1f} ms")
    print(f"{'  ratio (p50)':<34} {p50 / b50:8.1f}×")


def bench_engine(n: int, repeat: int) -> None:
    data = synthetic(n)
    codes = [f"C{i:05d}" for i in range(n)]
    units = unit_data(data, codes)
    times, outcome = timed(lambda: e.score(SCHEME, units), repeat)
    arrays = as_arrays(data)
    base_times, totals = timed(lambda: numpy_totals(arrays), repeat)
    by_code = {u.code: float(u.total) for u in outcome.units}
    worst = max(abs(by_code[c] - totals[i]) for i, c in enumerate(codes))
    print(f"engine only, {n} units × {len(ITEMS)} items (Decimal, every point explained)")
    report("  kaifang engine.score", times, base_times)
    print(f"  largest |engine − numpy| total: {worst:.4f} (float rounding at the 2nd decimal)")


def bench_database(n: int, repeat: int) -> None:
    database, cleanup = _throwaway_database()
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaifang.settings")
    os.environ.setdefault("KAIFANG_DEMO_TODAY", "2018-07-05")
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        scheme, units, period = _load(n)
        from kaifang.assessment.selectors import assess
        from kaifang.indicators.models import DataValue

        times, run = timed(lambda: assess(scheme=scheme, period=period), repeat)

        def baseline() -> np.ndarray:
            rows = DataValue.objects.filter(unit__in=units, period__in=[period, period.replace(year=2017)]).values_list(
                "indicator__code", "unit_id", "period", "ytd_value"
            )
            index = {u.pk: i for i, u in enumerate(units)}
            arrays = {k: np.zeros(len(units)) for k in ("actual", "current", "base", "domestic", "fie", "projects")}
            names = {
                "BX_FDI": "actual",
                "BX_TRADE": "current",
                "BX_DOM": "domestic",
                "BX_FIE": "fie",
                "BX_PROJ": "projects",
            }
            for code, unit_id, day, value in rows:
                key = "base" if day.year == 2017 else names[code]
                arrays[key][index[unit_id]] = float(value)
            from kaifang.indicators.models import Target

            arrays["target"] = np.zeros(len(units))
            for unit_id, annual in Target.objects.filter(unit__in=units, year=2018).values_list("unit_id", "annual"):
                arrays["target"][index[unit_id]] = float(annual)
            return numpy_totals(arrays)

        base_times, totals = timed(baseline, repeat)
        by_code = {u.code: float(u.total) for u in run.outcome.units}
        worst = max(abs(by_code[u.code] - totals[i]) for i, u in enumerate(units))
        from django.db import connection

        print(f"database ({connection.vendor}), {n} units, gather + score for 2018-06")
        report("  kaifang assess()", times, base_times)
        print(f"  largest |kaifang − numpy| total: {worst:.4f}")
        bench_running(scheme, units, period, run, baseline, repeat)
    finally:
        from django.db import connections

        connections.close_all()
        cleanup()


def bench_running(
    scheme: Any, units: list[Any], period: Any, run: Any, baseline: Callable[[], Any], repeat: int
) -> None:
    """Running scores (issue 17 item 3): one unit's running total and rank read from the store while
    nothing changed, and the first read after a save (which scores again: zero lag) — beside numpy
    scoring every unit and ranking them from arrays already in memory."""
    from kaifang.assessment.selectors import running_rank
    from kaifang.core.actors import SystemActor
    from kaifang.indicators.figures import ValueEntry
    from kaifang.indicators.models import DataValue, Indicator
    from kaifang.indicators.services import save_many

    rng = random.Random(17)
    expected = {u.code: (u.total, u.rank) for u in run.outcome.units}
    running_rank(scheme, period, units[0].code)  # the first read stores it
    picks = [rng.choice(units).code for _ in range(max(repeat * 8, 40))]
    times = []
    for code in picks:
        began = time.perf_counter()
        found = running_rank(scheme, period, code)
        times.append(time.perf_counter() - began)
        assert found is not None and (Decimal(found.total), found.rank) == expected[code], (code, found)
    arrays = as_arrays(synthetic(len(units)))  # the same figures, in memory
    index = {u.code: i for i, u in enumerate(units)}

    def numpy_rank(code: str) -> tuple[float, int]:
        totals = numpy_totals(arrays)
        i = index[code]
        return float(totals[i]), int((totals > totals[i]).sum()) + 1

    lookup, _ = timed(lambda: numpy_rank(rng.choice(picks)), len(picks))
    print(f"running score and rank of one unit ({len(picks)} reads, nothing written in between)")
    report("  kaifang running_rank() lookup", times, lookup)
    actor = SystemActor(name="bench")
    fdi = Indicator.objects.get(code="BX_FDI")
    after_write, saves = [], []
    for i in range(max(2, repeat)):
        unit = units[rng.randrange(len(units))]
        version = DataValue.objects.get(indicator=fdi, unit=unit, period=period).version
        began = time.perf_counter()
        save_many(
            actor=actor,
            period=period,
            batches=[(unit, [ValueEntry("BX_FDI", Decimal(100 + i), expected_version=version)])],
            correction="BENCH",  # an approved correction's authority: no write window needed
        )
        saves.append(time.perf_counter() - began)
        began = time.perf_counter()
        found = running_rank(scheme, period, unit.code)
        after_write.append(time.perf_counter() - began)
        assert found is not None
    print("a save of one figure, then the first read (scored again from the data: zero lag)")
    report("  kaifang save_many() of 1 figure", saves, lookup[: len(saves)])
    report("  kaifang running_rank() after it", after_write, lookup[: len(after_write)])


def _load(n: int) -> tuple[Any, list[Any], Any]:
    import datetime

    from kaifang.assessment.models import AssessmentScheme, SchemeItem, SchemeStatus
    from kaifang.indicators.models import DataValue, Indicator, Target
    from kaifang.orgs.models import OrgUnit, UnitGroup

    period, last = datetime.date(2018, 6, 1), datetime.date(2017, 6, 1)
    root = OrgUnit.objects.create(code="BENCH", name="基准省", kind="province", path="/BENCH/", depth=0)
    units = OrgUnit.objects.bulk_create(
        [
            OrgUnit(code=f"B{i:05d}", name=f"县{i:05d}", kind="county", parent=root, path=f"/BENCH/B{i:05d}/", depth=1)
            for i in range(n)
        ]
    )
    group = UnitGroup.objects.create(code="G-BENCH", name="基准县组")
    group.members.set(units)
    indicators = {
        code: Indicator.objects.create(code=code, name=code, unit_of_measure="万元", reported_as="ytd")
        for code in ("BX_FDI", "BX_TRADE", "BX_DOM", "BX_FIE", "BX_PROJ")
    }
    data = synthetic(n)
    values, targets = [], []
    columns = {"BX_FDI": "actual", "BX_TRADE": "current", "BX_DOM": "domestic", "BX_FIE": "fie", "BX_PROJ": "projects"}
    for i, unit in enumerate(units):
        for code, column in columns.items():
            v = data[column][i]
            values.append(DataValue(indicator=indicators[code], unit=unit, period=period, reported=v, ytd_value=v))
        base = data["base"][i]
        values.append(
            DataValue(indicator=indicators["BX_TRADE"], unit=unit, period=last, reported=base, ytd_value=base)
        )
        targets.append(Target(indicator=indicators["BX_FDI"], unit=unit, year=2018, annual=data["target"][i]))
    DataValue.objects.bulk_create(values, batch_size=2000)
    Target.objects.bulk_create(targets, batch_size=2000)
    from kaifang.indicators import rollups

    rollups.rebuild()  # the figures went in around the services: add up the rollups once
    scheme = AssessmentScheme.objects.create(
        code="BENCH", name="县级考核（基准）", year=2018, group=group, status=SchemeStatus.ACTIVE,
        grading={"mode": "thresholds", "bands": [["90", "优秀"], ["80", "良好"], ["60", "一般"]]},
    )  # fmt: skip
    SchemeItem.objects.bulk_create(
        [
            SchemeItem(
                scheme=scheme, code=i.code, name=i.name, kind=i.kind, weight=i.weight, params=dict(i.params),
                indicator=indicators.get(i.indicator), order=order,
            )
            for order, i in enumerate(ITEMS)
        ]
    )  # fmt: skip
    return scheme, units, period


def _throwaway_database() -> tuple[str, Callable[[], None]]:
    """A fresh database (`kaifang.core.testing.create_database`) and the call that removes it."""
    from kaifang.core.testing import create_database, drop_database

    folder = tempfile.TemporaryDirectory(prefix="kaifang-bench-")
    url, name = create_database("bench_assess", Path(folder.name))

    def cleanup() -> None:
        drop_database(name)
        folder.cleanup()

    return url, cleanup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=2844)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", action="store_true", help="also gather from a throwaway database")
    parser.add_argument("--db-only", action="store_true", help="only the database measurement")
    args = parser.parse_args()
    if not args.db_only:
        bench_engine(args.units, args.repeat)
    args.db = args.db or args.db_only
    if args.db:
        bench_database(args.units, args.repeat)


if __name__ == "__main__":
    main()
