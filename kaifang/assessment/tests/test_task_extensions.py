"""The task item counts approved extensions (延期) as its rule text states, from one parameter."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

from kaifang.assessment import engine as e
from kaifang.assessment.inputs import task_counts
from kaifang.orgs.models import OrgUnit
from kaifang.supervision.models import Task


def tasks(due: int, on_time: int, extensions: int = 0) -> dict[str, object]:
    return {
        "due": due,
        "closed_on_time": on_time,
        "overdue": 0,
        "urged": 0,
        "notices": 0,
        "failed": 0,
        "extensions": extensions,
        "sources": [],
    }


def score(params: dict[str, str], data: dict[str, object]) -> e.UnitResult:
    scheme = e.Scheme("X", "任务", (e.Item("t", "督办任务", e.TASKS, D(10), params),))
    return e.score(scheme, [e.UnitData("c", "县", {"t": data})]).units[0]


def test_by_default_extensions_cost_nothing_and_the_rule_text_says_so() -> None:
    item = e.Item("t", "督办任务", e.TASKS, D(10))
    assert "截止日期以批准延期后的时限为准，延期不扣分" in e.describe(item)
    # 2 of 2 due tasks closed on time (one after an approved extension): 10 × 100% = 10.
    assert score({}, tasks(2, 2, extensions=1)).total == D("10.00")


def test_a_per_extension_deduction_is_stated_and_applied() -> None:
    item = e.Item("t", "督办任务", e.TASKS, D(10), {"per_extension": "0.5"})
    assert "到期任务每批准延期一次扣0.5分" in e.describe(item)
    # 10 × 2/2 − 2 extensions × 0.5 = 9.
    result = score({"per_extension": "0.5"}, tasks(2, 2, extensions=2))
    assert result.total == D("9.00") and "−延期2×0.5" in result.item("t").detail


def test_task_counts_add_up_the_extensions_of_the_due_tasks(db: object) -> None:
    province, shenyang = (OrgUnit.objects.get(code=c) for c in ("210000", "210100"))
    for code, deadline, count in (("E1", datetime.date(2018, 5, 31), 2), ("E2", datetime.date(2018, 9, 30), 1)):
        Task.objects.create(
            code=code,
            title=code,
            issuer_unit=province,
            lead_unit=shenyang,
            deadline=deadline,
            original_deadline=datetime.date(2018, 3, 31),
            extension_count=count,
            state="in_progress",
        )
    counts = task_counts([shenyang], datetime.date(2018, 1, 1), datetime.date(2018, 6, 30))[shenyang.pk]
    # Only E1 is due in the window (its approved deadline is 31 May; E2's moved to September).
    assert (counts["due"], counts["extensions"]) == (1, 2)
