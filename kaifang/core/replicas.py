"""Read replicas: which database a read goes to (issue 17).

`KAIFANG_REPLICA_URLS` names streaming hot standbys (comma-separated database URLs); settings add
them as `replica1`, `replica2`, … Only work marked read-only goes to a replica — a request the
middleware (`kaifang.core.replica_middleware`) recognises as cockpit, explorer, rankings, exports,
bulletins or an API GET, or a block under `reading()`. Everything else, every write, every read
inside a transaction on the primary, the accounts/session/task tables, and any read by a user who
wrote in the last `KAIFANG_REPLICA_READ_YOUR_WRITES_SECONDS` goes to the primary ("default").

A replica is used only while healthy: its lag is measured at most every
`KAIFANG_REPLICA_CHECK_SECONDS` (zero when it has replayed everything the primary has written,
else the age of its last replayed transaction, `pg_last_xact_replay_timestamp()`); a replica
further behind than `KAIFANG_REPLICA_MAX_LAG_SECONDS`, or one that does not answer, is skipped
until the next check, and the read goes to the primary.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections

PRIMARY = "default"
READ_ONLY = "read_only"
# Tables a request must always read fresh: sign-in, sessions, permissions, the task queue.
PRIMARY_ONLY_APPS = frozenset(
    {"auth", "accounts", "sessions", "contenttypes", "admin", "django_tasks_db", "security", "notifications"}
)

log = logging.getLogger("kaifang.replicas")
_mode: ContextVar[str | None] = ContextVar("kaifang_db_mode", default=None)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


@contextlib.contextmanager
def reading() -> Iterator[None]:
    """Mark a block as read-only work: its reads may go to a healthy replica."""
    token = _mode.set(READ_ONLY)
    try:
        yield
    finally:
        _mode.reset(token)


@contextlib.contextmanager
def primary() -> Iterator[None]:
    """Force the primary for a block (e.g. a read that must see what was just written)."""
    token = _mode.set(PRIMARY)
    try:
        yield
    finally:
        _mode.reset(token)


def is_read_only() -> bool:
    return _mode.get() == READ_ONLY


# --- Health -----------------------------------------------------------------------------------


@dataclass
class Health:
    checked_at: float = 0.0
    usable: bool = False
    lag_seconds: float | None = None
    error: str = ""


_health: dict[str, Health] = {}
_health_lock = threading.Lock()
_round_robin = itertools.count()


def _current_lsn() -> str | None:
    if connections[PRIMARY].vendor != "postgresql":
        return None
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return str(cursor.fetchone()[0])


def measure_lag(alias: str) -> float:
    """Seconds the replica is behind the primary: 0 when it has replayed everything the primary
    has written; otherwise now − the commit time of the last transaction it replayed."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return 0.0
    primary_lsn = _current_lsn()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_is_in_recovery(), "
            "  COALESCE(pg_last_wal_replay_lsn() >= %s::pg_lsn, false), "
            "  EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())",
            [primary_lsn],
        )
        in_recovery, caught_up, age = cursor.fetchone()
    if not in_recovery or caught_up:
        return 0.0
    return float(age) if age is not None else float("inf")


def check(alias: str, *, force: bool = False) -> Health:
    """The replica's health, re-measured when older than the check interval."""
    now = time.monotonic()
    interval = settings.KAIFANG_REPLICA_CHECK_SECONDS
    state = _health.get(alias)
    if state is not None and not force and now - state.checked_at < interval:
        return state
    with _health_lock:
        state = Health(checked_at=now)
        try:
            state.lag_seconds = measure_lag(alias)
            state.usable = state.lag_seconds <= settings.KAIFANG_REPLICA_MAX_LAG_SECONDS
            if not state.usable:
                log.warning("replica %s skipped: %.1f s behind", alias, state.lag_seconds)
        except DatabaseError as exc:
            state.error = str(exc).strip()[:200]
            log.warning("replica %s skipped: %s", alias, state.error)
            with contextlib.suppress(DatabaseError):
                connections[alias].close()
        _health[alias] = state
        return state


def mark_down(alias: str, error: str) -> None:
    """A query on the replica failed: skip it until the next check."""
    _health[alias] = Health(checked_at=time.monotonic(), usable=False, error=error[:200])
    with contextlib.suppress(DatabaseError):
        connections[alias].close()


def reset() -> None:
    _health.clear()


def healthy_replica() -> str | None:
    aliases = replica_aliases()
    if not aliases:
        return None
    start = next(_round_robin)
    for offset in range(len(aliases)):
        alias = aliases[(start + offset) % len(aliases)]
        if check(alias).usable:
            return alias
    return None


# --- Router -----------------------------------------------------------------------------------


class ReplicaRouter:
    """Reads of read-only work → a healthy replica; everything else → the primary."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if not replica_aliases():
            return None
        if not is_read_only() or model._meta.app_label in PRIMARY_ONLY_APPS:  # type: ignore[attr-defined]
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:  # reading inside a write: see what it wrote
            return PRIMARY
        return healthy_replica() or PRIMARY

    def db_for_write(self, model: type, **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # replicas hold the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY
