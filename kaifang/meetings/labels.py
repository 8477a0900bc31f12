"""Words for the codes of 会议 (audit actions, fields and values of before → after); see kaifang.labels."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kaifang.meetings.models import MeetingKind, MeetingStatus, ReceiptStatus, RelayForm

AUDIT_ACTIONS = {
    "meetings.meeting.create": _("创建会议"),
    "meetings.meeting.update": _("修改会议"),
    "meetings.meeting.set_venues": _("调整分会场"),
    "meetings.meeting.notify": _("发出会议通知"),
    "meetings.meeting.start": _("开始会议"),
    "meetings.meeting.end": _("结束会议"),
    "meetings.meeting.cancel": _("取消会议"),
    "meetings.venue.update": _("修改会场信息"),
    "meetings.venue.receipt": _("提交回执"),
    "meetings.venue.check_in": _("签到"),
    "meetings.venue.manual_check_in": _("补签"),
    "meetings.venue.check_in_batch": _("批量签到"),
    "meetings.document.add": _("上传会议文件"),
    "meetings.resolution.add": _("登记会议确定事项"),
    "meetings.resolution.make_task": _("会议事项转为督办"),
    "meetings.speech.parse": _("解析讲话稿"),
    "meetings.speech.confirm": _("确认讲话稿事项"),
    "meetings.relay.report": _("报送传达落实情况"),
}
NOTICE_KINDS: dict[str, object] = {}
FIELDS = {
    "title": _("会议名称"),
    "kind": _("会议类型"),
    "status": _("状态"),
    "starts_at": _("开始时间"),
    "ends_at": _("结束时间"),
    "main_room": _("主会场地点"),
    "main_contact": _("主会场联系人"),
    "main_phone": _("联系电话"),
    "main_unit": _("主会场"),
    "room": _("会场地点"),
    "contact_name": _("联系人"),
    "contact_phone": _("联系电话"),
    "unit": _("单位"),
    "receipt_status": _("回执"),
    "leader_name": _("参会领导"),
    "leader_title": _("职务"),
    "head_count": _("参会人数"),
    "leave_reason": _("请假事由"),
    "checked_in_at": _("签到时间"),
    "late": _("迟到"),
    "checked_in": _("已签到"),
    "note": _("补签原因"),
    "relayed_on": _("传达日期"),
    "form": _("传达形式"),
    "attendees": _("参加人数"),
    "meeting": _("会议"),
    "speaker": _("讲话人"),
    "venues": _("分会场"),
    "conference_link": _("视频会议室链接"),
    "agenda": _("会议议程"),
    "late_grace_minutes": _("迟到宽限（分钟）"),
}
VALUES = {
    "kind": dict(MeetingKind.choices),
    "status": dict(MeetingStatus.choices),
    "receipt_status": dict(ReceiptStatus.choices),
    "form": dict(RelayForm.choices),
}
