"""kaifang parse_speech, and the demo teleconference."""

import json

import pytest
from django.core.management import CommandError, call_command

from kaifang.meetings.demo import MEETING_TITLE, load_meetings_demo
from kaifang.meetings.selectors import attendance_for, relay_status
from kaifang.supervision.models import Task

pytestmark = pytest.mark.django_db


def test_parse_speech_prints_an_outline_or_json_and_creates_nothing(tmp_path, capsys):
    speech = tmp_path / "speech.txt"
    speech.write_text(
        "市长强调，一是要抓好项目建设。加快推进重点项目。二要优化营商环境，提升服务效率。", encoding="utf-8"
    )
    call_command("parse_speech", str(speech))
    out = capsys.readouterr().out
    assert "【市长】" in out and "1. 抓好项目建设" in out and "共识别 1 段讲话、2 条工作要求" in out
    call_command("parse_speech", str(speech), "--json")
    data = json.loads(capsys.readouterr().out)
    assert [i["title"] for i in data["segments"][0]["items"]] == ["抓好项目建设", "优化营商环境，提升服务效率"]
    assert not Task.objects.exists()


def test_parse_speech_refuses_missing_empty_and_fake_docx_files_in_chinese(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    fake = tmp_path / "fake.docx"
    fake.write_bytes(b"not a zip at all")
    for path, message in [(tmp_path / "nope.txt", "找不到文件"), (empty, "文件为空"), (fake, "不是有效的 Word")]:
        with pytest.raises(CommandError, match=message):
            call_command("parse_speech", str(path))


def test_the_demo_teleconference_has_every_city_and_county_and_realistic_attendance(province, shenyang):
    meeting = load_meetings_demo()
    assert load_meetings_demo().pk == meeting.pk  # idempotent
    assert meeting.title == MEETING_TITLE and meeting.status == "ended"
    assert meeting.venues.filter(unit__kind="city").count() == 14
    assert meeting.venues.filter(unit__kind="county").count() == 100
    total, cities = attendance_for(province, meeting)
    assert (total.expected, total.present, total.leave, total.late, total.absent) == (114, 109, 4, 7, 1)
    assert len(cities) == 14
    assert {d.speaker for d in meeting.documents.all()} == {"省委书记", "省长"}
    reports, missing = relay_status(province, meeting)
    assert sum(1 for r in reports if r.unit.kind == "city") == 12 and missing
    total, _ = attendance_for(shenyang, meeting)
    assert total.expected == 14


def test_meeting_attendance_prints_the_city_table_in_the_users_scope(capsys, province, shenyang):
    meeting = load_meetings_demo()
    call_command("meeting_attendance", str(meeting.pk), "--user", "province")
    out = capsys.readouterr().out
    assert "沈阳市" in out and "大连市" in out and "95.6%" in out
    call_command("meeting_attendance", str(meeting.pk), "--user", "shenyang", "--json")
    data = json.loads(capsys.readouterr().out)
    assert [c["name"] for c in data["cities"]] == ["沈阳市"] and data["total"]["expected"] == 14
    with pytest.raises(CommandError, match="用户不存在"):
        call_command("meeting_attendance", str(meeting.pk), "--user", "nobody")
    with pytest.raises(CommandError, match="不在 province 的权限范围内"):
        call_command("meeting_attendance", "999999", "--user", "province")
