"""Working days (工作日): the one module every deadline that counts working days goes through.

National statutory holidays and adjusted weekend working days (调休上班) come from the
`chinese-calendar` package, which is re-released every year after the State Council's notice
(国务院办公厅关于部分节假日安排的通知). Provincial arrangements (a local holiday, an extra
working Saturday) go in the small override table `kaifang.core.models.WorkdayOverride`, which wins
over the package. A date past the package's known years raises `CalendarNotKnown` with a clear
Chinese message instead of silently falling back to plain weekends.
"""

from __future__ import annotations

import datetime
import functools
import time
from typing import Any

import chinese_calendar
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

KNOWN_FIRST_YEAR = min(chinese_calendar.holidays).year
KNOWN_LAST_YEAR = max(chinese_calendar.holidays).year
_CACHE_SECONDS = 60.0
_cache: dict[str, Any] = {"at": -1e9, "days": {}, "generation": 0}


class CalendarNotKnown(ValidationError):
    """The date lies outside the years the installed calendar knows."""

    def __init__(self, day: datetime.date) -> None:
        self.day = day
        super().__init__(
            _(
                "%(d)s 超出工作日历已知的年份（%(a)d–%(b)d年）：该年的节假日安排尚未录入。"
                "请升级 chinese-calendar，或由管理员在“工作日调整”中录入该日。"
            )
            % {"d": day.isoformat(), "a": KNOWN_FIRST_YEAR, "b": KNOWN_LAST_YEAR},
            code="calendar_unknown",
        )


def clear_cache() -> None:
    """Forget the loaded overrides (after a change; tests after rolling back)."""
    _cache["at"] = -1e9
    _cache["days"] = {}


def overrides() -> dict[datetime.date, bool]:
    """The local override table, read at most once a minute per process."""
    now = time.monotonic()
    if now - _cache["at"] > _CACHE_SECONDS:
        from kaifang.core.models import WorkdayOverride

        _cache["days"] = dict(WorkdayOverride.objects.values_list("day", "is_workday"))
        _cache["at"] = now
        _cache["generation"] += 1
    return _cache["days"]  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=8192)
def _national(day: datetime.date) -> bool | None:
    """The package's answer for `day` (None past its known years), remembered: the package takes
    about a millisecond a call, and a board of 10,000 tasks asks for the same few hundred days."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


def is_workday(day: datetime.date) -> bool:
    """Whether `day` is worked: the override table first, then the national calendar."""
    local = overrides().get(day)
    if local is not None:
        return local
    national = _national(day)
    if national is None:
        raise CalendarNotKnown(day)
    return national


def add_workdays(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start` (start itself never counts: Friday + 1 → Monday;
    Friday 28 September 2018 + 3 → Monday 8 October, across Saturday 29 and Sunday 30 worked)."""
    overrides()  # reload the table when due: a new load is a new generation of remembered answers
    return _add_workdays(start, days, _cache["generation"])


@functools.lru_cache(maxsize=16384)
def _add_workdays(start: datetime.date, days: int, generation: int) -> datetime.date:
    """`add_workdays`, remembered per load of the override table (`generation`)."""
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_workday(day):
            remaining -= 1
    return day


def next_workday(day: datetime.date) -> datetime.date:
    """`day` itself when worked, else the first working day after it (a deadline on a holiday moves)."""
    while not is_workday(day):
        day += datetime.timedelta(days=1)
    return day


def workdays_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (0 when `end` is not after `start`)."""
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        count += is_workday(day)
    return count
