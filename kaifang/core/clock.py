"""Today's date for business rules (lights, reminders, "due this week").

`KAIFANG_DEMO_TODAY` (YYYY-MM-DD) pins the date so the 2018 demo stays meaningful; empty means
the real local date. Rules take `today` as an argument and their callers ask this module, so
tests inject any date they like.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone


def today() -> datetime.date:
    """The business date: settings.KAIFANG_DEMO_TODAY when set, else the local date."""
    pinned = getattr(settings, "KAIFANG_DEMO_TODAY", "")
    if pinned:
        return datetime.date.fromisoformat(str(pinned))
    return timezone.localdate()


def now() -> datetime.datetime:
    """The business moment: with KAIFANG_DEMO_TODAY, that day at the real time of day; else now."""
    moment = timezone.localtime()
    pinned = getattr(settings, "KAIFANG_DEMO_TODAY", "")
    if pinned:
        day = datetime.date.fromisoformat(str(pinned))
        moment = moment.replace(year=day.year, month=day.month, day=day.day)
    return moment
