"""kaifang meeting_attendance MEETING_ID --user USERNAME [--json]: 参会统计 by city, as that user sees it."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404
from django.utils import timezone

from kaifang.accounts.models import User
from kaifang.meetings.selectors import attendance_for, get_meeting_for_user
from kaifang.meetings.stats import AttendanceRow

COLUMNS = ("expected", "present", "leave", "late", "absent")


class Command(BaseCommand):
    help = "按市列出会议的应到、实到、请假、迟到、缺席和参会率（按指定账号的权限范围）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("meeting_id", type=int, help="会议编号（会议页面地址中的数字）")
        parser.add_argument("--user", required=True, help="以哪个账号的权限范围统计")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args: Any, meeting_id: int, user: str, **options: Any) -> None:
        viewer = User.objects.filter(username=user, is_active=True).select_related("unit").first()
        if viewer is None:
            raise CommandError(f"用户不存在或已停用：{user}")
        try:
            meeting = get_meeting_for_user(viewer, meeting_id)
        except Http404:
            raise CommandError(f"会议 {meeting_id} 不存在，或不在 {user} 的权限范围内。") from None
        total, cities = attendance_for(viewer, meeting)
        if options["json"]:
            rows = [_as_dict(r) for r in cities]
            self.stdout.write(json.dumps({"total": _as_dict(total), "cities": rows}, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{meeting.title}（{timezone.localtime(meeting.starts_at):%Y-%m-%d %H:%M}）")
        self.stdout.write("地区          应到  实到  请假  迟到  缺席   参会率")
        for row in [*cities, total]:
            numbers = "".join(f"{getattr(row, c):>6}" for c in COLUMNS)
            rate = f"{row.rate}%" if row.rate is not None else "—"
            self.stdout.write(f"{row.name:<8}{numbers}{rate:>9}")


def _as_dict(row: AttendanceRow) -> dict[str, Any]:
    data: dict[str, Any] = {"code": row.code, "name": row.name, **{c: getattr(row, c) for c in COLUMNS}}
    data["rate"] = str(row.rate) if row.rate is not None else None
    return data
