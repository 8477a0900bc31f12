"""kaifang urge TASKCODE --message ... --user USERNAME --commit: 催办 a task as a supervisor."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from kaifang.accounts.models import User
from kaifang.core.context import change_context
from kaifang.supervision.selectors import get_task_by_code_for_user
from kaifang.supervision.services import urge_task


class Command(BaseCommand):
    help = "以督查人员身份催办督办事项（站内通知牵头单位）。须加 --commit。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="事项编号，如 DB-2018-003")
        parser.add_argument("--message", required=True, help="催办内容")
        parser.add_argument("--user", required=True, help="以哪个账号催办（须有督办权限）")
        parser.add_argument("--commit", action="store_true")

    def handle(self, *args: Any, code: str, message: str, user: str, commit: bool, **options: Any) -> None:
        actor = User.objects.filter(username=user, is_active=True).select_related("unit").first()
        if actor is None:
            raise CommandError(f"用户不存在或已停用：{user}")
        try:
            task = get_task_by_code_for_user(actor, code)
        except Http404:
            raise CommandError(f"事项 {code} 不存在，或不在 {user} 的权限范围内。") from None
        if not commit:
            self.stdout.write(f"将催办 {task.code} {task.title}（牵头单位：{task.lead_unit.name}），加 --commit 执行。")
            return
        try:
            with change_context(channel="cli"):
                urge_task(actor=actor, task=task, message=message)
        except (ValidationError, PermissionDenied) as exc:
            detail = "；".join(exc.messages) if isinstance(exc, ValidationError) else (str(exc) or "无权操作")
            raise CommandError(detail) from None
        self.stdout.write(f"已催办 {task.code}（{task.lead_unit.name}）。")
