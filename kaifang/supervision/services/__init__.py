"""Writes for supervised tasks. Views, the API, the CLI, the meetings area and the demo call these.

`actor` is a User, or a `SystemActor` ("demo", "cli", "system") for non-human writers, which skip the
role checks (a plain string is refused). Every function validates, writes and records
its audit event in one transaction.
"""

from kaifang.supervision.services.extensions import decide_extension, request_extension
from kaifang.supervision.services.progress import add_attachment, set_milestone_done, submit_progress_report
from kaifang.supervision.services.splitting import split_task
from kaifang.supervision.services.tasks import create_task, next_task_code, transition, update_task
from kaifang.supervision.services.urging import escalate_task, issue_notice, urge_task

__all__ = [
    "add_attachment",
    "create_task",
    "decide_extension",
    "escalate_task",
    "issue_notice",
    "next_task_code",
    "request_extension",
    "set_milestone_done",
    "split_task",
    "submit_progress_report",
    "transition",
    "update_task",
    "urge_task",
]
