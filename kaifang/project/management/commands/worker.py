"""kaifang worker [db_worker options]: the background worker. Before taking tasks it fails the tasks
(and batches) of workers on this host that died, and makes sure every recurring job is scheduled
once; it runs under an id made of host and process, so the next start can tell its dead runs."""

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

from kaifang.core.batches import reap_dead_runs, worker_id
from kaifang.jobs import schedule_jobs


class Command(DatabaseWorker):
    help = "后台任务处理进程：启动时清理已中断的任务、排入定时任务，然后处理队列。"

    def handle(self, *args: Any, **options: Any) -> None:
        options["worker_id"] = worker_id()
        reap_dead_runs()
        schedule_jobs()
        super().handle(*args, **options)
