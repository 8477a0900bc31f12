"""A division change moves the ended unit's accounts to its heir (see `kaifang.orgs.movers`).

The account keeps its role and its grant (the people and their duties are the same; only the
unit's name or territory changed); the posting history closes the old stretch and opens the new
one, naming the change.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kaifang.accounts.models import User
from kaifang.accounts.services import _reassign
from kaifang.audit.services import record_event
from kaifang.orgs.movers import Affected, Moves


def accounts(moves: Moves, *, actor: Any, commit: bool) -> list[Affected]:
    out = []
    result_codes = {code for shares in moves.shares.values() for code, _s in shares}
    for source in moves.source_codes:
        if source in result_codes:
            continue
        heir = moves.heirs[source]
        for user in User.objects.filter(unit__code=source).order_by("username"):
            out.append(
                Affected(
                    _("账号"),
                    user.username,
                    f"{user.display_name} {user.get_role_display()}",
                    _("单位改为 %(to)s") % {"to": moves.name(heir)},
                )
            )
            if commit:
                user.unit = moves.units[heir]
                user.version += 1
                user.save(update_fields=["unit", "version"])
                _reassign(user=user, actor=actor, reason=str(moves.change)[:200])
                record_event(
                    actor=actor,
                    action="accounts.user.division_move",
                    obj=user,
                    unit=user.unit,
                    before={"unit": source},
                    after={"unit": heir, "change": moves.change.pk},
                )
    return out


MOVERS = [accounts]
