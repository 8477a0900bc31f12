"""Generate a national-scale indicator data set into the database given by DATABASE_URL.

31 provinces, 333 cities, 2,844 counties (synthetic codes), 200 indicators and 24 months
(2017-01 … 2018-12): every county reports every indicator; every city reports its own figure for
half of the indicators (the others are summed from its counties): about 14.5 M DataValue rows in
Kaifang's own tables (so `bench/run_queries.py` measures the application's real selectors).

PostgreSQL: rows stream in with COPY (indexes and FK triggers off during the load, rebuilt after,
then ANALYZE). SQLite: batched inserts; use a smaller scale (--indicators, --months).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kf_bench python bench/national_data.py --recreate
    DATABASE_URL=sqlite:///var/bench.sqlite3 python bench/national_data.py --indicators 10 --recreate

Deterministic (seeded). Prints the row count and the time taken.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROVINCES = 31
CITIES = 333
COUNTIES = 2844
SEASON = np.array([0.62, 0.52, 0.95, 0.97, 1.00, 1.10, 1.00, 1.00, 1.04, 0.93, 1.04, 1.43])


def split(total: int, parts: int, rng: np.random.Generator) -> list[int]:
    """`total` items over `parts` holders, each at least one, roughly even with some spread."""
    weights = rng.uniform(0.6, 1.4, parts)
    counts = np.maximum(1, np.floor(weights / weights.sum() * total)).astype(int)
    while counts.sum() < total:
        counts[rng.integers(parts)] += 1
    while counts.sum() > total:
        i = int(np.argmax(counts))
        counts[i] -= 1
    return [int(c) for c in counts]


def recreate_database(url: str) -> None:
    parts = urlparse(url)
    if parts.scheme.startswith("postgres"):
        import psycopg

        name = parts.path.lstrip("/")
        admin = urlunparse(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    elif parts.scheme == "sqlite":
        path = Path(parts.path)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaifang.settings")
    import django

    django.setup()


def build_tree(rng: np.random.Generator) -> dict[str, Any]:
    """OrgUnits: provinces 110000…, cities +c*100, counties +k. Returns ids by level."""
    from kaifang.orgs.models import OrgUnit

    cities_per_province = split(CITIES, PROVINCES, rng)
    counties_per_city = split(COUNTIES, CITIES, rng)
    rows: list[OrgUnit] = []
    plan: list[tuple[str, str | None, str, str]] = []  # code, parent code, kind, name
    city_index = 0
    for p in range(PROVINCES):
        p_code = f"{11 + p:02d}0000"
        plan.append((p_code, None, "province", f"省{p + 1:02d}"))
        for c in range(cities_per_province[p]):
            c_code = f"{11 + p:02d}{c + 1:02d}00"
            plan.append((c_code, p_code, "city", f"省{p + 1:02d}市{c + 1:02d}"))
            for k in range(counties_per_city[city_index]):
                plan.append((f"{11 + p:02d}{c + 1:02d}{k + 1:02d}", c_code, "county", f"市{c_code}县{k + 1:02d}"))
            city_index += 1
    paths: dict[str, str] = {}
    for code, parent, kind, name in plan:
        paths[code] = (paths[parent] if parent else "/") + code + "/"
        rows.append(
            OrgUnit(
                code=code,
                name=name,
                short_name=name,
                kind=kind,
                path=paths[code],
                depth=paths[code].count("/") - 2,
                sort_order=int(code),
            )
        )
    OrgUnit.objects.bulk_create(rows, batch_size=2000)
    ids = dict(OrgUnit.objects.values_list("code", "id"))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE orgs_orgunit SET parent_id = %s WHERE code = %s",
            [(ids[parent], code) for code, parent, _k, _n in plan if parent],
        )
    return {
        "cities": [ids[c] for c, _p, k, _n in plan if k == "city"],
        "counties": [ids[c] for c, _p, k, _n in plan if k == "county"],
    }


def build_indicators(count: int) -> list[tuple[int, str, str]]:
    from kaifang.indicators.models import Indicator

    rows = []
    for i in range(count):
        kind = i % 10
        rows.append(
            Indicator(
                code=f"BN{i + 1:03d}",
                name=f"基准指标{i + 1:03d}",
                unit_of_measure="万元",
                category="基准",
                time_aggregation="stock" if kind == 9 else "flow",
                reported_as="period" if kind == 8 else "ytd",
                unit_aggregation="average" if kind == 9 else "sum",
                sort_order=i,
            )
        )
    Indicator.objects.bulk_create(rows)
    return list(Indicator.objects.filter(code__startswith="BN").values_list("id", "time_aggregation", "reported_as"))


def months_list(count: int) -> list[datetime.date]:
    return [datetime.date(2017 + i // 12, i % 12 + 1, 1) for i in range(count)]


def indicator_block(
    indicator: tuple[int, str, str], units: np.ndarray, months: list[datetime.date], rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(reported, month_value, ytd_value) in cents, shape (units, months); YTD exact per year."""
    _id, time_aggregation, reported_as = indicator
    size = np.round(rng.lognormal(8, 1.0, len(units)) * 100).astype(np.int64)  # cents of an annual total
    month_index = np.array([m.month - 1 for m in months])
    if time_aggregation == "stock":
        level = (size[:, None] * rng.uniform(0.95, 1.05, (len(units), len(months)))).astype(np.int64)
        return level, level, level
    share = SEASON[month_index] / SEASON.sum() * rng.uniform(0.9, 1.1, len(months))
    ytd = _restart_years(size, share, month_index)
    january = month_index == 0
    previous = np.concatenate([np.zeros((len(units), 1), dtype=np.int64), ytd[:, :-1]], axis=1)
    previous[:, january] = 0
    month_value = ytd - previous
    reported = ytd if reported_as == "ytd" else month_value
    return reported, month_value, ytd


def _restart_years(size: np.ndarray, share: np.ndarray, month_index: np.ndarray) -> np.ndarray:
    """YTD cents that restart each January: the running sum of each month's share of the year."""
    out = np.empty((len(size), len(month_index)), dtype=np.int64)
    growth, running = 1.0, 0.0
    for j, m in enumerate(month_index):
        if m == 0:
            running = 0.0
            growth = growth * 1.08 if j else growth
        running += share[j]
        out[:, j] = np.round(size * growth * running).astype(np.int64)
    return out


def cents_text(values: np.ndarray) -> np.ndarray:
    """Integer cents → "123.45" strings (vectorised)."""
    sign = np.where(values < 0, "-", "")
    absolute = np.abs(values)
    whole = (absolute // 100).astype(str)
    frac = np.char.zfill((absolute % 100).astype(str), 2)
    return np.char.add(np.char.add(np.char.add(sign, whole), "."), frac)


def generate(args: argparse.Namespace) -> None:
    from django.db import connection, transaction

    url = os.environ.get("DATABASE_URL", "")
    if args.recreate:
        recreate_database(url)
    setup_django()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    rng = np.random.default_rng(2018)
    from kaifang.orgs.models import OrgUnit

    if OrgUnit.objects.exists():
        sys.exit("数据库中已有组织机构；请加 --recreate 重建一个空库。")
    tree = build_tree(rng)
    indicators = build_indicators(args.indicators)
    months = months_list(args.months)
    period_text = np.array([m.isoformat() for m in months])
    counties = np.array(tree["counties"])
    cities = np.array(tree["cities"])
    print(
        f"组织机构 {PROVINCES} 省 / {len(cities)} 市 / {len(counties)} 县，指标 {len(indicators)} 个，"
        f"月份 {len(months)} 个（{months[0]:%Y-%m}—{months[-1]:%Y-%m}）"
    )
    total = 0
    postgres = connection.vendor == "postgresql"
    now = "2018-07-05 09:00:00+08"
    if postgres:
        saved = _drop_indexes()
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("SET session_replication_role = replica")  # no FK triggers during the load
            cursor.execute("SET synchronous_commit = off")
        for n, indicator in enumerate(indicators):
            units = np.concatenate([counties, cities]) if n % 2 == 0 else counties
            reported, month_value, ytd = indicator_block(indicator, units, months, rng)
            unit_col = np.repeat(units.astype(str), len(months))
            period_col = np.tile(period_text, len(units))
            columns = [cents_text(a.ravel()) for a in (reported, month_value, ytd)]
            prefix = f"{indicator[0]}\t"
            if postgres:
                lines = np.char.add(
                    np.char.add(np.char.add(np.char.add(prefix, unit_col), "\t"), period_col),
                    np.char.add(
                        np.char.add(np.char.add("\t", columns[0]), np.char.add("\t", columns[1])),
                        np.char.add("\t", columns[2]),
                    ),
                )
                buffer = "\t\t1\t" + now + "\n"
                text = (buffer.join(lines.tolist()) + buffer).encode()
                with cursor.copy(
                    "COPY indicators_datavalue (indicator_id, unit_id, period, reported, month_value, ytd_value,"
                    " comment, version, updated_at) FROM STDIN"
                ) as copy:
                    for start in range(0, len(text), 1 << 24):
                        copy.write(text[start : start + (1 << 24)])
            else:
                rows = list(
                    zip(
                        [indicator[0]] * len(unit_col),
                        unit_col.tolist(),
                        period_col.tolist(),
                        *(c.tolist() for c in columns),
                        strict=True,
                    )
                )
                with transaction.atomic():  # one transaction per indicator (autocommit would sync every row)
                    cursor.executemany(
                        "INSERT INTO indicators_datavalue (indicator_id, unit_id, period, reported, month_value,"
                        " ytd_value, comment, version, updated_at) VALUES (%s, %s, %s, %s, %s, %s, '', 1, %s)",
                        [(*r, now) for r in rows],
                    )
            total += len(unit_col)
            if (n + 1) % 20 == 0 or n + 1 == len(indicators):
                print(
                    f"  {n + 1}/{len(indicators)} 个指标，{total:,} 行，{time.perf_counter() - started:.0f} 秒",
                    flush=True,
                )
        if postgres:
            cursor.execute("SET session_replication_role = origin")
    if postgres:
        print("重建索引…", flush=True)
        _restore_indexes(saved)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE indicators_datavalue")
            cursor.execute("ANALYZE orgs_orgunit")
    from kaifang.indicators import rollups

    began = time.perf_counter()
    count = rollups.rebuild()  # the figures went in around the services: add up the monthly rollups once
    print(f"下级汇总 {count:,} 行，{time.perf_counter() - began:.0f} 秒。")
    print(f"完成：{total:,} 条指标数据，用时 {time.perf_counter() - started:.0f} 秒。")


def _drop_indexes() -> list[str]:
    """Drop the value table's secondary indexes and unique constraint; return how to rebuild them."""
    from django.db import connection

    statements: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'indicators_datavalue'::regclass AND contype = 'u'"
        )
        for name, definition in cursor.fetchall():
            statements.append(f'ALTER TABLE indicators_datavalue ADD CONSTRAINT "{name}" {definition}')
            cursor.execute(f'ALTER TABLE indicators_datavalue DROP CONSTRAINT "{name}"')
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'indicators_datavalue' "
            "AND indexname NOT LIKE '%pkey'"
        )
        for name, definition in cursor.fetchall():
            statements.append(definition)
            cursor.execute(f'DROP INDEX "{name}"')
    return statements


def _restore_indexes(statements: list[str]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for statement in statements:
            began = time.perf_counter()
            cursor.execute(statement)
            print(f"  {statement[:90]}… {time.perf_counter() - began:.0f} 秒", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--recreate", action="store_true", help="先删除并重建目标数据库（DATABASE_URL）")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("请用 DATABASE_URL 指定基准测试用的数据库（不要指向正式库）。")
    generate(args)


if __name__ == "__main__":
    main()
