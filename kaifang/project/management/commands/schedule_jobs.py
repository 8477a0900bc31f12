"""kaifang schedule_jobs [--now]: make sure every recurring job has its one pending run (or run every
job once, now). Safe to run any number of times: it never starts a second cycle."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kaifang.core.batches import reap_dead_runs
from kaifang.jobs import run_all_jobs, schedule_jobs


class Command(BaseCommand):
    help = "确保每个定时任务（提醒、预警、账号清理等）在队列中有且仅有一次待运行；--now 立即执行一次。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="立即在本进程执行一次全部定时任务")

    def handle(self, *args: Any, now: bool, **options: Any) -> None:
        if now:
            for name, outcome in run_all_jobs().items():
                self.stdout.write(f"{name}: {outcome}")
            return
        reaped = reap_dead_runs()
        enqueued = schedule_jobs()
        self.stdout.write(f"定时任务：新排入 {enqueued} 个（已在队列中的不重复排入）；清理中断的后台任务 {reaped} 个。")
