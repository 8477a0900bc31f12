"""kaifang schedule_jobs [--now]: start the recurring job cycle (or run every job once, now)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kaifang.core.jobs import run_all_jobs, run_scheduled_jobs


class Command(BaseCommand):
    help = "启动定时任务循环（提醒、预警、账号清理）；--now 立即执行一次。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="立即在本进程执行一次全部定时任务")

    def handle(self, *args: Any, now: bool, **options: Any) -> None:
        if now:
            for name, outcome in run_all_jobs().items():
                self.stdout.write(f"{name}: {outcome}")
            return
        result = run_scheduled_jobs.enqueue()
        self.stdout.write(f"定时任务已加入队列：{result.id}")
