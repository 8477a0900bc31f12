"""The approval queue as a city clerk reads it on the 10th: every unit the user reviews in a round,
with its figures against last month and the same month last year, its warnings and explanations,
how complete it is, and the reminders (催报) it got. A fixed number of queries per page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max
from django.utils.translation import gettext

from kaifang.indicators import maths
from kaifang.indicators.models import Indicator, Source
from kaifang.indicators.periods import add_months, same_month_last_year
from kaifang.indicators.selectors import stored_figures
from kaifang.reporting.models import Reminder, ReportingRound, Submission, SubmissionStatus
from kaifang.reporting.validation import ERROR, Finding, active_rules, check_values, load_history
from kaifang.reporting.workflow import REVIEWER, allowed_actions, parts_of, reviewing_unit

ORDER: dict[str, int] = {SubmissionStatus.SUBMITTED: 0, SubmissionStatus.RETURNED: 1, SubmissionStatus.DRAFT: 2}


@dataclass
class QueueFigure:
    indicator: Indicator
    value: Decimal | None
    previous: Decimal | None
    last_year: Decimal | None
    comment: str = ""
    findings: list[Finding] = field(default_factory=list)

    @property
    def yoy_text(self) -> str:
        return gettext(maths.signed_percent(maths.yoy_growth(self.value, self.last_year)))

    @property
    def mom_text(self) -> str:
        """Change on last month as reported (环比 of the figure as typed: for a year-to-date figure,
        how much the year to date grew)."""
        return gettext(maths.signed_percent(maths.yoy_growth(self.value, self.previous)))

    @property
    def has_error(self) -> bool:
        return any(f.severity == ERROR for f in self.findings)

    @property
    def has_warning(self) -> bool:
        return any(f.severity != ERROR for f in self.findings)


@dataclass
class QueueRow:
    sub: Submission
    figures: list[QueueFigure]
    actions: list[str]
    reminders: int = 0
    last_reminded: datetime.datetime | None = None

    @property
    def required(self) -> int:
        return sum(1 for f in self.figures if f.indicator.is_typed)

    @property
    def filled(self) -> int:
        return sum(1 for f in self.figures if f.indicator.is_typed and f.value is not None)

    @property
    def completeness_text(self) -> str:
        return f"{self.filled}/{self.required}"

    @property
    def errors(self) -> int:
        return sum(1 for f in self.figures for x in f.findings if x.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.figures for x in f.findings if x.severity != ERROR and not x.explained)

    @property
    def explained(self) -> int:
        return sum(1 for f in self.figures for x in f.findings if x.severity != ERROR and x.explained)

    @property
    def can_batch(self) -> bool:
        return "approve" in self.actions or "return" in self.actions

    @property
    def can_urge(self) -> bool:
        return self.sub.status in (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)


def queue_rows(user: Any, round_: ReportingRound, *, status: str = "") -> list[QueueRow]:
    """The units of `round_` the user reviews (awaiting approval first), `status` to keep one state."""
    subs = Submission.objects.visible_to(user).filter(round=round_).select_related("unit", "round", "submitted_by")
    if status:
        subs = subs.filter(status=status)
    reviewers: dict[tuple[int | None, str], Any] = {}  # the reviewing unit follows from parent and kind
    parts: dict[int, set[str]] = {}
    for s in subs:
        key = (s.unit.parent_id, s.unit.kind)
        if key not in reviewers:
            reviewers[key] = reviewing_unit(s.unit)
        parts[s.pk] = parts_of(user, s.unit, reviewer=reviewers[key])
    mine = [s for s in subs if REVIEWER in parts[s.pk]]
    mine.sort(key=lambda s: (ORDER.get(s.status, 3), s.unit.path))
    if not mine:
        return []
    indicators = [i for i in round_.indicators.order_by("sort_order", "code") if i.source != Source.FORMULA]
    typed = [i for i in indicators if i.is_typed]
    period = round_.period
    previous, last_year = add_months(period, -1), same_month_last_year(period)
    units = [s.unit for s in mine]
    stored: dict[tuple[int, int, datetime.date], tuple[Decimal | None, str]] = {
        (f.unit_id, f.indicator_id, f.period): (f.reported, f.comment)
        for f in stored_figures(units=units, indicators=indicators, periods=[period, previous, last_year])
    }
    history = load_history(units=units, indicators=typed, period=period)
    rules = active_rules()
    reminders = {
        r["submission_id"]: (r["n"], r["last"])
        for r in Reminder.objects.filter(submission__in=mine)
        .values("submission_id")
        .annotate(n=Count("id"), last=Max("at"))
    }
    rows = []
    for sub in mine:
        unit = sub.unit
        current = {i.code: stored.get((unit.pk, i.pk, period), (None, "")) for i in indicators}
        check = check_values(
            unit=unit,
            period=period,
            indicators=typed,
            typed={code: v for code, (v, _c) in current.items()},
            comments={code: c for code, (_v, c) in current.items()},
            final=False,
            history=history,
            rules=rules,
        )
        figures = [
            QueueFigure(
                indicator=i,
                value=current[i.code][0],
                previous=stored.get((unit.pk, i.pk, previous), (None, ""))[0],
                last_year=stored.get((unit.pk, i.pk, last_year), (None, ""))[0],
                comment=current[i.code][1],
                findings=check.for_indicator(i.code),
            )
            for i in indicators
        ]
        count, last = reminders.get(sub.pk, (0, None))
        rows.append(QueueRow(sub, figures, allowed_actions(user, unit, sub.status, parts=parts[sub.pk]), count, last))
    return rows
