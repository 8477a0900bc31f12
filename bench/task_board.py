"""The supervision board and the reminder job over many tasks, on a throwaway database.

Loads the org tree and --tasks synthetic open tasks (spread over every city, county and
department, each with a milestone and one or two monthly reports), then measures, each as
p50/p95 over --repeat runs with the ratio against its baseline in the same process:

1. board rows: `task_rows(task_queryset().visible_to(province supervisor))` + `board_summary`
   (every light derived, with its reasons), against the I/O floor: the same four queries as
   plain `values_list` tuples with no light computed;
2. the reminder job run again after a first run (everything deduplicated, so no writes), against
   the same I/O floor.

    .venv/bin/python bench/task_board.py [--tasks 2000] [--repeat 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/task_board.py
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = datetime.date(2018, 7, 5)


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
    print(f"{label:<40} p50 {p50 * 1000:8.1f} ms  p95 {p95 * 1000:8.1f} ms")
    print(f"{'  baseline (4 plain queries, no lights)':<40} p50 {b50 * 1000:8.1f} ms  p95 {b95 * 1000:8.1f} ms")
    print(f"{'  ratio (p50)':<40} {p50 / b50:8.1f}×")


def load(n: int) -> Any:
    from kaifang.accounts.demo import load_personas
    from kaifang.core.actors import SystemActor
    from kaifang.core.context import change_context
    from kaifang.orgs.demo import load_org_tree
    from kaifang.orgs.models import OrgUnit, UnitKind
    from kaifang.supervision.models import Milestone, ProgressReport, Task, TaskState

    with change_context(channel="system"):
        load_org_tree(actor=SystemActor("bench"))
        users = load_personas()
    rng = random.Random(2018)
    province = OrgUnit.objects.get(kind=UnitKind.PROVINCE)
    units = list(OrgUnit.objects.exclude(kind=UnitKind.PROVINCE))
    states = [TaskState.ISSUED, TaskState.ACKNOWLEDGED, TaskState.IN_PROGRESS, TaskState.RETURNED]
    Task.objects.bulk_create(
        Task(
            code=f"B-{i:05d}",
            title=f"基准事项{i}",
            issuer_unit=province,
            lead_unit=rng.choice(units),
            deadline=TODAY + datetime.timedelta(days=rng.randint(-20, 180)),
            state=rng.choice(states),
            issued_on=datetime.date(2018, 4, 27),
            report_day=25,
            progress=rng.randint(0, 90),
        )
        for i in range(n)
    )
    tasks = list(Task.objects.all())
    Milestone.objects.bulk_create(
        Milestone(task=t, title="阶段节点", due_date=TODAY + datetime.timedelta(days=rng.randint(-10, 60)))
        for t in tasks
    )
    ProgressReport.objects.bulk_create(
        ProgressReport(
            task=t, unit=t.lead_unit, period=p, text="进展", percent=t.progress, reported_on=p.replace(day=20)
        )
        for t in tasks
        for p in (datetime.date(2018, 5, 1), datetime.date(2018, 6, 1))[: rng.randint(1, 2)]
    )
    return users["province"]


def floor_queries() -> int:
    from kaifang.supervision.models import Milestone, ProgressReport, Task

    rows = list(Task.objects.values_list("pk", "state", "deadline", "issued_on", "progress", "lead_unit__name"))
    ids = [r[0] for r in rows]
    ms = list(Milestone.objects.filter(task_id__in=ids).values_list("task_id", "due_date", "done"))
    rp = list(ProgressReport.objects.filter(task_id__in=ids).values_list("task_id", "period"))
    kids = list(Task.objects.filter(parent_id__in=ids).values_list("parent_id", "progress"))
    return len(rows) + len(ms) + len(rp) + len(kids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-unpaged", action="store_true", help="不测未分页的旧看板（万条时很慢）")
    args = parser.parse_args()
    database, cleanup = _throwaway_database()
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaifang.settings")
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        user = load(args.tasks)
        from django.db import connection

        from kaifang.supervision.jobs import send_task_reminders
        from kaifang.supervision.selectors import board_summary, task_queryset, task_rows

        def board() -> dict[str, Any]:
            rows = task_rows(task_queryset().visible_to(user).order_by("deadline", "code"), today=TODAY)
            return board_summary(rows)

        from django.http import QueryDict

        from kaifang.supervision import board as paged_board
        from kaifang.supervision.selectors import TASK_LIST

        pages = max(1, args.tasks // 50)

        def board_page(number: int) -> dict[str, Any]:
            listing = TASK_LIST.read(QueryDict(f"size=50&page={number}"), user=user)
            result = paged_board.board(user, listing, today=TODAY)
            assert len(result.page) == min(50, args.tasks)
            return result.summary

        base_times, _ = timed(floor_queries, args.repeat)
        print(f"database ({connection.vendor}), {args.tasks} open tasks")
        times, paged_summary = timed(lambda: board_page(random.randint(1, pages)), args.repeat)
        report("  board page of 50 + summary counts (red first)", times, base_times)
        if not args.skip_unpaged:
            times, summary = timed(board, args.repeat)
            assert summary["by_light"] == paged_summary["by_light"]
            report("  unpaged: every row + summary (before issue 17)", times, base_times)
        print(f"  lights: {paged_summary['by_light']}")
        if "by_overdue" in paged_summary:  # per-step overdue states (签收/反馈/办结/复核逾期)
            print(f"  overdue steps: { {key: n for key, _label, n in paged_summary['by_overdue']} }")
        first = send_task_reminders(today=TODAY)
        print(f"  reminder job, first run: {first}")
        times, again = timed(lambda: send_task_reminders(today=TODAY), args.repeat)
        report("  reminder job, repeated (all deduplicated)", times, base_times)
        print(f"  repeated run created: {again}")
    finally:
        from django.db import connections

        connections.close_all()
        cleanup()


def _throwaway_database() -> tuple[str, Callable[[], None]]:
    """A fresh database (`kaifang.core.testing.create_database`) and the call that removes it."""
    from kaifang.core.testing import create_database, drop_database

    folder = tempfile.TemporaryDirectory(prefix="kaifang-bench-")
    url, name = create_database("bench_tasks", Path(folder.name))

    def cleanup() -> None:
        drop_database(name)
        folder.cleanup()

    return url, cleanup


if __name__ == "__main__":
    main()
