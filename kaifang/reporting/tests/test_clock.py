"""One clock: with the demo's date pinned (KAIFANG_DEMO_TODAY=2018-07-05), a submission made now is
stamped on that day and judged by it, and so are its figures, its audit event and the inbox message."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from kaifang.audit.models import AuditEvent
from kaifang.indicators.models import DataValue
from kaifang.notifications.models import Notification
from kaifang.notifications.services import mark_read
from kaifang.reporting.models import SubmissionEvent, Timeliness
from kaifang.reporting.services import save_submission_values, transition
from kaifang.reporting.tests.conftest import entries

DEMO_TODAY = datetime.date(2018, 7, 5)


def local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


@pytest.fixture
def demo_today(settings):
    settings.KAIFANG_DEMO_TODAY = DEMO_TODAY.isoformat()


def test_a_submission_made_now_on_the_demo_day_is_stamped_that_day_and_on_time(demo_today, sub_of, hunnan, shenyang):
    sub = sub_of("210112")
    save_submission_values(actor=hunnan, submission=sub, entries=entries())
    transition(actor=hunnan, submission=sub, action="submit")
    sub.refresh_from_db()
    # The June round's deadline is 2018-07-10 23:59:59; submitted on 2018-07-05, five days before
    # it, so 按时 (not 迟报, which the real date, years after the deadline, would give).
    assert local_day(sub.first_submitted_at) == local_day(sub.submitted_at) == DEMO_TODAY
    assert sub.timeliness == Timeliness.ON_TIME and sub.get_timeliness_display() == "按时"
    assert local_day(sub.updated_at) == DEMO_TODAY
    assert local_day(SubmissionEvent.objects.get(submission=sub, action="submit").at) == DEMO_TODAY
    figure = DataValue.objects.get(unit__code="210112", indicator__code="TRADE", period=sub.round.period)
    assert local_day(figure.updated_at) == DEMO_TODAY
    event = AuditEvent.objects.filter(action="reporting.submission.submit", object_id=str(sub.pk)).get()
    assert local_day(event.at) == DEMO_TODAY


def test_the_audit_event_and_the_inbox_message_of_a_return_are_stamped_on_the_demo_day(
    demo_today, sub_of, hunnan, shenyang
):
    sub = sub_of("210112")
    save_submission_values(actor=hunnan, submission=sub, entries=entries())
    transition(actor=hunnan, submission=sub, action="submit")
    transition(actor=shenyang, submission=sub, action="return", reason="出口额与海关数据不符")
    message = Notification.objects.get(recipient=hunnan, kind="reporting.returned")
    assert local_day(message.created_at) == DEMO_TODAY
    event = AuditEvent.objects.filter(action="reporting.submission.return", object_id=str(sub.pk)).get()
    assert local_day(event.at) == DEMO_TODAY and event.actor_username == "shenyang"
    assert mark_read(user=hunnan, notification_ids=[message.pk]) == 1
    message.refresh_from_db()
    assert message.read_at is not None and local_day(message.read_at) == DEMO_TODAY
