"""Many threads pressing the same button on PostgreSQL: a venue checks in once, a draft is confirmed once."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

from kaifang.accounts.models import User
from kaifang.audit.models import AuditEvent
from kaifang.meetings import services
from kaifang.meetings.checkin import current_code
from kaifang.meetings.models import Resolution
from kaifang.meetings.services import resolutions, roll_call
from kaifang.meetings.tests.conftest import START
from kaifang.orgs.models import OrgUnit
from kaifang.supervision.models import Task

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

THREADS = 6


def run_threads(work):  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def runner(i: int) -> None:
        try:
            barrier.wait()
            result = work(i)
        except ValidationError as exc:
            result = getattr(exc, "code", None) or "invalid"
        except Exception as exc:
            result = f"error: {exc!r}"
        finally:
            close_old_connections()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.fixture
def setup(base_data):  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL")
    users = {u.username: u for u in User.objects.select_related("unit").filter(username__in=["province", "hunnan"])}
    meeting = services.create_meeting(
        actor=users["province"],
        title="并发测试会议",
        starts_at=START,
        main_unit=users["province"].unit,
        venue_units=[users["hunnan"].unit],
    )
    meeting = services.transition_meeting(actor=users["province"], meeting=meeting, action="notify")
    return meeting, users


def test_a_venue_pressing_check_in_six_times_at_once_is_checked_in_once(setup):
    meeting, users = setup
    code = current_code(meeting.checkin_secret, START)[0]
    venue = meeting.venues.get()

    def work(_i: int) -> str:
        _venue, created = roll_call.check_in(actor=users["hunnan"], venue=venue, code=code, at=START)
        return "created" if created else "already"

    outcomes = run_threads(work)
    assert sorted(outcomes) == ["already"] * (THREADS - 1) + ["created"]
    assert AuditEvent.objects.filter(action="meetings.venue.check_in").count() == 1


def test_a_speech_draft_confirmed_six_times_at_once_creates_its_tasks_once(setup):
    meeting, users = setup
    draft = resolutions.save_speech_draft(
        actor=users["province"], text="省长强调，一是要稳外贸。二是要稳外资。", meeting=meeting
    )
    swt = OrgUnit.objects.get(code="SWT")
    rows = [
        resolutions.ConfirmedItem(title=i["title"], body=i["text"], lead_unit=swt, deadline=datetime.date(2018, 12, 31))
        for i in draft.items()
    ]

    def work(_i: int) -> str:
        resolutions.confirm_speech_draft(actor=users["province"], draft=draft, items=rows)
        return "confirmed"

    outcomes = run_threads(work)
    assert sorted(outcomes) == ["already_confirmed"] * (THREADS - 1) + ["confirmed"]
    assert Task.objects.filter(source_meeting_id=meeting.pk).count() == 2
    assert Resolution.objects.filter(meeting=meeting).count() == 2
