"""The year's reporting calendar: every month's round generated at once from one rule, reviewable
before anything is created.

The rule says which months, on which day of the following month a round opens and its deadline
(a deadline on a weekend or holiday may move to the next working day), the grace days, the indicators and which kinds
of unit report. `plan_calendar` turns it into the list of rounds (nothing written); `create_calendar`
opens each one through `services.open_round` (the one door for rounds) in one transaction, skipping
rounds that already exist, so running it twice creates nothing new. A round whose opening day is
still ahead waits as 未开始 (planned): reporters cannot type into it, and the scheduled job
`kaifang.reporting.jobs.open_due_rounds` opens it on its day.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaifang.accounts.permissions import is_supervisor
from kaifang.audit.services import record_event
from kaifang.core import clock, workdays
from kaifang.core.actors import is_system_actor
from kaifang.indicators.models import Indicator, Source
from kaifang.orgs.models import OrgUnit, UnitKind
from kaifang.reporting.models import ReportingRound
from kaifang.reporting.services import open_round

REPORTING_KINDS = [UnitKind.CITY, UnitKind.COUNTY, UnitKind.DEPARTMENT, UnitKind.PLATFORM]
NAME = "{year}年{month}月开放指标报送"


@dataclass(frozen=True)
class CalendarRule:
    """How a province collects its monthly figures in one year."""

    year: int
    months: tuple[int, ...] = tuple(range(1, 13))
    opens_day: int = 1  # of the month after the period
    deadline_day: int = 10  # of the month after the period, end of day
    grace_days: int = 2
    weekend_to_monday: bool = True
    unit_kinds: tuple[str, ...] = (UnitKind.COUNTY, UnitKind.DEPARTMENT)
    indicators: tuple[str, ...] = ()  # codes; empty: every active typed or ledger indicator
    name: str = NAME

    def problems(self) -> list[str]:
        found = []
        if not 2000 <= self.year <= 2100:
            found.append(_("年度应在 2000–2100 之间。"))
        if not self.months or any(not 1 <= m <= 12 for m in self.months):
            found.append(_("请选择 1–12 月中的月份。"))
        if not 1 <= self.opens_day <= 28 or not 1 <= self.deadline_day <= 28:
            found.append(_("开始日和截止日应在每月 1–28 日之间（每个月都有）。"))
        elif self.deadline_day < self.opens_day:
            found.append(_("截止日不能早于开始日。"))
        if not 0 <= self.grace_days <= 15:
            found.append(_("宽限天数应在 0–15 天之间。"))
        if not self.unit_kinds or set(self.unit_kinds) - set(REPORTING_KINDS):
            found.append(_("请选择报送单位的类型（市本级、县区、省直部门、开放平台）。"))
        if "{month}" not in self.name:
            found.append(_("批次名称须含 {month}（月份）。"))
        return found


@dataclass
class PlannedRound:
    period: datetime.date
    name: str
    opens_at: datetime.datetime
    deadline: datetime.datetime
    grace_days: int
    units: list[OrgUnit] = field(repr=False)
    indicators: list[Indicator] = field(repr=False)
    exists: bool = False
    opens_now: bool = False

    @property
    def grace_until(self) -> datetime.datetime:
        return self.deadline + datetime.timedelta(days=self.grace_days)


def _next_month(period: datetime.date, day: int) -> datetime.date:
    year, month = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)
    return datetime.date(year, month, day)


def _working_day(day: datetime.date) -> datetime.date:
    """A deadline on a weekend or holiday moves to the next working day (`kaifang.core.workdays`)."""
    return workdays.next_workday(day)


def rule_indicators(rule: CalendarRule) -> list[Indicator]:
    typed = Indicator.objects.active().filter(source__in=[Source.REPORTED, Source.LEDGER])
    if rule.indicators:
        chosen = list(typed.filter(code__in=rule.indicators))
        missing = sorted(set(rule.indicators) - {i.code for i in chosen})
        if missing:
            raise ValidationError(_("指标不存在、已停用或为公式指标：%(c)s。") % {"c": "、".join(missing)})
        return chosen
    return list(typed)


def plan_calendar(*, actor: Any, rule: CalendarRule) -> list[PlannedRound]:
    """The rounds the rule makes, in month order, with the units that report in each month (units
    valid in that month) and whether the round exists already. Writes nothing."""
    problems = rule.problems()
    if problems:
        raise ValidationError(problems)
    indicators = rule_indicators(rule)
    if not indicators:
        raise ValidationError(_("目录中没有需要填报的指标，请先建立指标目录。"))
    scope = OrgUnit.objects.all() if is_system_actor(actor) else OrgUnit.objects.visible_to(actor)
    tz = timezone.get_current_timezone()
    now = clock.now()
    plans = []
    for month in sorted(set(rule.months)):
        period = datetime.date(rule.year, month, 1)
        opens = _next_month(period, rule.opens_day)
        due = _next_month(period, rule.deadline_day)
        if rule.weekend_to_monday:
            due = _working_day(due)
        units = list(scope.of_kind(*rule.unit_kinds).current(period).order_by("path"))
        name = rule.name.replace("{year}", str(rule.year)).replace("{month}", str(month))[:100]
        opens_at = datetime.datetime.combine(opens, datetime.time.min, tzinfo=tz)
        plans.append(
            PlannedRound(
                period=period,
                name=name,
                opens_at=opens_at,
                deadline=datetime.datetime.combine(due, datetime.time(23, 59, 59), tzinfo=tz),
                grace_days=rule.grace_days,
                units=units,
                indicators=indicators,
                exists=ReportingRound.objects.filter(period=period, name=name).exists(),
                opens_now=opens_at <= now,
            )
        )
    if not any(p.units for p in plans):
        raise ValidationError(_("没有符合所选类型的报送单位。"))
    return plans


def create_calendar(*, actor: Any, rule: CalendarRule) -> list[ReportingRound]:
    """Open the year's rounds (those not yet there) in one transaction; a round whose opening day
    is ahead waits as planned. Province supervisors only, as for one round."""
    if not is_system_actor(actor) and not is_supervisor(actor):
        raise PermissionDenied(_("只有省级督查可以生成年度报送日历。"))
    plans = plan_calendar(actor=actor, rule=rule)
    created = []
    with transaction.atomic():
        for plan in plans:
            if plan.exists or not plan.units:
                continue
            round_ = open_round(
                actor=actor,
                period=plan.period,
                name=plan.name,
                indicators=plan.indicators,
                units=plan.units,
                opens_at=plan.opens_at,
                deadline=plan.deadline,
                grace_days=plan.grace_days,
                planned=not plan.opens_now,
            )
            created.append(round_)
        record_event(
            actor=actor,
            action="reporting.calendar.create",
            object_type="reporting.calendar",
            object_repr=_("%(y)d年报送日历") % {"y": rule.year},
            after={
                "year": rule.year,
                "rounds": [{"period": f"{r.period:%Y-%m}", "id": r.pk, "status": r.status} for r in created],
                "skipped": [f"{p.period:%Y-%m}" for p in plans if p.exists],
                "rule": {
                    "months": list(rule.months),
                    "opens_day": rule.opens_day,
                    "deadline_day": rule.deadline_day,
                    "grace_days": rule.grace_days,
                    "weekend_to_monday": rule.weekend_to_monday,
                    "unit_kinds": list(rule.unit_kinds),
                },
            },
        )
    return created
