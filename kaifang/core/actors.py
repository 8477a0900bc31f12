"""Who acts: a signed-in user, or code acting on its own behalf (`SystemActor`).

Services take `actor: Actor` — a `kaifang.accounts.models.User` (scope and role decide what it may
do) or a `SystemActor` (the demo loader, a CLI command, a background job), which is trusted for every
unit. Services ask `is_system_actor(actor)`, never `isinstance(actor, str)`; a plain string is
refused with `PlainStringActor` (a `TypeError`: it is a programming error, not a user's), so no
caller can slip past scope by passing "demo" or "cli".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # typing only: core imports no business app at run time
    from kaifang.accounts.models import User


class PlainStringActor(TypeError):
    """A service was handed a plain string where a user or a `SystemActor` belongs."""


class SystemActor(str):
    """A non-human actor named by what it is: `SystemActor("demo")`, `SystemActor("cli")`.

    It is a `str` so that the audit trail records its name unchanged; unlike a plain string it is
    trusted for every unit.
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


class UnverifiedName(str):
    """A name someone typed but did not prove — the account a failed sign-in tried. The audit trail
    records it; it is trusted for nothing (it is not a system actor, and has no role or unit)."""

    __slots__ = ()


type Actor = User | SystemActor  # lazily evaluated: no import of accounts at run time


def is_system_actor(actor: Any) -> bool:
    """True for a `SystemActor`, False for a user; a plain string is refused."""
    if isinstance(actor, SystemActor):
        return True
    if isinstance(actor, str) and not isinstance(actor, UnverifiedName):
        raise PlainStringActor(f"plain string actor {actor!r} refused: pass SystemActor({actor!r}) or a user")
    return False


def actor_user(actor: Any) -> Any:
    """The user behind `actor` (for `created_by`-style foreign keys), or None for a system actor."""
    return None if is_system_actor(actor) or getattr(actor, "pk", None) is None else actor


def actor_name(actor: Any) -> str:
    """The name recorded for `actor`: the system actor's name, or the user's username."""
    if is_system_actor(actor):
        return str(actor.name)
    if isinstance(actor, UnverifiedName):
        return str.__str__(actor)
    return str(getattr(actor, "username", "") or "")


def actor_display_name(actor: Any) -> str:
    """Like `actor_name`, preferring a user's display name."""
    if is_system_actor(actor):
        return str(actor.name)
    return str(getattr(actor, "display_name", "") or getattr(actor, "username", "") or "")
