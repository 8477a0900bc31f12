"""Lead timers at boundary dates, with an injected 'today'; reminders are sent once per state."""

from __future__ import annotations

import datetime

import pytest

from kaifang.core.actors import SystemActor
from kaifang.ledgers.jobs import remind_lead_timers
from kaifang.ledgers.services.leads import record_lead_milestone
from kaifang.ledgers.tests.conftest import move, new_project
from kaifang.ledgers.timers import add_workdays, is_workday, lead_timers, worst_light
from kaifang.notifications.models import Notification

D = datetime.date.fromisoformat


@pytest.mark.django_db
def test_a_working_day_after_friday_is_monday():
    assert add_workdays(D("2018-07-13"), 1) == D("2018-07-16")
    assert add_workdays(D("2018-07-13"), 3) == D("2018-07-18")


@pytest.mark.django_db
def test_holidays_are_skipped_and_adjusted_weekend_working_days_count():
    # 2018 中秋: 22–24 September off; Saturday 29 September was a working day (国庆调休).
    assert add_workdays(D("2018-09-21"), 1) == D("2018-09-25")
    assert add_workdays(D("2018-09-28"), 1) == D("2018-09-29")
    assert add_workdays(D("2018-09-28"), 3) == D("2018-10-08")  # 29, 30 September, then 8 October
    assert not is_workday(D("2018-10-01")) and is_workday(D("2018-09-30"))


def _lights(project, today):  # type: ignore[no-untyped-def]
    return {t.key: t.light for t in lead_timers(project, today)}


@pytest.mark.django_db
def test_lights_are_green_before_yellow_on_and_red_after_each_deadline():
    # Received Friday 13 July 2018: respond by Mon 16, assess by Wed 18, feedback by Fri 20 (7 days).
    project = new_project(received=D("2018-07-13"))
    assert _lights(project, D("2018-07-13")) == {"respond": "green", "assess": "green", "feedback": "green"}
    assert _lights(project, D("2018-07-16")) == {"respond": "yellow", "assess": "green", "feedback": "green"}
    assert _lights(project, D("2018-07-17")) == {"respond": "red", "assess": "green", "feedback": "green"}
    assert _lights(project, D("2018-07-18")) == {"respond": "red", "assess": "yellow", "feedback": "green"}
    assert _lights(project, D("2018-07-20")) == {"respond": "red", "assess": "red", "feedback": "yellow"}
    assert _lights(project, D("2018-07-21")) == {"respond": "red", "assess": "red", "feedback": "red"}


@pytest.mark.django_db
def test_a_milestone_done_on_its_deadline_is_green_and_one_day_late_is_red():
    on_time = record_lead_milestone(
        actor=SystemActor("test"),
        project=new_project(received=D("2018-07-06")),
        milestone="respond",
        on=D("2018-07-09"),
    )
    late = record_lead_milestone(
        actor=SystemActor("test"),
        project=new_project(received=D("2018-07-06"), name="迟"),
        milestone="respond",
        on=D("2018-07-10"),
    )
    assert _lights(on_time, D("2018-07-13"))["respond"] == "green"
    assert _lights(late, D("2018-07-13"))["respond"] == "red"
    assert lead_timers(late, D("2018-07-13"))[0].state_label == "超时完成"


@pytest.mark.django_db
def test_timers_stop_when_the_lead_moves_on(settings):
    project = move(new_project(received=D("2018-07-02")), ("negotiate", "2018-07-03"))
    assert worst_light(lead_timers(project, D("2018-07-16"))) == "grey"


@pytest.mark.django_db
def test_the_job_reminds_the_unit_once_per_timer_and_light(dalian, ganjingzi):
    # The lead belongs to 甘井子区; its reporter hears about it.
    new_project(unit_code="210211", received=D("2018-07-13"))
    first = remind_lead_timers(today=D("2018-07-16"))  # respond due today
    again = remind_lead_timers(today=D("2018-07-16"))
    later = remind_lead_timers(today=D("2018-07-17"))  # respond overdue
    assert (first, again, later) == (1, 0, 1)
    titles = list(Notification.objects.filter(recipient=ganjingzi).values_list("title", flat=True))
    assert any("响应今日到期" in t for t in titles) and any("响应已超时" in t for t in titles)
    assert not Notification.objects.filter(recipient=dalian, kind="ledgers.lead_timer").exists()
