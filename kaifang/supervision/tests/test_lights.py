"""Lights at the exact boundary dates, with the date injected (KAIFANG_TASK_YELLOW_DAYS = 3)."""

from __future__ import annotations

import datetime

import pytest

from kaifang.supervision.lights import TaskFacts, light_for, missing_report_periods
from kaifang.supervision.models import TaskState

D = datetime.date
DEADLINE = D(2018, 7, 10)


def facts(**kwargs: object) -> TaskFacts:
    base: dict[str, object] = {
        "state": TaskState.IN_PROGRESS,
        "deadline": DEADLINE,
        "issued_on": D(2018, 4, 27),
        "progress": 99,
    }
    base.update(kwargs)
    return TaskFacts(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("today", "color", "rule"),
    [
        (D(2018, 7, 6), "green", "按计划推进"),  # 4 days left: not yet
        (D(2018, 7, 7), "yellow", "距办理时限（2018年7月10日）还有3天"),  # exactly N days
        (D(2018, 7, 9), "yellow", "还有1天"),
        (D(2018, 7, 10), "yellow", "今天到期"),  # the deadline day itself is not overdue
        (D(2018, 7, 11), "red", "已超过办理时限（2018年7月10日）1天"),
    ],
)
def test_the_deadline_turns_the_light_yellow_three_days_ahead_and_red_the_day_after(
    today: datetime.date, color: str, rule: str
) -> None:
    light = light_for(facts(), today=today, yellow_days=3)
    assert light.color == color
    assert rule in light.rule


def test_the_yellow_window_follows_the_setting(settings: object) -> None:
    settings.KAIFANG_TASK_YELLOW_DAYS = 5  # type: ignore[attr-defined]
    assert light_for(facts(), today=D(2018, 7, 5)).color == "yellow"
    assert light_for(facts(), today=D(2018, 7, 4)).color == "green"


@pytest.mark.parametrize(
    ("today", "done", "color"),
    [
        (D(2018, 6, 26), False, "green"),  # milestone 6-30: 4 days ahead
        (D(2018, 6, 27), False, "yellow"),  # 3 days ahead
        (D(2018, 6, 30), False, "yellow"),  # due today
        (D(2018, 7, 1), False, "red"),  # missed
        (D(2018, 7, 1), True, "green"),  # done milestones never light up
    ],
)
def test_an_open_milestone_lights_like_a_deadline(today: datetime.date, done: bool, color: str) -> None:
    light = light_for(facts(milestones=(("出台实施方案", D(2018, 6, 30), done),)), today=today, yellow_days=3)
    assert light.color == color
    if color != "green":
        assert "出台实施方案" in light.rule


def test_progress_behind_the_time_elapsed_is_yellow_and_level_with_it_is_green() -> None:
    # Issued 7-01, deadline 7-31: on 7-16 15 of 30 days are gone, time progress 50%.
    base = {"issued_on": D(2018, 7, 1), "deadline": D(2018, 7, 31)}
    assert light_for(facts(progress=50, **base), today=D(2018, 7, 16), yellow_days=3).color == "green"
    behind = light_for(facts(progress=49, **base), today=D(2018, 7, 16), yellow_days=3)
    assert behind.color == "yellow"
    assert behind.rule == "进度49%落后于时间进度50%"


def test_a_missing_monthly_report_is_red_from_the_day_after_the_report_day() -> None:
    issued = D(2018, 5, 1)
    on_the_day = missing_report_periods(issued_on=issued, report_day=25, reported_periods=set(), today=D(2018, 5, 25))
    day_after = missing_report_periods(issued_on=issued, report_day=25, reported_periods=set(), today=D(2018, 5, 26))
    assert on_the_day == []
    assert day_after == [D(2018, 5, 1)]
    light = light_for(facts(missing_periods=tuple(day_after), report_day=25), today=D(2018, 5, 26), yellow_days=3)
    assert light.color == "red"
    assert light.rule == "2018年5月进展报告未报送（应于2018年5月25日前报送）"


def test_a_month_whose_report_day_is_on_or_before_the_issue_date_owes_nothing() -> None:
    def missing(issued: datetime.date) -> list[datetime.date]:
        return missing_report_periods(issued_on=issued, report_day=25, reported_periods=set(), today=D(2018, 6, 1))

    assert missing(D(2018, 5, 25)) == []
    assert missing(D(2018, 5, 24)) == [D(2018, 5, 1)]


def test_a_report_for_the_month_clears_it_and_later_months_still_count() -> None:
    periods = missing_report_periods(
        issued_on=D(2018, 4, 27), report_day=25, reported_periods={D(2018, 5, 1)}, today=D(2018, 7, 5)
    )
    assert periods == [D(2018, 6, 1)]


def test_reports_stop_being_owed_once_completion_is_claimed() -> None:
    periods = missing_report_periods(
        issued_on=D(2018, 4, 27), report_day=25, reported_periods=set(), today=D(2018, 9, 1), stop=D(2018, 6, 10)
    )
    assert periods == [D(2018, 5, 1)]


@pytest.mark.parametrize(
    ("claimed", "color"),
    [(DEADLINE, "green"), (DEADLINE + datetime.timedelta(days=1), "red")],
)
def test_a_completion_claim_is_green_on_time_and_red_after_the_deadline(claimed: datetime.date, color: str) -> None:
    light = light_for(facts(state=TaskState.COMPLETION_CLAIMED, claimed_on=claimed), today=D(2018, 8, 1))
    assert light.color == color


@pytest.mark.parametrize("state", [TaskState.DRAFT, TaskState.REVIEWED, TaskState.CLOSED])
def test_drafts_and_closed_tasks_are_grey_even_when_long_past_the_deadline(state: str) -> None:
    light = light_for(facts(state=state, closed_on=D(2018, 7, 1)), today=D(2019, 1, 1), yellow_days=3)
    assert light.color == "grey"
    assert light.rule


def test_every_red_rule_that_fires_is_listed_for_the_hover_text() -> None:
    light = light_for(
        facts(missing_periods=(D(2018, 6, 1),), report_day=25, milestones=(("方案", D(2018, 7, 1), False),)),
        today=D(2018, 7, 12),
        yellow_days=3,
    )
    assert light.color == "red"
    assert len(light.reasons) == 3
    assert light.rule.count("；") == 2
