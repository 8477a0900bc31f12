"""Now and today for meetings, following the business clock (`kaifang.core.clock`, which the demo
pins to a day in 2018) while keeping the real time of day; the rotating code uses the wall clock."""

from __future__ import annotations

import datetime

from django.utils import timezone


def today() -> datetime.date:
    try:
        from kaifang.core import clock as core_clock
    except ImportError:  # the business clock arrives with the supervision work
        return timezone.localdate()
    return core_clock.today()


def now() -> datetime.datetime:
    """The business date at the current local time of day (the real moment when nothing is pinned)."""
    real = timezone.localtime()
    day = today()
    if day == real.date():
        return real
    return real.replace(year=day.year, month=day.month, day=day.day)


def real_now() -> datetime.datetime:
    """Wall-clock time: the rotating code must follow the real clock the main venue's screen shows."""
    return timezone.now()
