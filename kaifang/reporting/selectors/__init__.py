"""Reads for the reporting pages and API: visibility-guarded lookups, the entry form's rows, the
review queue and the round overview (completeness and timeliness)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.http import Http404
from django.utils.translation import gettext

from kaifang.indicators import maths
from kaifang.indicators.models import Indicator
from kaifang.indicators.periods import add_months, same_month_last_year
from kaifang.indicators.selectors import annual_targets, figures, stored_rows
from kaifang.orgs.models import OrgUnit, UnitKind
from kaifang.orgs.scope import can_see_unit, scope_root
from kaifang.reporting.models import (
    DONE_STATUSES,
    ReportingRound,
    Submission,
    SubmissionStatus,
    Timeliness,
)
from kaifang.reporting.workflow import REVIEWER, parts_of

if TYPE_CHECKING:
    from kaifang.indicators.models import DataValue, DataValueHistory


def visible_rounds(user: Any) -> list[ReportingRound]:
    return list(ReportingRound.objects.visible_to(user).order_by("-period", "name"))


def get_round_for_user(user: Any, pk: int) -> ReportingRound:
    round_ = ReportingRound.objects.visible_to(user).filter(pk=pk).first()
    if round_ is None:
        raise Http404("round not found")
    return round_


def get_submission_for_user(user: Any, pk: int) -> Submission:
    sub = Submission.objects.visible_to(user).select_related("round", "unit").filter(pk=pk).first()
    if sub is None:
        raise Http404("submission not found")
    return sub


def get_unit_submission_for_user(user: Any, round_id: int, unit_code: str) -> Submission:
    """The submission of `unit_code` in a round, or 404 when absent or outside the user's scope."""
    sub = (
        Submission.objects.visible_to(user)
        .select_related("round", "unit")
        .filter(round_id=round_id, unit__code=unit_code[:32])
        .first()
    )
    if sub is None:
        raise Http404("submission not found")
    return sub


def my_submissions(user: Any) -> list[Submission]:
    """The submissions of the user's own unit, newest round first (what a reporter works on)."""
    unit = getattr(user, "unit", None)
    if unit is None:
        return []
    return list(
        Submission.objects.visible_to(user).filter(unit=unit).select_related("round", "unit").order_by("-round__period")
    )


def review_queue(user: Any, round_: ReportingRound) -> list[Submission]:
    """Submissions of the round the user reviews (a city its counties and platforms; the province
    its cities, departments and directly reporting units), awaiting approval first."""
    subs = Submission.objects.visible_to(user).filter(round=round_).select_related("unit", "round", "submitted_by")
    mine = [s for s in subs if REVIEWER in parts_of(user, s.unit)]
    order: dict[str, int] = {SubmissionStatus.SUBMITTED: 0, SubmissionStatus.RETURNED: 1, SubmissionStatus.DRAFT: 2}
    return sorted(mine, key=lambda s: (order.get(s.status, 3), s.unit.path))


# --- The entry form ------------------------------------------------------------------------------


@dataclass
class EntryRow:
    indicator: Indicator
    value: DataValue | None
    previous: Decimal | None  # last month, as reported
    last_year: Decimal | None  # same month last year, as reported
    yoy: Any  # Decimal ratio or NOT_COMPARABLE
    target: Decimal | None
    completion: Any
    history: list[DataValueHistory] = field(default_factory=list)
    ytd_base: Decimal | None = None  # what the typed figure adds to for 完成率 (None: cannot be known)

    @property
    def read_only(self) -> bool:
        return not self.indicator.is_typed

    @property
    def yoy_text(self) -> str:
        return gettext(maths.signed_percent(self.yoy))  # translates 不可比, leaves figures alone

    @property
    def completion_text(self) -> str:
        return gettext(maths.percent(self.completion)) if self.target else ""


def entry_rows(submission: Submission) -> list[EntryRow]:
    """One row per indicator of the round with what a clerk wants beside the field."""
    unit, period = submission.unit, submission.round.period
    indicators = list(submission.round.indicators.order_by("sort_order", "code"))
    previous_period, last_year = add_months(period, -1), same_month_last_year(period)
    values = stored_rows(
        units=[unit], indicators=indicators, periods=[period, previous_period, last_year], history=True
    )
    current = {}
    by_period: dict[tuple[int, datetime.date], DataValue] = {}
    for v in values:
        by_period[(v.indicator_id, v.period)] = v
        if v.period == period:
            current[v.indicator_id] = v
    targets = annual_targets(unit=unit, year=period.year, indicators=indicators)
    rows = []
    for ind in indicators:
        value = current.get(ind.pk)
        prev = by_period.get((ind.pk, previous_period))
        ly = by_period.get((ind.pk, last_year))
        reported = value.reported if value else None
        target = targets.get(ind.pk)
        rows.append(
            EntryRow(
                indicator=ind,
                value=value,
                previous=prev.reported if prev else None,
                last_year=ly.reported if ly else None,
                yoy=maths.yoy_growth(reported, ly.reported if ly else None),
                target=target,
                completion=maths.completion(value.ytd_value if value else None, target),
                history=list(value.history.all())[:10] if value else [],
                ytd_base=_ytd_base(ind, period, prev),
            )
        )
    return rows


def _ytd_base(indicator: Indicator, period: datetime.date, previous: DataValue | None) -> Decimal | None:
    """The year to date a typed figure completes: nothing for a year-to-date figure or a stock (the
    figure is the year to date), last month's year to date for a month's flow (None when missing)."""
    from kaifang.indicators.models import ReportedAs, TimeAggregation

    if indicator.time_aggregation != TimeAggregation.FLOW or indicator.reported_as == ReportedAs.YTD:
        return Decimal(0)
    if period.month == 1:
        return Decimal(0)
    return previous.ytd_value if previous is not None else None


# --- Round overview ------------------------------------------------------------------------------


@dataclass
class Tally:
    """Counts for a set of required units: how many reported, on time, within grace, late, missing."""

    label: str
    code: str = ""
    counted: bool = True  # False for a historical round (历史数据补录): no timeliness to speak of
    required: int = 0
    done: int = 0
    approved: int = 0
    on_time: int = 0
    grace: int = 0
    late: int = 0
    missing: list[Submission] = field(default_factory=list)
    late_units: list[Submission] = field(default_factory=list)

    def add(self, sub: Submission) -> None:
        self.required += 1
        if sub.status in DONE_STATUSES or sub.first_submitted_at is not None:
            self.done += 1
            if sub.timeliness == Timeliness.ON_TIME:
                self.on_time += 1
            elif sub.timeliness == Timeliness.GRACE:
                self.grace += 1
                self.late_units.append(sub)
            else:
                self.late += 1
                self.late_units.append(sub)
        else:
            self.missing.append(sub)
        if sub.status in (SubmissionStatus.APPROVED, SubmissionStatus.LOCKED):
            self.approved += 1

    @property
    def completeness(self) -> Decimal | None:
        """报送率 = units that submitted / units required."""
        return Decimal(self.done) / Decimal(self.required) if self.required else None

    @property
    def timeliness(self) -> Decimal | None:
        """及时率 = units that submitted by the deadline or within the grace days / units required: a
        submission within grace counts as on time here and in every assessment (`counts_as_on_time`)."""
        return Decimal(self.on_time + self.grace) / Decimal(self.required) if self.required and self.counted else None

    @property
    def completeness_text(self) -> str:
        return maths.percent(self.completeness) if self.completeness is not None else "—"

    @property
    def timeliness_text(self) -> str:
        return maths.percent(self.timeliness) if self.timeliness is not None else "—"


def group_of(unit: OrgUnit, cities: dict[str, OrgUnit]) -> OrgUnit | None:
    """The city a unit belongs to (the city itself for a city), None for province-level units."""
    for part in unit.path.strip("/").split("/"):
        if part in cities:
            return cities[part]
    return None


@dataclass
class Overview:
    total: Tally
    groups: list[Tally]


def round_overview(user: Any, round_: ReportingRound) -> Overview:
    """Completeness and timeliness of the round over the units the user can see, per city."""
    subs = list(Submission.objects.visible_to(user).filter(round=round_).select_related("unit").order_by("unit__path"))
    cities = {u.code: u for u in OrgUnit.objects.filter(kind=UnitKind.CITY)}
    counted = round_.counts_for_timeliness
    total = Tally(label=gettext("合计"), counted=counted)
    groups: dict[str, Tally] = {}
    for sub in subs:
        total.add(sub)
        city = group_of(sub.unit, cities)
        key = city.code if city else ""
        if key not in groups:
            groups[key] = Tally(label=city.name if city else gettext("省直部门及直报单位"), code=key, counted=counted)
        groups[key].add(sub)
    ordered = sorted(groups.values(), key=lambda t: (t.code == "", t.code))
    return Overview(total=total, groups=ordered)


def round_totals(user: Any, round_: ReportingRound) -> list[Any]:
    """The round's figures for the unit at the top of the user's scope (a city officer: the city;
    the province: the province), computed from the current data on each request."""
    root = scope_root(user)
    if root is None:
        return []
    period = round_.period
    out = []
    for ind in round_.indicators.order_by("sort_order", "code"):
        figure = figures(ind, [root], period, period)[0]
        out.append({"f": figure, "yoy": gettext(maths.signed_percent(figure.yoy))})
    return out


def status_counts(round_: ReportingRound, user: Any) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for status in Submission.objects.visible_to(user).filter(round=round_).values_list("status", flat=True):
        counts[status] += 1
    return dict(counts)


def can_see(user: Any, unit: OrgUnit) -> bool:
    return can_see_unit(user, unit)


def reminders_by_unit(units: list[OrgUnit], *, start: datetime.date, end: datetime.date) -> dict[int, int]:
    """Published for supervision: how many times each unit was reminded (催报) between two dates."""
    from django.db.models import Count

    from kaifang.reporting.models import Reminder

    rows = (
        Reminder.objects.filter(submission__unit__in=units, at__date__gte=start, at__date__lte=end)
        .values("submission__unit_id")
        .annotate(n=Count("id"))
    )
    return {row["submission__unit_id"]: row["n"] for row in rows}


# --- Reporting timeliness for other areas (the assessment's reporting item) ---------------------------


def counts_as_on_time(timeliness: str) -> bool:
    """By the deadline or within the grace days: on time, in the round's 及时率 and in every assessment."""
    return timeliness in (Timeliness.ON_TIME, Timeliness.GRACE)


OWN = "own"
OWN_AND_APPROVED = "own_and_approved"


def due_rounds(*, period: datetime.date, as_of: datetime.datetime) -> list[ReportingRound]:
    """Rounds of `period`'s year up to `period` whose deadline plus grace has passed at `as_of`: a round
    not yet due is not counted against anyone."""
    rounds = ReportingRound.objects.counted().filter(period__year=period.year, period__lte=period)  # not 历史数据补录
    rounds = rounds.order_by("period", "pk")
    return [r for r in rounds if r.grace_until < as_of]


def _responsible(members: dict[str, int], kinds: dict[str, str], path: str, code: str, answers_for: str) -> int | None:
    """The member that answers for a submission of unit `code`: the unit itself, or — with
    `own_and_approved` — the unit that approves it (`kaifang.reporting.workflow.reviewing_unit`: the
    nearest city above a county or platform, else the province)."""
    if code in members:
        return members[code]
    if answers_for != OWN_AND_APPROVED:
        return None
    ancestors = [c for c in path.strip("/").split("/") if c and c != code]
    own_kind = kinds.get(code, "")
    if own_kind in (UnitKind.COUNTY, UnitKind.PLATFORM):
        cities = [c for c in ancestors if kinds.get(c) == UnitKind.CITY]
        if cities:
            return members.get(cities[-1])
    provinces = [c for c in ancestors if kinds.get(c) == UnitKind.PROVINCE]
    return members.get(provinces[-1]) if provinces else None


def reporting_record(
    units: list[OrgUnit], *, period: datetime.date, as_of: datetime.datetime, answers_for: str = OWN
) -> dict[int, dict[str, Any]]:
    """Per unit: how many submissions it answered for in the due rounds of the year up to `period`
    (`due_rounds`; every unit a round requires counts, whether it submitted or not), how many came on
    time (grace included), late, and how often they were returned (退回). `answers_for`: its own
    submissions, or its own and those it approves."""
    from django.db.models import Count

    from kaifang.reporting.models import SubmissionEvent

    out: dict[int, dict[str, Any]] = {
        u.pk: {"required": 0, "on_time": 0, "late": 0, "returned": 0, "sources": []} for u in units
    }
    rounds = due_rounds(period=period, as_of=as_of)
    if not rounds:
        return out
    members = {u.code: u.pk for u in units}
    required = list(
        ReportingRound.units.through.objects.filter(reportinground__in=rounds)
        .order_by("reportinground__period", "orgunit__path")
        .values_list("reportinground_id", "orgunit_id", "orgunit__code", "orgunit__path", "orgunit__kind")
    )
    kinds = {code: kind for _r, _u, code, _path, kind in required}
    if answers_for == OWN_AND_APPROVED:
        kinds.update(OrgUnit.objects.filter(kind__in=(UnitKind.CITY, UnitKind.PROVINCE)).values_list("code", "kind"))
    submissions = Submission.objects.filter(round__in=rounds)
    found = {
        (round_id, unit_id): (pk, timeliness)
        for pk, round_id, unit_id, timeliness in submissions.values_list("pk", "round_id", "unit_id", "timeliness")
    }
    periods = {r.pk: f"{r.period:%Y-%m}" for r in rounds}
    owner_of: dict[int, int] = {}
    for round_id, unit_id, code, path, _kind in required:
        owner = _responsible(members, kinds, path, code, answers_for)
        if owner is None:
            continue
        entry = out[owner]
        entry["required"] += 1
        pk, timeliness = found.get((round_id, unit_id), (None, ""))
        if counts_as_on_time(timeliness):
            entry["on_time"] += 1
        elif timeliness == Timeliness.LATE:
            entry["late"] += 1
        source: dict[str, Any] = {"type": "submission", "period": periods[round_id], "unit": code}
        if pk is not None:
            owner_of[pk] = owner
            source["id"] = pk
        else:
            source["note"] = "未报"
        entry["sources"].append(source)
    returns = (
        SubmissionEvent.objects.filter(action="return", submission__in=submissions)
        .values("submission_id")
        .annotate(n=Count("id"))
    )
    for back in returns:
        owner = owner_of.get(back["submission_id"])
        if owner is not None:
            out[owner]["returned"] += back["n"]
    return out
