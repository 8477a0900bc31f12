"""Who acts: a signed-in user, or code acting on its own behalf (`SystemActor`).

Services take `actor=`: a `kaifang.accounts.models.User` (scope and role decide what it may do), or
a `SystemActor` — the demo loader, a migration-like job — which is trusted for every unit. Scope
rules ask `is_system_actor` in one place (`kaifang.accounts.permissions.can_write_for_unit`); a plain
string is never trusted.
"""

from __future__ import annotations

from typing import Any


class SystemActor(str):
    """A non-human actor named by what it is: `SystemActor(name="demo")`.

    It is a `str` so that the audit trail and the areas that still name non-human actors by a plain
    string ("demo", "cli") record it unchanged; unlike a plain string it is trusted for every unit.
    """

    __slots__ = ()

    def __new__(cls, name: str) -> SystemActor:
        if not name:
            raise ValueError("a system actor needs a name")
        return super().__new__(cls, name)

    @property
    def name(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"SystemActor({self.name!r})"


def is_system_actor(actor: Any) -> bool:
    """True for a `SystemActor` (code acting for any unit), False for users and plain strings."""
    return isinstance(actor, SystemActor)
