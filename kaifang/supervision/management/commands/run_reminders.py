"""kaifang run_reminders: run the task reminder job once (idempotent) and print what it sent."""

from typing import Any

from django.core.management.base import BaseCommand

from kaifang.core.context import change_context
from kaifang.supervision.jobs import send_task_reminders


class Command(BaseCommand):
    help = "立即执行一次督办提醒（临期、超期、缺报），重复执行不会重复提醒。"

    def handle(self, *args: Any, **options: Any) -> None:
        with change_context(channel="cli"):
            counts = send_task_reminders()
        self.stdout.write(f"督办提醒已发送：{counts}")
