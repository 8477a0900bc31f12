"""Standing meetings (例会) and the periods in which they did not take place.

A standing meeting that silently stops is how supervision decays, so the province's meeting list
shows, for every active series, each finished period (month or quarter, before the current one)
in which none of its meetings took place. A meeting counts when it was notified, held or ended in
that period; a draft or a cancelled meeting does not.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaifang.audit.services import record_event
from kaifang.meetings.models import Cadence, Meeting, MeetingSeries, MeetingStatus

HELD = (MeetingStatus.NOTIFIED, MeetingStatus.IN_PROGRESS, MeetingStatus.ENDED)


def _step(period: datetime.date, cadence: str) -> datetime.date:
    months = 3 if cadence == Cadence.QUARTERLY else 1
    index = period.year * 12 + period.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def period_start(day: datetime.date, cadence: str) -> datetime.date:
    if cadence == Cadence.QUARTERLY:
        return datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return day.replace(day=1)


def period_label(period: datetime.date, cadence: str) -> str:
    if cadence == Cadence.QUARTERLY:
        return _("%(y)d年第%(q)d季度") % {"y": period.year, "q": (period.month - 1) // 3 + 1}
    return _("%(y)d年%(m)d月") % {"y": period.year, "m": period.month}


@dataclass
class SeriesGap:
    series: MeetingSeries
    missed: list[str]  # period labels, oldest first
    last_held: datetime.date | None


def missed_periods(series: MeetingSeries, held_days: list[datetime.date], today: datetime.date) -> list[datetime.date]:
    """Finished periods from the series' first one in which no meeting was held (pure)."""
    held = {period_start(day, series.cadence) for day in held_days}
    current = period_start(today, series.cadence)
    period = period_start(series.first_period, series.cadence)
    missed = []
    while period < current:
        if period not in held:
            missed.append(period)
        period = _step(period, series.cadence)
    return missed


def series_gaps(user: Any, today: datetime.date) -> list[SeriesGap]:
    """Active standing meetings whose host unit `user` can see, with the periods they were not held
    (only those with a gap). Two queries for all series."""
    from kaifang.orgs.scope import can_see_unit

    series = [
        s
        for s in MeetingSeries.objects.filter(active=True).select_related("main_unit")
        if can_see_unit(user, s.main_unit)
    ]
    days: dict[int, list[datetime.date]] = {s.pk: [] for s in series}
    for series_id, starts_at in Meeting.objects.filter(series__in=series, status__in=HELD).values_list(
        "series_id", "starts_at"
    ):
        days[series_id].append(timezone.localtime(starts_at).date())
    gaps = []
    for item in series:
        missed = missed_periods(item, days[item.pk], today)
        if missed:
            last = max(days[item.pk]) if days[item.pk] else None
            gaps.append(SeriesGap(item, [period_label(p, item.cadence) for p in missed], last))
    return gaps


def create_series(
    *, actor: Any, title: str, cadence: str, main_unit: Any, first_period: datetime.date
) -> MeetingSeries:
    """Register a standing meeting (province supervisors, or code). Audited."""
    from kaifang.accounts.permissions import is_supervisor
    from kaifang.core.actors import is_system_actor

    if not is_system_actor(actor) and not isinstance(actor, str) and not is_supervisor(actor):
        raise PermissionDenied(_("只有省级督查人员可以登记例会。"))
    if not title.strip():
        raise ValidationError({"title": _("请填写例会名称。")})
    if cadence not in Cadence.values:
        raise ValidationError({"cadence": _("未知的召开周期。")})
    with transaction.atomic():
        if MeetingSeries.objects.filter(title=title.strip()).exists():
            raise ValidationError({"title": _("例会“%(t)s”已登记。") % {"t": title.strip()}})
        series = MeetingSeries.objects.create(
            title=title.strip()[:200], cadence=cadence, main_unit=main_unit, first_period=first_period.replace(day=1)
        )
        record_event(
            actor=actor,
            action="meetings.series.create",
            obj=series,
            unit=main_unit,
            after={"title": series.title, "cadence": cadence, "first_period": series.first_period},
        )
    return series
