"""Meeting services: workflow, receipts and roll call within scope, relay reports, audit."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kaifang.audit.models import AuditEvent
from kaifang.meetings import services
from kaifang.meetings.checkin import current_code
from kaifang.meetings.models import Meeting, MeetingStatus, ReceiptStatus
from kaifang.meetings.selectors import attendance_for, relay_status, visible_meetings
from kaifang.meetings.services import roll_call
from kaifang.meetings.tests.conftest import START
from kaifang.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db


def code_at(meeting, moment):  # type: ignore[no-untyped-def]
    return current_code(meeting.checkin_secret, moment)[0]


def test_creating_a_meeting_makes_a_venue_per_city_and_county_and_is_audited(meeting, province):
    assert meeting.status == MeetingStatus.NOTIFIED
    assert meeting.venues.count() == 114
    assert meeting.venues.filter(unit__kind="city").count() == 14
    assert AuditEvent.objects.filter(action="meetings.meeting.create", object_id=str(meeting.pk)).exists()
    assert AuditEvent.objects.filter(action="meetings.meeting.notify", object_id=str(meeting.pk)).exists()


def test_a_county_reporter_cannot_create_a_meeting_and_a_city_cannot_invite_another_city(hunnan, shenyang):
    with pytest.raises(PermissionDenied):
        services.create_meeting(actor=hunnan, title="x", starts_at=START, main_unit=hunnan.unit)
    with pytest.raises(PermissionDenied):
        services.create_meeting(
            actor=shenyang,
            title="沈阳市开放工作会议",
            starts_at=START,
            main_unit=shenyang.unit,
            venue_units=[OrgUnit.objects.get(code="210211")],
        )
    assert not Meeting.objects.exists()


def test_the_workflow_refuses_illegal_transitions_with_a_chinese_message(meeting, province, shenyang):
    with pytest.raises(ValidationError) as exc:
        services.transition_meeting(actor=province, meeting=meeting, action="end")
    assert "不能" in exc.value.messages[0]
    with pytest.raises(PermissionDenied):
        services.transition_meeting(actor=shenyang, meeting=meeting, action="start")
    with pytest.raises(ValidationError) as stale:
        services.transition_meeting(actor=province, meeting=meeting, action="start", expected_version=1)
    assert stale.value.code == "stale"
    started = services.transition_meeting(actor=province, meeting=meeting, action="start")
    assert started.status == MeetingStatus.IN_PROGRESS
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.IN_PROGRESS


def test_a_venue_answers_its_receipt_and_another_county_cannot(meeting, hunnan, shenhe, ganjingzi, venue_of):
    venue = venue_of(meeting, "210112")
    roll_call.answer_receipt(actor=hunnan, venue=venue, attending=True, leader_name="王区长", head_count=6)
    venue.refresh_from_db()
    assert venue.receipt_status == ReceiptStatus.ATTENDING and venue.head_count == 6
    for outsider in (shenhe, ganjingzi):
        with pytest.raises(PermissionDenied):
            roll_call.answer_receipt(actor=outsider, venue=venue, attending=False, leave_reason="另有公务")
    venue.refresh_from_db()
    assert venue.receipt_status == ReceiptStatus.ATTENDING


def test_a_receipt_needs_a_leader_or_a_leave_reason_and_a_stale_one_is_refused(meeting, hunnan, venue_of):
    venue = venue_of(meeting, "210112")
    with pytest.raises(ValidationError) as exc:
        roll_call.answer_receipt(actor=hunnan, venue=venue, attending=True, head_count=0)
    assert set(exc.value.message_dict) == {"leader_name", "head_count"}
    with pytest.raises(ValidationError):
        roll_call.answer_receipt(actor=hunnan, venue=venue, attending=False, leave_reason=" ")
    roll_call.answer_receipt(
        actor=hunnan, venue=venue, attending=False, leave_reason="参加省委巡视反馈会", expected_version=1
    )
    with pytest.raises(ValidationError) as stale:
        roll_call.answer_receipt(
            actor=hunnan, venue=venue, attending=True, leader_name="王", head_count=1, expected_version=1
        )
    assert stale.value.code == "stale"


def test_check_in_with_the_current_code_is_on_time_and_later_is_late(meeting, hunnan, shenhe, venue_of):
    on_time = START - datetime.timedelta(minutes=10)
    venue, created = roll_call.check_in(
        actor=hunnan, venue=venue_of(meeting, "210112"), code=code_at(meeting, on_time), at=on_time
    )
    assert created and not venue.is_late
    again, created = roll_call.check_in(actor=hunnan, venue=venue, code="000000", at=on_time)
    assert not created and again.checked_in_at == venue.checked_in_at
    late = START + datetime.timedelta(minutes=12)  # grace is 5 minutes
    venue, _ = roll_call.check_in(actor=shenhe, venue=venue_of(meeting, "210103"), code=code_at(meeting, late), at=late)
    assert venue.is_late


def test_an_expired_or_wrong_code_is_refused_and_counted(meeting, hunnan, venue_of):
    then = START
    old_code = code_at(meeting, then)
    venue = venue_of(meeting, "210112")
    with pytest.raises(ValidationError) as exc:
        roll_call.check_in(actor=hunnan, venue=venue, code=old_code, at=then + datetime.timedelta(seconds=61))
    assert "签到码不正确或已过期" in str(exc.value)
    venue.refresh_from_db()
    assert venue.checked_in_at is None and venue.failed_checkins == 1


def test_nobody_checks_in_for_another_unit_not_even_its_city(meeting, shenyang, shenhe, ganjingzi, venue_of):
    venue = venue_of(meeting, "210112")
    code = code_at(meeting, START)
    for other in (shenhe, ganjingzi, shenyang):
        with pytest.raises(PermissionDenied):
            roll_call.check_in(actor=other, venue=venue, code=code, at=START)
    venue.refresh_from_db()
    assert venue.checked_in_at is None


def test_check_in_is_closed_before_the_notice_and_after_the_end(meeting, province, hunnan, venue_of):
    services.transition_meeting(actor=province, meeting=meeting, action="start")
    services.transition_meeting(actor=province, meeting=meeting, action="end")
    with pytest.raises(ValidationError):
        roll_call.check_in(actor=hunnan, venue=venue_of(meeting, "210112"), code=code_at(meeting, START), at=START)


def test_a_county_sees_only_meetings_where_it_is_a_venue_and_only_its_own_venue(
    meeting, province, hunnan, shenyang, ganjingzi
):
    small = services.create_meeting(
        actor=province,
        title="大连片区专题会",
        starts_at=START,
        main_unit=province.unit,
        venue_units=[OrgUnit.objects.get(code="210211")],
    )
    assert set(visible_meetings(hunnan)) == {meeting}
    assert set(visible_meetings(ganjingzi)) == {meeting, small}
    assert set(visible_meetings(province)) == {meeting, small}
    total, rows = attendance_for(hunnan, meeting)
    assert total.expected == 1 and [r.name for r in rows] == ["沈阳市"]
    total, rows = attendance_for(shenyang, meeting)
    assert total.expected == 14 and len(rows) == 1  # 沈阳市 itself and its 13 districts and counties


def test_attendance_by_city_counts_check_ins_leaves_and_late_ones(
    meeting, hunnan, shenhe, shenyang, province, venue_of
):
    roll_call.check_in(actor=shenyang, venue=venue_of(meeting, "210100"), code=code_at(meeting, START), at=START)
    late = START + datetime.timedelta(minutes=20)
    roll_call.check_in(actor=hunnan, venue=venue_of(meeting, "210112"), code=code_at(meeting, late), at=late)
    roll_call.answer_receipt(actor=shenhe, venue=venue_of(meeting, "210103"), attending=False, leave_reason="防汛")
    total, rows = attendance_for(province, meeting)
    city = next(r for r in rows if r.code == "210100")
    assert (city.expected, city.present, city.late, city.leave, city.absent) == (14, 2, 1, 1, 11)
    assert (total.expected, total.present, total.leave) == (114, 2, 1)
    assert len(rows) == 14


def test_relay_reports_come_from_the_venue_and_the_missing_ones_are_listed(meeting, hunnan, shenhe, province):
    services.report_relay(
        actor=hunnan,
        meeting=meeting,
        unit=hunnan.unit,
        relayed_on=datetime.date(2018, 3, 22),
        form="party_committee",
        attendees=35,
        text="区委常委会传达学习会议精神，研究制定落实措施。",
    )
    with pytest.raises(PermissionDenied):
        services.report_relay(
            actor=shenhe,
            meeting=meeting,
            unit=hunnan.unit,
            relayed_on=datetime.date(2018, 3, 22),
            form="other",
            text="x",
        )
    with pytest.raises(ValidationError) as exc:
        services.report_relay(
            actor=shenhe, meeting=meeting, unit=shenhe.unit, relayed_on=datetime.date(2018, 3, 1), form="bogus", text=""
        )
    assert {"form", "text", "relayed_on"} <= set(exc.value.message_dict)
    reports, missing = relay_status(province, meeting)
    assert [r.unit.code for r in reports] == ["210112"] and len(missing) == 113
    reports, missing = relay_status(shenhe, meeting)
    assert reports == [] and [u.code for u in missing] == ["210103"]
