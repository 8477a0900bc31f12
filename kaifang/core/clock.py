"""The app's one clock: today's date for business rules and the moment every record is stamped with.

`KAIFANG_DEMO_TODAY` (YYYY-MM-DD) pins the date so the 2018 demo stays meaningful; empty means the
real local date. `now()` is that date at the real time of day in the project time zone, so a county
submitting in the demo is stamped on the demo's day, like its audit event and its inbox message.
The demo loader replays history with `pinned(moment)`, which fixes `now()` (and `today()`) for the
block. Rules take `today` as an argument and their callers ask this module, so tests inject any
date they like.

A few timings are wall-clock on purpose (session expiry, sign-in lock-out, password age, TOTP,
the job schedule, backup file names, benchmarks): those call `timezone.now()` and say why.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator
from contextvars import ContextVar

from django.conf import settings
from django.utils import timezone

_pinned_moment: ContextVar[datetime.datetime | None] = ContextVar("kaifang_clock_pinned", default=None)


def _pinned_date() -> datetime.date | None:
    pinned = getattr(settings, "KAIFANG_DEMO_TODAY", "")
    return datetime.date.fromisoformat(str(pinned)) if pinned else None


def now() -> datetime.datetime:
    """The moment to stamp (aware): the moment pinned by `pinned()`; else, with KAIFANG_DEMO_TODAY,
    that date at the real local time of day; else the real moment."""
    moment = _pinned_moment.get()
    if moment is not None:
        return moment
    day = _pinned_date()
    if day is None:
        return timezone.now()
    real = timezone.localtime()
    return real.replace(year=day.year, month=day.month, day=day.day)


def today() -> datetime.date:
    """The business date: the local date of `now()` (KAIFANG_DEMO_TODAY when set)."""
    moment = _pinned_moment.get()
    if moment is not None:
        return timezone.localtime(moment).date()
    day = _pinned_date()
    return day if day is not None else timezone.localdate()


@contextlib.contextmanager
def pinned(moment: datetime.datetime) -> Iterator[None]:
    """Replay history at `moment`: `now()` returns it inside the block. For the demo loader only,
    never for a request."""
    if timezone.is_naive(moment):
        raise ValueError("pinned() needs an aware datetime")
    token = _pinned_moment.set(moment)
    try:
        yield
    finally:
        _pinned_moment.reset(token)
