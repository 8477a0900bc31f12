"""The batched task counts agree with supervision's own per-unit task_performance."""

from __future__ import annotations

import datetime

from kaifang.assessment.inputs import task_counts
from kaifang.assessment.models import SchemeItem
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


def _rounds(months, deadline_day, grace_days=0):
    """Rounds of 2018 for 沈阳市 and 大连市, each due on `deadline_day` of the month after its period."""
    from kaifang.reporting.models import ReportingRound

    units = OrgUnit.objects.filter(code__in=["210100", "210200"])
    out = []
    for month in months:
        deadline = datetime.datetime(2018, month + 1, deadline_day, 23, 59, tzinfo=datetime.UTC)
        r = ReportingRound.objects.create(
            period=D(2018, month, 1), name=f"{month}月", opens_at=deadline, deadline=deadline, grace_days=grace_days
        )
        r.units.set(units)
        out.append(r)
    return out


def _picked(got, units):
    return {u.code: {k: got[u.pk][k] for k in ("required", "on_time", "late", "returned")} for u in units}


def test_reporting_quality_counts_rounds_due_on_time_late_and_returns(db):
    from kaifang.assessment.inputs import _reporting_inputs
    from kaifang.reporting.models import Submission, SubmissionEvent

    shenyang, dalian = OrgUnit.objects.get(code="210100"), OrgUnit.objects.get(code="210200")
    may, june, july = _rounds((5, 6, 7), deadline_day=10, grace_days=2)
    Submission.objects.create(round=may, unit=shenyang, status="approved", timeliness="on_time")
    late = Submission.objects.create(round=june, unit=shenyang, status="approved", timeliness="late")
    Submission.objects.create(round=may, unit=dalian, status="approved", timeliness="grace")
    Submission.objects.create(round=july, unit=dalian, status="submitted", timeliness="on_time")  # after June
    SubmissionEvent.objects.create(submission=late, action="return", from_status="submitted", to_status="returned")
    item = SchemeItem(code="r", name="报送", kind="reporting", weight=10, params={})
    units = [shenyang, dalian]
    # Computed on 2018-07-20: May's round (due 06-10, grace to 06-12) and June's (due 07-10, grace to
    # 07-12) have both passed; July's is after the period.
    as_of = datetime.datetime(2018, 7, 20, 9, 0, tzinfo=datetime.UTC)
    assert _picked(_reporting_inputs(item, units, D(2018, 6, 1), as_of), units) == {
        "210100": {"required": 2, "on_time": 1, "late": 1, "returned": 1},
        # within grace in May counts as on time (the same as the round's 及时率); June never submitted
        "210200": {"required": 2, "on_time": 1, "late": 0, "returned": 0},
    }


def test_a_round_whose_deadline_plus_grace_has_not_passed_is_not_counted(db):
    """The demo's story: on 2018-07-05 the June round (due 07-10, grace 2 days) is not yet due, so a city
    that has not submitted yet is not charged for it; on 07-12 23:00 (within grace) still not; on 07-13
    it is."""
    from kaifang.assessment.inputs import _reporting_inputs

    shenyang, dalian = OrgUnit.objects.get(code="210100"), OrgUnit.objects.get(code="210200")
    _rounds((6,), deadline_day=10, grace_days=2)
    item = SchemeItem(code="r", name="报送", kind="reporting", weight=10, params={})
    units = [shenyang, dalian]
    for moment, required in (
        (datetime.datetime(2018, 7, 5, 12, 0, tzinfo=datetime.UTC), 0),
        (datetime.datetime(2018, 7, 12, 23, 0, tzinfo=datetime.UTC), 0),
        (datetime.datetime(2018, 7, 13, 0, 0, tzinfo=datetime.UTC), 1),
    ):
        got = _picked(_reporting_inputs(item, units, D(2018, 6, 1), moment), units)
        assert got["210100"] == {"required": required, "on_time": 0, "late": 0, "returned": 0}, moment


def test_a_city_answering_for_the_counties_it_approves_counts_their_submissions(db):
    """answers_for=own_and_approved: 沈阳市 answers for its own submission and those of 浑南区 and 沈河区,
    which it approves; 大连市 is not charged for them."""
    from kaifang.assessment.inputs import _reporting_inputs
    from kaifang.reporting.models import Submission, SubmissionEvent

    shenyang, dalian = OrgUnit.objects.get(code="210100"), OrgUnit.objects.get(code="210200")
    hunnan, shenhe = OrgUnit.objects.get(code="210112"), OrgUnit.objects.get(code="210103")
    (june,) = _rounds((6,), deadline_day=10)
    june.units.add(hunnan, shenhe)
    Submission.objects.create(round=june, unit=shenyang, status="approved", timeliness="on_time")
    returned = Submission.objects.create(round=june, unit=hunnan, status="approved", timeliness="late")
    SubmissionEvent.objects.create(submission=returned, action="return", from_status="submitted", to_status="returned")
    # 沈河区 never submitted
    as_of = datetime.datetime(2018, 7, 20, tzinfo=datetime.UTC)
    units = [shenyang, dalian]
    own = SchemeItem(code="r", name="报送", kind="reporting", weight=10, params={})
    wider = SchemeItem(code="r", name="报送", kind="reporting", weight=10, params={"answers_for": "own_and_approved"})
    assert _picked(_reporting_inputs(own, units, D(2018, 6, 1), as_of), units)["210100"] == {
        "required": 1, "on_time": 1, "late": 0, "returned": 0,
    }  # fmt: skip
    assert _picked(_reporting_inputs(wider, units, D(2018, 6, 1), as_of), units) == {
        # 3 submissions: 沈阳市 on time, 浑南区 late and returned once, 沈河区 missing
        "210100": {"required": 3, "on_time": 1, "late": 1, "returned": 1},
        "210200": {"required": 1, "on_time": 0, "late": 0, "returned": 0},
    }
