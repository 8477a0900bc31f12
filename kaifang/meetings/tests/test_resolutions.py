"""Resolutions and confirmed speech drafts become draft tasks — once, all or nothing, never published."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kaifang.meetings.models import Resolution, SpeechDraft
from kaifang.meetings.services import resolutions
from kaifang.orgs.models import OrgUnit
from kaifang.supervision.models import Task

pytestmark = pytest.mark.django_db

SPEECH = (
    "全省对外开放工作会议召开\n"
    "省长在讲话中强调，一是要主动融入一带一路建设，扩大与日韩的经贸合作。"
    "二是要推动沿海经济带开放发展，大连要发挥龙头作用。"
    "三是要加快跨境电商综试区建设，扩大外贸进出口。"
)


def test_a_resolution_becomes_a_draft_task_in_one_click_and_a_second_click_changes_nothing(meeting, province):
    dalian = OrgUnit.objects.get(code="210200")
    resolution = resolutions.add_resolution(
        actor=province,
        meeting=meeting,
        title="推动沿海经济带开放发展",
        excerpt="二是要推动沿海经济带开放发展，大连要发挥龙头作用。",
        speaker="省长",
        lead_unit=dalian,
        deadline=datetime.date(2018, 12, 31),
    )
    task_id, created = resolutions.make_task_from_resolution(actor=province, resolution=resolution)
    assert created
    task = Task.objects.get(pk=task_id)
    assert task.source_meeting_id == meeting.pk and task.lead_unit == dalian
    assert "龙头作用" in task.source_excerpt and task.state == "draft"
    again, created = resolutions.make_task_from_resolution(actor=province, resolution=resolution)
    assert (again, created) == (task_id, False) and Task.objects.count() == 1


def test_a_resolution_without_lead_unit_or_deadline_is_refused_and_others_may_not_convert(meeting, province, shenyang):
    resolution = resolutions.add_resolution(actor=province, meeting=meeting, title="压实工作责任")
    with pytest.raises(ValidationError) as exc:
        resolutions.make_task_from_resolution(actor=province, resolution=resolution)
    assert {"lead_unit", "deadline"} <= set(exc.value.message_dict)
    with pytest.raises(PermissionDenied):
        resolutions.add_resolution(actor=shenyang, meeting=meeting, title="x")
    assert not Task.objects.exists()


def test_a_parsed_speech_is_a_draft_until_confirmed_then_tasks_and_resolutions_appear_once(meeting, province):
    draft = resolutions.save_speech_draft(actor=province, text=SPEECH, meeting=meeting)
    items = draft.items()
    assert [i["title"] for i in items][:2] == [
        "主动融入一带一路建设，扩大与日韩的经贸合作",
        "推动沿海经济带开放发展，大连要发挥龙头作用",
    ]
    assert not Task.objects.exists()
    swt = OrgUnit.objects.get(code="SWT")
    chosen = [
        resolutions.ConfirmedItem(title=i["title"], body=i["text"], lead_unit=swt, deadline=datetime.date(2018, 12, 31))
        for i in items
    ]
    ids = resolutions.confirm_speech_draft(actor=province, draft=draft, items=chosen)
    assert len(ids) == 3 == Task.objects.filter(source_meeting_id=meeting.pk, state="draft").count()
    assert Resolution.objects.filter(meeting=meeting, task_id__in=ids).count() == 3
    with pytest.raises(ValidationError) as exc:
        resolutions.confirm_speech_draft(actor=province, draft=draft, items=chosen)
    assert "已经确认过" in exc.value.messages[0]
    assert Task.objects.count() == 3


def test_confirming_with_one_bad_row_creates_nothing(province):
    draft = resolutions.save_speech_draft(actor=province, text=SPEECH)
    swt = OrgUnit.objects.get(code="SWT")
    rows = [
        resolutions.ConfirmedItem(title="甲", body="", lead_unit=swt, deadline=datetime.date(2018, 12, 31)),
        resolutions.ConfirmedItem(title="乙", body="", lead_unit=None, deadline=datetime.date(2018, 12, 31)),
    ]
    with pytest.raises(ValidationError):
        resolutions.confirm_speech_draft(actor=province, draft=draft, items=rows)
    assert not Task.objects.exists() and SpeechDraft.objects.get(pk=draft.pk).confirmed_at is None


def test_only_province_supervisors_parse_and_empty_or_huge_text_is_refused(province, shenyang):
    with pytest.raises(PermissionDenied):
        resolutions.save_speech_draft(actor=shenyang, text=SPEECH)
    for text in ["", "   \n  ", "一" * (resolutions.MAX_SPEECH_CHARS + 1)]:
        with pytest.raises(ValidationError):
            resolutions.save_speech_draft(actor=province, text=text)
    assert not SpeechDraft.objects.exists()
