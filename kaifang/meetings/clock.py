"""Now and today for meetings: the app clock (`kaifang.core.clock`, which the demo pins to a day in
2018, keeping the real time of day); the rotating roll-call code uses the wall clock."""

from __future__ import annotations

import datetime

from django.utils import timezone

from kaifang.core import clock as core_clock


def today() -> datetime.date:
    return core_clock.today()


def now() -> datetime.datetime:
    """The business date at the current local time of day (the real moment when nothing is pinned)."""
    return core_clock.now()


def real_now() -> datetime.datetime:
    """Wall-clock time: the rotating code must follow the real clock the main venue's screen shows."""
    return timezone.now()
