"""Meeting pages per persona; another county sees and changes nothing; bad parser input is a clear message."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kaifang.meetings import services
from kaifang.meetings.checkin import current_code
from kaifang.meetings.clock import real_now
from kaifang.meetings.models import Meeting, SpeechDraft
from kaifang.meetings.services import resolutions
from kaifang.orgs.models import OrgUnit
from kaifang.supervision.models import Task

pytestmark = pytest.mark.django_db


def test_the_list_shows_a_county_only_the_meetings_it_takes_part_in(client_for, meeting, province, hunnan):
    services.create_meeting(
        actor=province, title="省直部门专题会", starts_at=meeting.starts_at, main_unit=province.unit, venue_units=[]
    )
    page = client_for(hunnan).get("/meetings/").content.decode()
    assert "全省对外开放工作电视电话会议" in page and "省直部门专题会" not in page
    assert "新建会议" not in page
    page = client_for(province).get("/meetings/").content.decode()
    assert "省直部门专题会" in page and "新建会议" in page


def test_a_county_sees_its_own_venue_only_and_another_meeting_is_a_404(client_for, meeting, province, hunnan):
    other = services.create_meeting(
        actor=province, title="大连片区专题会", starts_at=meeting.starts_at, main_unit=province.unit, venue_units=[]
    )
    c = client_for(hunnan)
    page = c.get(f"/meetings/{meeting.pk}/").content.decode()
    assert 'id="venue-210112"' in page and 'id="venue-210103"' not in page and "本单位分会场" in page
    assert c.get(f"/meetings/{other.pk}/").status_code == 404
    assert c.get(f"/meetings/{meeting.pk}/code/").status_code == 403
    assert c.get(f"/meetings/{meeting.pk}/code.json").status_code == 403


def test_supervisor_creates_a_meeting_with_all_cities_as_venues(client_for, province):
    response = client_for(province).post(
        "/meetings/new/",
        {
            "title": "全省外贸形势分析会",
            "kind": "teleconference",
            "starts_at": "2018-07-10T09:00",
            "late_grace_minutes": "5",
            "venue_sets": ["city"],
        },
    )
    meeting = Meeting.objects.get(title="全省外贸形势分析会")
    assert response.status_code == 302 and meeting.venues.count() == 14
    bad = client_for(province).post("/meetings/new/", {"title": "", "kind": "x", "starts_at": "not a time"})
    assert bad.status_code == 200 and "errors" in bad.content.decode()


def test_a_county_cannot_create_meetings(client_for, hunnan):
    assert client_for(hunnan).get("/meetings/new/").status_code == 403


def test_receipt_and_check_in_through_the_page_and_another_county_cannot_post_for_it(
    client_for, meeting, hunnan, shenhe, venue_of
):
    url = f"/meetings/{meeting.pk}/venues/210112/"
    assert client_for(shenhe).post(url + "receipt/", {"attending": "0", "leave_reason": "x"}).status_code == 404
    assert client_for(shenhe).post(url + "check-in/", {"code": "123456"}).status_code == 404
    c = client_for(hunnan)
    c.post(url + "receipt/", {"attending": "1", "leader_name": "王区长", "leader_title": "区长", "head_count": "5"})
    code = current_code(meeting.checkin_secret, real_now())[0]
    page = c.post(url + "check-in/", {"code": code}, follow=True).content.decode()
    assert "签到成功" in page
    venue = venue_of(meeting, "210112")
    assert venue.leader_name == "王区长" and venue.checked_in_at is not None
    wrong = client_for(shenhe).post(f"/meetings/{meeting.pk}/venues/210103/check-in/", {"code": "abc"}, follow=True)
    assert "签到码不正确或已过期" in wrong.content.decode()


def test_the_main_venue_code_screen_and_its_json(client_for, meeting, province):
    c = client_for(province)
    page = c.get(f"/meetings/{meeting.pk}/code/").content.decode()
    code = current_code(meeting.checkin_secret, real_now())[0]
    assert "<script>" not in page and "meetings.js" in page
    data = c.get(f"/meetings/{meeting.pk}/code.json").json()
    assert data["code"] in {code, current_code(meeting.checkin_secret, real_now())[0]}
    assert data["expected"] == 114 and 0 < data["expires_in"] <= 30


def test_parser_page_is_for_supervisors_and_bad_input_is_a_clear_message_with_nothing_created(
    client_for, province, shenyang
):
    assert client_for(shenyang).get("/meetings/parse/").status_code == 403
    c = client_for(province)
    cases = [
        ({"text": "   "}, "讲话内容为空"),
        ({"file": SimpleUploadedFile("a.txt", b"")}, "文件为空"),
        ({"file": SimpleUploadedFile("a.txt", b"\x00\x01\x02binary\x00" * 50)}, "不是文本文件"),
        ({"file": SimpleUploadedFile("a.docx", b"PK\x03\x04 this is not a zip")}, "不是有效的 Word"),
        ({"file": SimpleUploadedFile("a.txt", "一是要".encode() * 800_000)}, "超过 2 MB"),
        ({"file": SimpleUploadedFile("a.exe", b"MZ\x90\x00")}, "不支持的文件类型"),
    ]
    for data, message in cases:
        response = c.post("/meetings/parse/", data)
        assert response.status_code in (200, 400)
        if response.status_code == 200:
            assert message in response.content.decode()
    assert not SpeechDraft.objects.exists() and not Task.objects.exists()


def test_supervisor_parses_edits_and_confirms_three_items_into_draft_tasks(client_for, meeting, province):
    text = (
        "省委书记强调，一是要主动融入一带一路建设。二是要深化与京津冀的协同合作。"
        "三是要加快跨境电商综试区建设。四是要严督严考，压实工作责任。"
    )
    c = client_for(province)
    response = c.post("/meetings/parse/", {"text": text, "meeting": str(meeting.pk)})
    draft = SpeechDraft.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/meetings/parse/{draft.pk}/"
    page = c.get(response["Location"]).content.decode()
    assert "深化与京津冀的协同合作" in page
    swt_pk = str(OrgUnit.objects.get(code="SWT").pk)
    form = {"form-TOTAL_FORMS": "4", "form-INITIAL_FORMS": "4"}
    for i, item in enumerate(draft.items()):
        form.update(
            {
                f"form-{i}-selected": "on" if i < 3 else "",
                f"form-{i}-speaker": "省委书记",
                f"form-{i}-title": item["title"],
                f"form-{i}-body": item["text"],
                f"form-{i}-lead_unit": swt_pk,
                f"form-{i}-deadline": "2018-12-31",
            }
        )
    page = c.post(f"/meetings/parse/{draft.pk}/", form, follow=True).content.decode()
    assert "已生成 3 项督办事项" in page
    assert Task.objects.filter(source_meeting_id=meeting.pk).count() == 3
    again = c.post(f"/meetings/parse/{draft.pk}/", form, follow=True).content.decode()
    assert "已经确认过" in again and Task.objects.count() == 3


def test_relay_report_through_the_page(client_for, meeting, hunnan, settings):
    settings.KAIFANG_DEMO_TODAY = "2018-07-15"
    c = client_for(hunnan)
    page = c.post(
        f"/meetings/{meeting.pk}/venues/210112/relay/",
        {"relayed_on": "2018-03-23", "form": "party_committee", "attendees": "40", "text": "区委常委会专题传达。"},
        follow=True,
    ).content.decode()
    assert "传达落实情况已报送" in page
    assert meeting.relay_reports.get().relayed_on == datetime.date(2018, 3, 23)


def test_a_venue_sets_its_room_and_contact_and_another_county_cannot(client_for, meeting, hunnan, shenhe, venue_of):
    data = {"room": "区政府三楼视频会议室", "contact_name": "刘填报", "contact_phone": "024-1234 5678"}
    assert client_for(shenhe).post(f"/meetings/{meeting.pk}/venues/210112/details/", data).status_code == 404
    page = client_for(hunnan).post(f"/meetings/{meeting.pk}/venues/210112/details/", data, follow=True)
    assert "会场信息已保存" in page.content.decode()
    assert venue_of(meeting, "210112").room == "区政府三楼视频会议室"


def test_the_home_page_tells_a_venue_what_it_still_owes(client_for, meeting, province, hunnan, dalian):
    page = client_for(hunnan).get("/").content.decode()
    assert "会议待办" in page and "填写回执" in page and meeting.title in page
    services.create_meeting(
        actor=province,
        title="不含浑南的会议",
        starts_at=meeting.starts_at,
        main_unit=meeting.main_unit,
        venue_units=[dalian.unit],
    )
    assert "不含浑南的会议" not in client_for(hunnan).get("/").content.decode()


def _edit_data(meeting, **changes):  # type: ignore[no-untyped-def]
    data = {
        "title": meeting.title,
        "kind": meeting.kind,
        "starts_at": "2018-03-20T09:00",
        "late_grace_minutes": "5",
        "version": str(meeting.version),
        "venue_units": [str(pk) for pk in meeting.venues.values_list("unit_id", flat=True)],
    }
    data.update(changes)
    return data


def test_the_organiser_edits_a_meeting_and_a_stale_edit_keeps_the_typing_and_changes_nothing(
    client_for, meeting, province, shenyang, hunnan
):
    c = client_for(province)
    old_version = meeting.version
    fresh = c.post(f"/meetings/{meeting.pk}/edit/", _edit_data(meeting, title="全省对外开放工作电视电话会议（调整）"))
    assert fresh.status_code == 302
    stale = c.post(
        f"/meetings/{meeting.pk}/edit/", _edit_data(meeting, title="我写的新名称", version=str(old_version))
    ).content.decode()
    assert "已被他人修改" in stale and "我写的新名称" in stale
    meeting.refresh_from_db()
    assert meeting.title == "全省对外开放工作电视电话会议（调整）"
    assert client_for(shenyang).get(f"/meetings/{meeting.pk}/edit/").status_code == 403
    assert client_for(hunnan).post(f"/meetings/{meeting.pk}/edit/", _edit_data(meeting)).status_code == 403


def test_the_organiser_narrows_the_venues_before_the_meeting_starts(client_for, meeting, province):
    cities = [str(pk) for pk in meeting.venues.filter(unit__kind="city").values_list("unit_id", flat=True)]
    response = client_for(province).post(f"/meetings/{meeting.pk}/edit/", _edit_data(meeting, venue_units=cities))
    assert response.status_code == 302 and meeting.venues.count() == 14
    services.transition_meeting(actor=province, meeting=meeting, action="start")
    meeting.refresh_from_db()
    page = client_for(province).post(
        f"/meetings/{meeting.pk}/edit/", _edit_data(meeting, title="改名", venue_units=cities[:1])
    )
    assert "会议已开始" in page.content.decode() and meeting.venues.count() == 14
    meeting.refresh_from_db()
    assert meeting.title != "改名"  # all or nothing


def test_a_resolution_gets_its_lead_unit_and_deadline_in_the_row_and_becomes_a_task_once(
    client_for, meeting, province, shenyang
):
    resolution = resolutions.add_resolution(actor=province, meeting=meeting, title="建立重点外资项目台账")
    c = client_for(province)
    page = c.get(f"/meetings/{meeting.pk}/").content.decode()
    assert f'name="r{resolution.pk}-lead_unit"' in page
    url = f"/meetings/{meeting.pk}/resolutions/{resolution.pk}/task/"
    missing = c.post(url, {}, follow=True).content.decode()
    assert "请选择牵头单位" in missing and not Task.objects.exists()
    assert client_for(shenyang).post(url, {}).status_code == 403
    assert not Task.objects.exists()
    data = {
        f"r{resolution.pk}-lead_unit": str(OrgUnit.objects.get(code="210200").pk),
        f"r{resolution.pk}-deadline": "2018-12-31",
    }
    done = c.post(url, data, follow=True).content.decode()
    assert "已生成督办事项" in done and "已立项" in done
    assert c.post(url, data, follow=True).status_code == 200 and Task.objects.count() == 1
    task = Task.objects.get()
    assert task.lead_unit.code == "210200" and task.source_meeting_id == meeting.pk


def test_only_the_organiser_moves_the_meeting_along_and_signs_a_venue_in_by_hand(
    client_for, meeting, province, hunnan, venue_of
):
    assert client_for(hunnan).post(f"/meetings/{meeting.pk}/action/start/").status_code == 403
    denied = client_for(hunnan).post(f"/meetings/{meeting.pk}/manual-check-in/", {"unit": "210112", "note": "自己补"})
    assert denied.status_code == 403 and venue_of(meeting, "210112").checked_in_at is None
    c = client_for(province)
    wrong = c.post(f"/meetings/{meeting.pk}/action/end/", follow=True).content.decode()
    assert "不能“结束会议”" in wrong
    started = c.post(f"/meetings/{meeting.pk}/action/start/", {"version": str(meeting.version)}, follow=True)
    assert "已开始会议" in started.content.decode()
    page = c.post(
        f"/meetings/{meeting.pk}/manual-check-in/",
        {"unit": "210112", "note": "签到码输入多次失败，电话核实在场"},
        follow=True,
    ).content.decode()
    assert "浑南区已补签" in page
    venue = venue_of(meeting, "210112")
    assert venue.checked_in_at is not None and venue.checkin_note.startswith("签到码输入多次失败")
