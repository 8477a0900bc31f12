"""The app's one clock (`kaifang.core.clock`): the demo's pinned date at the real time of day, the
loader's replayed moments, and the real clock when nothing is pinned."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from kaifang.core import clock

TZ = timezone.get_default_timezone()


def test_with_a_pinned_date_now_is_that_date_at_the_real_time_of_day(settings):
    settings.KAIFANG_DEMO_TODAY = "2018-07-05"
    before = timezone.localtime()
    stamp = clock.now()
    after = timezone.localtime()
    assert timezone.is_aware(stamp)
    assert timezone.localtime(stamp).date() == datetime.date(2018, 7, 5) == clock.today()
    # The time of day is the real one: between the two real readings taken around it (same day).
    if before.date() == after.date():
        same_day = stamp.replace(year=before.year, month=before.month, day=before.day)
        assert before <= same_day <= after


def test_without_a_pinned_date_now_is_the_real_moment(settings):
    settings.KAIFANG_DEMO_TODAY = ""
    before = timezone.now()
    stamp = clock.now()
    assert before <= stamp <= timezone.now()
    assert clock.today() == timezone.localdate()


def test_the_loader_replays_history_at_a_pinned_moment_and_the_reporting_clock_follows(settings):
    from kaifang.reporting.services import pinned_clock, server_now

    settings.KAIFANG_DEMO_TODAY = "2018-07-05"
    moment = datetime.datetime(2018, 7, 2, 9, 30, tzinfo=TZ)
    with clock.pinned(moment):
        assert clock.now() == server_now() == moment
        assert clock.today() == datetime.date(2018, 7, 2)
    with pinned_clock(moment):  # the name the demo loader uses is the same clock
        assert clock.now() == moment
    assert clock.today() == datetime.date(2018, 7, 5)


def test_a_naive_moment_cannot_be_pinned():
    with pytest.raises(ValueError), clock.pinned(datetime.datetime(2018, 7, 2, 9, 30)):
        pass


@pytest.mark.django_db
def test_records_created_or_changed_without_an_explicit_stamp_take_the_app_clock(settings):
    """created_at comes from the field's default, updated_at (once auto_now) from the service."""
    from kaifang.supervision.models import TaskState
    from kaifang.supervision.tests.factories import make_task

    settings.KAIFANG_DEMO_TODAY = "2018-07-05"
    task = make_task(lead="210112", state=TaskState.ISSUED)  # created, reviewed, issued
    assert timezone.localtime(task.created_at).date() == datetime.date(2018, 7, 5)
    assert timezone.localtime(task.updated_at).date() == datetime.date(2018, 7, 5)
