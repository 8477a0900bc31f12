"""A division change hands the ended unit's ledger projects to its heir (see `kaifang.orgs.movers`).

The responsible unit (责任单位) moves; the counting facts frozen when a project was first signed or
started (where it was counted then) stay as they were, so past counts do not change.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kaifang.audit.services import record_event
from kaifang.ledgers.models import InvestmentProject
from kaifang.orgs.movers import Affected, Moves


def projects(moves: Moves, *, actor: Any, commit: bool) -> list[Affected]:
    out = []
    result_codes = {code for shares in moves.shares.values() for code, _s in shares}
    for source in moves.source_codes:
        if source in result_codes:
            continue
        heir = moves.heirs[source]
        for project in InvestmentProject.objects.filter(unit__code=source).order_by("external_id"):
            out.append(
                Affected(_("招商项目"), project.external_id, project.name, _("移交 %(to)s") % {"to": moves.name(heir)})
            )
            if commit:
                before = {"unit": source}
                project.unit = moves.units[heir]
                project.version += 1
                project.save(update_fields=["unit", "version"])
                record_event(
                    actor=actor,
                    action="ledgers.project.division_move",
                    obj=project,
                    unit=project.unit,
                    before=before,
                    after={"unit": heir, "change": moves.change.pk},
                )
    return out


MOVERS = [projects]
