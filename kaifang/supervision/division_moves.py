"""A division change hands the ended unit's open tasks to its heir (see `kaifang.orgs.movers`).

Closed tasks stay with the unit that did them; every task not yet closed (销号) moves: as lead,
issuer or co-operating unit. A unit that continues (a split keeping its code) keeps its tasks.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from kaifang.audit.services import record_event
from kaifang.core import clock
from kaifang.orgs.movers import Affected, Moves
from kaifang.supervision.models import Task, TaskState


def open_tasks(moves: Moves, *, actor: Any, commit: bool) -> list[Affected]:
    out = []
    result_codes = {code for shares in moves.shares.values() for code, _s in shares}
    for source in moves.source_codes:
        heir = moves.heirs[source]
        if source in result_codes:
            continue
        tasks = (
            Task.objects.exclude(state=TaskState.CLOSED)
            .filter(Q(lead_unit__code=source) | Q(issuer_unit__code=source) | Q(co_units__code=source))
            .distinct()
            .select_related("lead_unit", "issuer_unit")
            .order_by("code")
        )
        for task in tasks:
            out.append(Affected(_("督办事项"), task.code, task.title, _("移交 %(to)s") % {"to": moves.name(heir)}))
            if commit:
                _move(task, source, moves.units[heir], actor, moves.change.pk)
    return out


def _move(task: Task, source: str, heir: Any, actor: Any, change_id: int) -> None:
    before = {"lead_unit": task.lead_unit.code, "issuer_unit": task.issuer_unit.code}
    if task.lead_unit.code == source:
        task.lead_unit = heir
    if task.issuer_unit.code == source:
        task.issuer_unit = heir
    co = [u for u in task.co_units.all() if u.code != source]
    if len(co) != task.co_units.count():
        task.co_units.set([*co, heir] if heir.pk != task.lead_unit_id else co)
    task.version += 1
    task.updated_at = clock.now()
    task.save()
    record_event(
        actor=actor,
        action="supervision.task.division_move",
        obj=task,
        unit=heir,
        before=before,
        after={"lead_unit": task.lead_unit.code, "issuer_unit": task.issuer_unit.code, "change": change_id},
    )


MOVERS = [open_tasks]
