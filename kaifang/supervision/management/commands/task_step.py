"""kaifang task_step TASKCODE ACTION --user USERNAME [--reason ...] --commit: take one lifecycle step
(审核 review, 下发 issue, 签收 acknowledge, …) as a user, through the same service as the page and
the API — the four-eyes rule and every other check apply."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from kaifang.accounts.models import User
from kaifang.core.context import change_context
from kaifang.supervision.selectors import get_task_by_code_for_user
from kaifang.supervision.services import transition
from kaifang.supervision.workflow import ACTIONS


class Command(BaseCommand):
    help = "以某账号对督办事项执行一步流转（审核、下发、签收等）。须加 --commit。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="事项编号，如 DB-2018-003")
        parser.add_argument("action", choices=ACTIONS, help="操作：review 审核、issue 下发、acknowledge 签收…")
        parser.add_argument("--user", required=True, help="以哪个账号操作")
        parser.add_argument("--reason", default="", help="退回等操作的理由")
        parser.add_argument("--commit", action="store_true")

    def handle(self, *args: Any, code: str, action: str, user: str, reason: str, commit: bool, **o: Any) -> None:
        actor = User.objects.filter(username=user, is_active=True).select_related("unit").first()
        if actor is None:
            raise CommandError(f"用户不存在或已停用：{user}")
        try:
            task = get_task_by_code_for_user(actor, code)
        except Http404:
            raise CommandError(f"事项 {code} 不存在，或不在 {user} 的权限范围内。") from None
        if not commit:
            self.stdout.write(f"将对 {task.code} {task.title} 执行 {action}，加 --commit 执行。")
            return
        try:
            with change_context(channel="cli"):
                task = transition(actor=actor, task=task, action=action, reason=reason)
        except (ValidationError, PermissionDenied) as exc:
            detail = "；".join(exc.messages) if isinstance(exc, ValidationError) else (str(exc) or "无权操作")
            raise CommandError(detail) from None
        self.stdout.write(f"{task.code} 现为“{task.get_state_display()}”。")
