"""批量审核 of 100 submissions in one request, and the queue page that shows them.

A throwaway database (SQLite file, or PostgreSQL when DATABASE_URL points at one) gets the
Liaoning org tree, --units extra counties under 沈阳, a catalogue of --indicators indicators and a
June round; every county's figures are saved and submitted (as a system actor). Printed, each
over --repeat runs (p50/p95):

1. the approval queue's data (`kaifang.reporting.selectors.queue.queue_rows`: figures against last
   month and last year, warnings, completeness) for the city officer;
2. 批量审核 of all --units submissions (`kaifang.reporting.services.batches.batch_transition`: one
   transaction, every unit through the transition table, audit, windows and notices), then
   un-approved and resubmitted (not timed) for the next run;
3. the same batch refused because one unit is stale (all or nothing: nothing applied).

    .venv/bin/python bench/batch_approval.py [--units 100] [--indicators 11] [--repeat 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/batch_approval.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(label: str, samples: list[float], n: int) -> None:
    p50, p95 = statistics.median(samples), pct(samples, 0.95)
    print(f"{label:<44} p50 {p50 * 1000:8.0f} ms  p95 {p95 * 1000:8.0f} ms  {n / p50:>8,.0f} submissions/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--indicators", type=int, default=11)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from kaifang.core.testing import create_database, drop_database

    url, name = create_database("bench_batch", Path(tempfile.mkdtemp(prefix="kaifang-bench-batch-")))
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
        from django.db import connections

        connections.close_all()
        drop_database(name)


def run(args: argparse.Namespace) -> None:
    import datetime
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from kaifang.accounts.demo import load_personas
    from kaifang.accounts.models import User
    from kaifang.core.actors import SystemActor
    from kaifang.core.context import change_context
    from kaifang.indicators.figures import ValueEntry
    from kaifang.indicators.models import Indicator
    from kaifang.orgs.demo import load_org_tree
    from kaifang.orgs.models import OrgUnit, UnitKind
    from kaifang.orgs.services import upsert_unit
    from kaifang.reporting.models import Submission, SubmissionStatus
    from kaifang.reporting.selectors.queue import queue_rows
    from kaifang.reporting.services import open_round, save_submission_values, transition
    from kaifang.reporting.services.batches import BatchItem, batch_transition

    system = SystemActor(name="bench")
    call_command("migrate", verbosity=0)
    with change_context(channel="system"):
        load_org_tree(actor=system)
        load_personas(password="Bench-2018!open-x")
    city_officer = User.objects.select_related("unit").get(username="shenyang")
    shenyang = OrgUnit.objects.get(code="210100")
    counties = [
        upsert_unit(actor=system, code=f"2101B{k:03d}", name=f"基准县{k:03d}", kind=UnitKind.COUNTY, parent=shenyang)[0]
        for k in range(args.units)
    ]
    indicators = [
        Indicator.objects.create(code=f"BQ{i:03d}", name=f"基准指标{i:03d}", unit_of_measure="万元", sort_order=i)
        for i in range(args.indicators)
    ]
    tz = timezone.get_default_timezone()
    june = datetime.date(2018, 6, 1)
    round_ = open_round(
        actor=system,
        period=june,
        name="基准批次",
        indicators=indicators,
        units=counties,
        opens_at=datetime.datetime(2018, 6, 1, tzinfo=tz),
        deadline=datetime.datetime(2099, 7, 10, tzinfo=tz),
    )
    subs = list(Submission.objects.filter(round=round_).select_related("unit", "round").order_by("unit__code"))
    with change_context(channel="system"):
        for k, sub in enumerate(subs):
            entries = [ValueEntry(i.code, Decimal(100 + k + j), "", None) for j, i in enumerate(indicators)]
            save_submission_values(actor=system, submission=sub, entries=entries)
            transition(actor=system, submission=sub, action="submit")
    n = len(subs)
    db = "PostgreSQL" if "postgres" in os.environ["DATABASE_URL"] else "SQLite"
    print(f"{db}: {n} submissions × {len(indicators)} indicators, reviewed by 沈阳市 ({city_officer.username})")

    samples = []
    for _ in range(args.repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            rows = queue_rows(city_officer, round_)
            samples.append(time.perf_counter() - start)
        assert len(rows) == n and all(r.filled == len(indicators) for r in rows)
    report(f"queue data ({len(queries)} queries)", samples, n)

    approve, refused = [], []
    for _ in range(args.repeat):
        versions = dict(Submission.objects.filter(round=round_).values_list("unit__code", "version"))
        items = [BatchItem(code, versions[code]) for code in sorted(versions)]
        stale = [*items[:-1], BatchItem(items[-1].unit, items[-1].expected_version - 1)]  # type: ignore[operator]
        start = time.perf_counter()
        outcome = batch_transition(actor=city_officer, round_=round_, action="approve", items=stale)
        refused.append(time.perf_counter() - start)
        assert not outcome.applied and len(outcome.refused) == 1
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            outcome = batch_transition(actor=city_officer, round_=round_, action="approve", items=items)
            approve.append(time.perf_counter() - start)
        assert outcome.applied and all(r.applied for r in outcome.results)
        assert Submission.objects.filter(round=round_, status=SubmissionStatus.APPROVED).count() == n
        for sub in Submission.objects.filter(round=round_).select_related("unit", "round"):  # not timed
            transition(actor=system, submission=sub, action="unapprove", reason="bench")
            transition(actor=system, submission=sub, action="submit")
    report(f"批量审核 {n} ({len(queries)} queries)", approve, n)
    report(f"批量审核 {n}, one stale: refused, nothing applied", refused, n)


if __name__ == "__main__":
    main()
