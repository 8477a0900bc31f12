"""The batched task counts agree with supervision's own per-unit task_performance."""

from __future__ import annotations

import datetime

from kaifang.assessment.inputs import task_counts
from kaifang.orgs.models import OrgUnit
from kaifang.supervision.models import ActionKind, SupervisionAction, Task, TaskTransition
from kaifang.supervision.selectors import task_performance

D = datetime.date


def test_batched_task_counts_equal_task_performance(db):
    province, shenyang, dalian = (OrgUnit.objects.get(code=c) for c in ("210000", "210100", "210200"))
    rows = [
        ("T1", shenyang, D(2018, 3, 31), "closed", D(2018, 3, 30)),  # closed on time
        ("T2", shenyang, D(2018, 4, 30), "closed", D(2018, 5, 3)),  # claimed late → overdue
        ("T3", shenyang, D(2018, 5, 31), "in_progress", None),  # past its deadline → overdue
        ("T4", dalian, D(2018, 6, 30), "completion_claimed", D(2018, 6, 20)),  # on time, not yet closed
        ("T5", dalian, D(2018, 9, 30), "in_progress", None),  # not due in the window
        ("T6", dalian, D(2018, 2, 28), "draft", None),  # never issued
    ]
    tasks = {
        code: Task.objects.create(
            code=code, title=code, issuer_unit=province, lead_unit=lead, deadline=deadline, state=state,
            claimed_on=claimed,
        )
        for code, lead, deadline, state, claimed in rows
    }  # fmt: skip
    SupervisionAction.objects.create(
        task=tasks["T3"], unit=shenyang, kind=ActionKind.URGE, message="催", on=D(2018, 6, 2)
    )
    SupervisionAction.objects.create(
        task=tasks["T3"], unit=shenyang, kind=ActionKind.NOTICE, message="督", on=D(2018, 6, 9)
    )
    SupervisionAction.objects.create(
        task=tasks["T5"], unit=dalian, kind=ActionKind.URGE, message="催", on=D(2018, 7, 9)
    )
    TaskTransition.objects.create(
        task=tasks["T4"], action="return", from_state="completion_claimed", to_state="in_progress", on=D(2018, 6, 10)
    )
    start, end = D(2018, 1, 1), D(2018, 6, 30)
    batched = task_counts([shenyang, dalian], start, end)
    for unit in (shenyang, dalian):
        expected = task_performance(unit=unit, start=start, end=end)
        got = batched[unit.pk]
        assert (got["due"], got["closed_on_time"], got["overdue"], got["urged"], got["notices"], got["failed"]) == (
            expected["tasks_led"],
            expected["closed_on_time"],
            expected["overdue"],
            expected["urged"],
            expected["notices"],
            expected["returned"],
        )
    assert batched[shenyang.pk]["due"] == 3 and batched[shenyang.pk]["overdue"] == 2
    assert [s["code"] for s in batched[shenyang.pk]["sources"]] == ["T1", "T2", "T3"]


def test_reporting_quality_counts_rounds_due_on_time_late_and_returns(db):
    from django.utils import timezone

    from kaifang.assessment.inputs import _reporting_inputs, unit_filter
    from kaifang.reporting.models import ReportingRound, Submission, SubmissionEvent

    shenyang, dalian = OrgUnit.objects.get(code="210100"), OrgUnit.objects.get(code="210200")
    now = timezone.now()
    rounds = []
    for month in (5, 6, 7):
        r = ReportingRound.objects.create(period=D(2018, month, 1), name=f"{month}月", opens_at=now, deadline=now)
        r.units.set([shenyang, dalian])
        rounds.append(r)
    may, june, july = rounds
    Submission.objects.create(round=may, unit=shenyang, status="approved", timeliness="on_time")
    late = Submission.objects.create(round=june, unit=shenyang, status="approved", timeliness="late")
    Submission.objects.create(round=may, unit=dalian, status="approved", timeliness="grace")
    Submission.objects.create(
        round=july, unit=dalian, status="submitted", timeliness="on_time"
    )  # after June: not counted
    SubmissionEvent.objects.create(submission=late, action="return", from_status="submitted", to_status="returned")
    units = [shenyang, dalian]
    got = _reporting_inputs(units, D(2018, 6, 1), unit_filter(units))
    picked = {u.code: {k: got[u.pk][k] for k in ("required", "on_time", "late", "returned")} for u in units}
    assert picked == {
        "210100": {"required": 2, "on_time": 1, "late": 1, "returned": 1},
        "210200": {"required": 2, "on_time": 1, "late": 0, "returned": 0},  # June never submitted
    }
