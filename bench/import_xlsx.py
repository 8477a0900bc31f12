"""Import a ~100 k-cell round workbook: the safe read, the dry run and the apply, in cells per second.

A throwaway database (SQLite file, or PostgreSQL when DATABASE_URL points at one) gets the
Liaoning org tree, a catalogue of --indicators indicators and a round for every city and county;
a filled template (one row per unit × indicator, nine columns) is generated with xlsxwriter.
Printed, each over --repeat runs (p50/p95):

1. read: `kaifang.core.spreadsheets.read_workbook` (all the checks before parsing, then
   python-calamine) beside the openpyxl read-only baseline reading the same cells;
2. dry run: `kaifang.reporting.excel.check_workbook` (scope, catalogue, figures, validation
   rules, version capture) — nothing written;
3. upload: `kaifang.reporting.services.imports.upload_workbook` as the import page runs it (read, dry run,
   the preview stored on the batch);
4. apply: `kaifang.reporting.excel.apply_plan` (all units in one transaction through
   `save_submissions_values` → `save_many`: history, exact YTDs, one audit event per unit), with
   a new figure in every cell each run, so every run changes all 11,400 figures;
5. the whole import: upload + apply, which is what the 50 k cells/s target is about;
6. the dry run over stored figures: every cell changed, so the check lists every change old → new
   (with the warnings of its row) and compares each row's template version (column J, as the
   downloaded template carries it) with the stored one — the listing the import page shows;
7. the same with every row stale (the file's versions older than the stored ones): every row is
   flagged with why, and the apply is refused until each is confirmed.

    .venv/bin/python bench/import_xlsx.py [--indicators 100] [--repeat 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/import_xlsx.py
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_database() -> tuple[str, Callable[[], None]]:
    """A fresh database (`kaifang.core.testing.create_database`) and the call that removes it."""
    from kaifang.core.testing import create_database, drop_database

    folder = tempfile.mkdtemp(prefix="kaifang-bench-import-")
    url, name = create_database("bench_import", Path(folder))

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        drop_database(name)

    return url, drop


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    samples, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return samples, result


def report(label: str, samples: list[float], cells: int, baseline: list[float] | None = None) -> None:
    p50, p95 = statistics.median(samples), pct(samples, 0.95)
    line = f"{label:<34} p50 {p50 * 1000:8.0f} ms  p95 {p95 * 1000:8.0f} ms  {cells / p50:>10,.0f} cells/s"
    if baseline:
        line += f"  ratio to baseline {p50 / statistics.median(baseline):.2f}×"
    print(line)


def filled_workbook(rows: list[list[Any]], round_id: int) -> bytes:
    from kaifang.core.spreadsheets import Column, SheetSpec, write_workbook
    from kaifang.reporting.excel import HEADERS, INFO_SHEET, SHEET, VERSION_HEADER

    columns = [Column(h, number=h in ("上年同期", "本期数值"), locked=h != "本期数值") for h in HEADERS]
    columns.append(Column(VERSION_HEADER, locked=True, number=True, decimals=0, hidden=True))
    info = SheetSpec(INFO_SHEET, [Column("项目"), Column("内容")], [["批次编号", str(round_id)]])
    return write_workbook([SheetSpec(SHEET, columns, rows, protect=True), info])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--indicators", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    url, drop = setup_database()
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="kaifang.settings",
        KAIFANG_TASKS_BACKEND="django.tasks.backends.immediate.ImmediateBackend",
    )
    import django

    django.setup()
    try:
        run(args)
    finally:
        drop()


def run(args: argparse.Namespace) -> None:
    import datetime
    from decimal import Decimal

    import openpyxl
    from django.core.management import call_command
    from django.utils import timezone

    from kaifang.accounts.demo import load_personas
    from kaifang.accounts.models import User
    from kaifang.core.actors import SystemActor
    from kaifang.core.context import change_context
    from kaifang.core.spreadsheets import read_workbook
    from kaifang.indicators.models import DataValue, Indicator
    from kaifang.orgs.demo import load_org_tree
    from kaifang.orgs.models import OrgUnit, UnitKind
    from kaifang.reporting.excel import apply_plan, check_workbook
    from kaifang.reporting.services import open_round
    from kaifang.reporting.services.imports import upload_workbook

    call_command("migrate", verbosity=0)
    with change_context(channel="system"):
        load_org_tree(actor=SystemActor("bench"))
        load_personas(password="Bench-2018!open-x")
    province = User.objects.select_related("unit").get(username="province")
    indicators = [
        Indicator.objects.create(code=f"BX{i:03d}", name=f"基准指标{i:03d}", unit_of_measure="万元", sort_order=i)
        for i in range(args.indicators)
    ]
    june = datetime.date(2018, 6, 1)
    units = list(OrgUnit.objects.filter(kind__in=[UnitKind.CITY, UnitKind.COUNTY]).current(june).order_by("path"))
    tz = timezone.get_default_timezone()
    round_ = open_round(
        actor=SystemActor(name="bench"),
        period=june,
        name="基准批次",
        indicators=indicators,
        units=units,
        opens_at=datetime.datetime(2018, 7, 1, tzinfo=tz),
        deadline=datetime.datetime(2018, 7, 10, tzinfo=tz),
    )

    def rows(offset: int, lag: int = 0) -> list[list[Any]]:
        """Every figure new; column J the version stored now (as a fresh template has it), minus `lag`."""
        versions = {(u, i): v for u, i, v in DataValue.objects.values_list("unit__code", "indicator__code", "version")}
        out = []
        for u in units:
            for k, i in enumerate(indicators):
                seen = versions.get((u.code, i.code))
                seen = None if seen is None else seen - lag
                out.append(
                    [
                        u.code,
                        u.name,
                        i.code,
                        i.name,
                        "万元",
                        "累计值",
                        None,
                        Decimal(1000 + 7 * k + offset) / 100,
                        "",
                        seen,
                    ]
                )
        return out

    data = filled_workbook(rows(0), round_.pk)
    cells = len(units) * len(indicators) * 10
    db = "PostgreSQL" if "postgres" in os.environ["DATABASE_URL"] else "SQLite"
    print(
        f"{db}: {len(units)} units × {len(indicators)} indicators = {len(units) * len(indicators):,} rows, "
        f"{cells:,} cells, {len(data) / 1048576:.1f} MB"
    )

    def openpyxl_read() -> int:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        n = sum(1 for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for _ in row)
        book.close()
        return n

    base, _ = timed(openpyxl_read, args.repeat)
    ours, _ = timed(lambda: read_workbook(data, filename="bench.xlsx", max_cells=300_000), args.repeat)
    report("openpyxl read-only (baseline)", base, cells)
    report("read_workbook (checks + calamine)", ours, cells, base)

    dry, plan = timed(lambda: check_workbook(user=province, round_=round_, data=data, filename="bench.xlsx"),
                      args.repeat)  # fmt: skip
    assert not plan.problems, plan.problems[:3]
    report("dry run (check_workbook)", dry, cells, base)

    uploads, applies, totals = [], [], []
    for n in range(args.repeat):
        payload = filled_workbook(rows(n + 1), round_.pk)
        with change_context(channel="import"):
            start = time.perf_counter()
            batch = upload_workbook(user=province, round_=round_, data=payload, filename="bench.xlsx", run_now=True)
            checked = time.perf_counter()
            apply_plan(user=province, batch=batch)
            done = time.perf_counter()
        uploads.append(checked - start)
        applies.append(done - checked)
        totals.append(done - start)
    report("upload (read, check, save preview)", uploads, cells, base)
    report("apply (apply_plan, one transaction)", applies, cells, base)
    report("whole import (upload + apply)", totals, cells, base)
    print(f"values stored: {DataValue.objects.count():,}")

    from kaifang.reporting.excel_apply import check_confirmed

    changed = filled_workbook(rows(500), round_.pk)
    listing, plan = timed(
        lambda: check_workbook(user=province, round_=round_, data=changed, filename="bench.xlsx"), args.repeat
    )
    assert not plan.problems and len(plan.listing) == len(units) * len(indicators), len(plan.listing)
    assert all(c["old"] is not None and not c["stale"] for c in plan.listing)
    report("dry run, old → new listing", listing, cells, base)
    print(f"  {len(plan.listing):,} changes listed old → new, e.g. {plan.listing[0]['old']} → {plan.listing[0]['new']}")
    stale_file = filled_workbook(rows(600, lag=1), round_.pk)
    stale, plan = timed(
        lambda: check_workbook(user=province, round_=round_, data=stale_file, filename="bench.xlsx"), args.repeat
    )
    assert len(plan.as_json()["stale"]) == len(units) * len(indicators)
    report("dry run, every row stale", stale, cells, base)
    with change_context(channel="import"):
        batch = upload_workbook(user=province, round_=round_, data=stale_file, filename="stale.xlsx", run_now=True)
    try:
        check_confirmed(batch, [])
    except Exception as exc:  # refused: every stale row must be confirmed
        print(f"  apply refused until confirmed: {str(exc)[:90]}…")
    start = time.perf_counter()
    check_confirmed(batch, batch.plan["stale"])
    with change_context(channel="import"):
        batch.plan = {**batch.plan, "confirmed": batch.plan["stale"]}
        batch.save(update_fields=["plan"])
        apply_plan(user=province, batch=batch)
    print(f"  apply with every stale row confirmed: {(time.perf_counter() - start) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
