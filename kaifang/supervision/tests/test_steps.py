"""Per-step deadlines with hand-worked dates across the 2018 National Day and Spring Festival 调休.

2018 国庆: 1–7 October off; Saturday 29 and Sunday 30 September worked.
2018 春节: 15–21 February off; Sunday 11 and Saturday 24 February worked.
Defaults: 签收 within 3 working days of 下发, 复核 within 5 working days of 申请办结.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from kaifang.supervision.models import StepLimit, TaskLevel, TaskState
from kaifang.supervision.selectors import board_summary, steps_of, task_queryset, task_rows
from kaifang.supervision.steps import Limits, first_report_due, limits_for, load_limits, step_states
from kaifang.supervision.tests.factories import make_task

D = datetime.date.fromisoformat
pytestmark = pytest.mark.django_db
DEFAULT = Limits(ack_workdays=3, review_workdays=5)


def states(today: str, **facts: Any) -> dict[str, tuple[str, bool]]:
    base: dict[str, Any] = {
        "state": TaskState.ISSUED,
        "issued_on": None,
        "acknowledged_on": None,
        "report_day": None,
        "first_report_on": None,
        "deadline": D("2018-12-31"),
        "claimed_on": None,
        "closed_on": None,
        "limits": DEFAULT,
    }
    base.update(facts)
    return {s.key: (s.due.isoformat(), s.overdue) for s in step_states(today=D(today), **base)}


# --- 签收 ---------------------------------------------------------------------------------------


def test_ack_issued_before_national_day_is_due_on_8_october() -> None:
    # Fri 28 Sep + 3 working days: Sat 29 (worked), Sun 30 (worked), then 1–7 Oct off → Mon 8 Oct.
    issued = {"issued_on": D("2018-09-28")}
    assert states("2018-10-08", **issued)["ack"] == ("2018-10-08", False)
    assert states("2018-10-09", **issued)["ack"] == ("2018-10-08", True)


def test_ack_issued_before_spring_festival_is_due_on_the_worked_saturday() -> None:
    # Wed 14 Feb + 3: 15–21 off, Thu 22, Fri 23, Sat 24 (worked) → Sat 24 Feb.
    issued = {"issued_on": D("2018-02-14")}
    assert states("2018-02-24", **issued)["ack"] == ("2018-02-24", False)
    assert states("2018-02-25", **issued)["ack"] == ("2018-02-24", True)
    # Signed on the 24th: on time, nothing overdue afterwards.
    signed = {**issued, "state": TaskState.IN_PROGRESS, "acknowledged_on": D("2018-02-24")}
    assert states("2018-03-01", **signed)["ack"] == ("2018-02-24", False)


def test_a_one_day_limit_from_friday_9_february_lands_on_the_worked_sunday() -> None:
    assert states("2018-02-12", issued_on=D("2018-02-09"), limits=Limits(1, 5))["ack"] == ("2018-02-11", True)


# --- 反馈 ---------------------------------------------------------------------------------------


def test_first_feedback_on_a_holiday_report_day_moves_to_the_next_working_day() -> None:
    # Issued 28 Sep, report day 1 → 1 October (holiday) → Monday 8 October.
    assert first_report_due(D("2018-09-28"), 1) == D("2018-10-08")
    facts = {"issued_on": D("2018-09-28"), "report_day": 1, "state": TaskState.IN_PROGRESS}
    assert states("2018-10-08", **facts)["feedback"] == ("2018-10-08", False)
    assert states("2018-10-09", **facts)["feedback"] == ("2018-10-08", True)
    assert states("2018-10-09", **facts, first_report_on=D("2018-10-08"))["feedback"] == ("2018-10-08", False)


def test_first_feedback_in_spring_festival_moves_to_22_february() -> None:
    # Issued 14 Feb, report day 15 → 15 February (holiday) → Thursday 22 February.
    assert first_report_due(D("2018-02-14"), 15) == D("2018-02-22")
    # Issued on the report day itself: the first one is next month's (15 March, a Thursday).
    assert first_report_due(D("2018-02-15"), 15) == D("2018-03-15")
    facts = {"issued_on": D("2018-02-14"), "report_day": 15, "state": TaskState.IN_PROGRESS}
    assert states("2018-02-23", **facts)["feedback"] == ("2018-02-22", True)


# --- 办结 and 复核 -------------------------------------------------------------------------------


def test_finish_is_overdue_the_day_after_the_deadline() -> None:
    facts = {"issued_on": D("2018-09-03"), "deadline": D("2018-09-30"), "state": TaskState.IN_PROGRESS}
    assert states("2018-09-30", **facts)["finish"] == ("2018-09-30", False)
    assert states("2018-10-01", **facts)["finish"] == ("2018-09-30", True)


def test_review_of_a_claim_before_national_day_is_due_on_10_october() -> None:
    # Claimed Fri 28 Sep + 5: Sat 29, Sun 30, Mon 8, Tue 9, Wed 10 October.
    facts = {"issued_on": D("2018-06-01"), "claimed_on": D("2018-09-28"), "state": TaskState.COMPLETION_CLAIMED}
    assert states("2018-10-10", **facts)["review"] == ("2018-10-10", False)
    assert states("2018-10-11", **facts)["review"] == ("2018-10-10", True)
    closed = {**facts, "state": TaskState.CLOSED, "closed_on": D("2018-10-12")}
    assert states("2018-10-20", **closed)["review"] == ("2018-10-10", False)


def test_review_of_a_claim_before_spring_festival() -> None:
    # Claimed Fri 9 Feb + 5: Sun 11 (worked), Mon 12, Tue 13, Wed 14, then 15–21 off → Thu 22 Feb.
    facts = {"issued_on": D("2018-01-02"), "claimed_on": D("2018-02-09"), "state": TaskState.COMPLETION_CLAIMED}
    assert states("2018-02-23", **facts)["review"] == ("2018-02-22", True)
    # With a two-day limit: Sun 11, Mon 12 → Monday 12 February.
    assert states("2018-02-13", **facts, limits=Limits(3, 2))["review"] == ("2018-02-12", True)


# --- limits per category and level -------------------------------------------------------------


def test_the_most_specific_limit_row_wins_and_settings_are_the_fallback(settings: Any) -> None:
    settings.KAIFANG_TASK_ACK_WORKDAYS, settings.KAIFANG_TASK_REVIEW_WORKDAYS = 4, 6
    StepLimit.objects.create(category="trade", level="", ack_workdays=1, review_workdays=2)
    StepLimit.objects.create(category="", level=TaskLevel.KEY, ack_workdays=2, review_workdays=3)
    StepLimit.objects.create(category="trade", level=TaskLevel.KEY, ack_workdays=1, review_workdays=1)
    table = load_limits()
    assert limits_for("trade", TaskLevel.KEY, table) == Limits(1, 1)
    assert limits_for("trade", TaskLevel.NORMAL, table) == Limits(1, 2)
    assert limits_for("talent", TaskLevel.KEY, table) == Limits(2, 3)
    assert limits_for("talent", TaskLevel.NORMAL, table) == Limits(4, 6)


def test_a_task_shows_its_step_states_and_the_board_counts_each_overdue_state_apart() -> None:
    StepLimit.objects.create(category="trade", level=TaskLevel.KEY, ack_workdays=1, review_workdays=1)
    unsigned = make_task(title="未签收", state=TaskState.ISSUED, issued_on=D("2018-09-28"), category="trade")
    key = make_task(title="重点", state=TaskState.ISSUED, issued_on=D("2018-09-28"), category="trade", level="key")
    no_report = make_task(
        title="未反馈", state=TaskState.IN_PROGRESS, issued_on=D("2018-09-28"), report_day=1, deadline=D("2018-10-20")
    )
    claimed = make_task(
        title="待复核", state=TaskState.COMPLETION_CLAIMED, issued_on=D("2018-06-01"), claimed_on=D("2018-09-28")
    )
    today = D("2018-10-11")
    # Key trade task: 1 working day → Saturday 29 September.
    assert {s.key: s.due for s in steps_of(key, today=today)}["ack"] == D("2018-09-29")
    assert [s.key for s in steps_of(unsigned, today=today) if s.overdue] == ["ack"]
    assert [s.key for s in steps_of(no_report, today=today) if s.overdue] == ["feedback"]
    assert [s.key for s in steps_of(claimed, today=today) if s.overdue] == ["review"]
    rows = task_rows(task_queryset().order_by("code"), today=today)
    counts = {key: n for key, _label, n in board_summary(rows)["by_overdue"]}
    assert counts == {"ack": 2, "feedback": 1, "finish": 0, "review": 1}
    light = next(r for r in rows if r.task.pk == unsigned.pk).light
    assert light.color == "red" and "签收逾期（应于2018年10月8日前签收）" in light.rule


def test_the_reminder_job_tells_the_lead_of_a_late_signature_and_the_issuer_of_a_late_review() -> None:
    from kaifang.notifications.models import Notification
    from kaifang.supervision.jobs import send_task_reminders

    make_task(title="未签收", state=TaskState.ISSUED, issued_on=D("2018-09-28"), report_day=None)
    make_task(title="待复核", state=TaskState.COMPLETION_CLAIMED, issued_on=D("2018-06-01"), claimed_on=D("2018-09-28"))
    assert send_task_reminders(today=D("2018-10-10")).steps_overdue > 0  # 签收 due 8 October
    lead = Notification.objects.filter(kind="task_ack_overdue").values_list("recipient__unit__code", flat=True)
    assert set(lead) == {"210112"}
    assert not Notification.objects.filter(kind="task_review_overdue").exists()  # review due 10 October
    send_task_reminders(today=D("2018-10-11"))
    issuer = Notification.objects.filter(kind="task_review_overdue").values_list("recipient__unit__code", flat=True)
    assert set(issuer) == {"210000"}
    assert send_task_reminders(today=D("2018-10-11")).steps_overdue == 0  # told once
