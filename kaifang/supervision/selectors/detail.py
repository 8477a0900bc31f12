"""Reads for one task's page and for links from other areas: its timeline, open help requests, and
short descriptions of tasks by id (`task_links`, used by the meetings area)."""

from __future__ import annotations

from typing import Any

from kaifang.supervision.models import OPEN_STATES, ProgressReport, SupervisionAction, Task, TaskTransition


def timeline(task: Task) -> list[dict[str, Any]]:
    """Transitions, progress reports and supervision actions of one task, in time order."""
    items: list[dict[str, Any]] = []
    for t in TaskTransition.objects.filter(task=task):
        items.append({"kind": "transition", "on": t.on, "at": t.at, "obj": t})
    for r in ProgressReport.objects.filter(task=task).select_related("unit"):
        items.append({"kind": "report", "on": r.reported_on, "at": r.reported_at, "obj": r})
    for a in SupervisionAction.objects.filter(task=task):
        items.append({"kind": a.kind, "on": a.on, "at": a.at, "obj": a})
    items.sort(key=lambda item: (item["on"], item["kind"] != "transition", item["at"]))
    return items


def help_requests(user: Any, *, limit: int = 8) -> list[ProgressReport]:
    """The latest progress reports asking for help (需协调事项) on open tasks the user may see."""
    tasks = Task.objects.visible_to(user).filter(state__in=OPEN_STATES)
    return list(
        ProgressReport.objects.filter(task__in=tasks)
        .exclude(help_needed="")
        .select_related("task", "unit")
        .order_by("-reported_on", "-id")[:limit]
    )


def task_links(user: Any, ids: list[int]) -> list[dict[str, Any]]:
    """Code, title, state and page of the tasks `ids` that `user` may see (for links elsewhere)."""
    found = Task.objects.visible_to(user).filter(pk__in=ids).only("pk", "code", "title", "state")
    by_id = {task.pk: task for task in found}
    return [
        {"id": pk, "code": t.code, "title": t.title, "state": t.get_state_display(), "url": f"/supervision/tasks/{pk}/"}
        for pk in ids
        if (t := by_id.get(pk)) is not None
    ]
