"""Per-request (or per-command) context the audit trail reads: channel, client IP, request id."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class ChangeContext:
    channel: str = "system"  # web | api | import | cli | system | job
    ip: str | None = None
    request_id: str = ""


_current: ContextVar[ChangeContext] = ContextVar("kaifang_change_context", default=ChangeContext())  # noqa: B039 (frozen, so sharing it is safe)


def current() -> ChangeContext:
    return _current.get()


@contextlib.contextmanager
def change_context(**changes: str | None) -> Iterator[ChangeContext]:
    """Run a block under another channel (e.g. `with change_context(channel="import"):`)."""
    ctx = replace(_current.get(), **changes)  # type: ignore[arg-type]
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def start_request(*, channel: str, ip: str | None) -> object:
    return _current.set(ChangeContext(channel=channel, ip=ip, request_id=str(uuid.uuid4())))


def end_request(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
