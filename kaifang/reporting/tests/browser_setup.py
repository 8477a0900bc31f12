"""Arranges the demo for the queue's browser test: every county of 沈阳 but 浑南区 has submitted its
June report (the approved ones are un-approved and resubmitted, the drafts filled from May's figures
and submitted), so the city has twelve reports waiting. Run in the site's process:
`kaifang shell -c "from kaifang.reporting.tests.browser_setup import run; run()"`."""

from __future__ import annotations

from decimal import Decimal

from kaifang.core.actors import SystemActor
from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.models import DataValue, ReportedAs, TimeAggregation
from kaifang.indicators.periods import add_months
from kaifang.orgs.models import UnitKind
from kaifang.reporting.models import ReportingRound, SubmissionStatus
from kaifang.reporting.services import check_submission, save_submission_values, transition

ACTOR = SystemActor(name="browser-test-setup")
KEEP = {"210112"}  # 浑南区: its reporter's own flow


def _fill_from_may(sub) -> None:  # type: ignore[no-untyped-def]
    period = sub.round.period
    may = {
        v.indicator.code: v
        for v in DataValue.objects.filter(unit=sub.unit, period=add_months(period, -1)).select_related("indicator")
    }
    june = set(DataValue.objects.filter(unit=sub.unit, period=period).values_list("indicator__code", flat=True))
    entries = []
    for indicator in sub.round.indicators.all():
        if not indicator.is_typed or indicator.code in june or indicator.code not in may:
            continue
        reported = may[indicator.code].reported or Decimal(0)
        flow_ytd = indicator.time_aggregation == TimeAggregation.FLOW and indicator.reported_as == ReportedAs.YTD
        value = (reported * Decimal("1.2")).quantize(Decimal(1).scaleb(-indicator.decimals)) if flow_ytd else reported
        entries.append(ValueEntry(indicator.code, value, "", None))
    if entries:
        save_submission_values(actor=ACTOR, submission=sub, entries=entries)


def _explain(sub) -> None:  # type: ignore[no-untyped-def]
    check = check_submission(sub, final=True)
    stored = {v.indicator.code: v for v in DataValue.objects.filter(unit=sub.unit, period=sub.round.period)}
    entries = [
        ValueEntry(f.indicator, stored[f.indicator].reported, "已与统计部门核实", stored[f.indicator].version)
        for f in check.unexplained_warnings
        if f.indicator in stored
    ]
    if entries:
        save_submission_values(actor=ACTOR, submission=sub, entries=entries)


def run() -> None:
    round_ = ReportingRound.objects.get(name="2018年6月开放型经济指标")
    subs = round_.submissions.select_related("unit", "round").filter(
        unit__path__contains="/210100/", unit__kind=UnitKind.COUNTY
    )
    for sub in subs:
        if sub.unit.code in KEEP:
            continue
        if sub.status == SubmissionStatus.APPROVED:
            transition(actor=ACTOR, submission=sub, action="unapprove", reason="演示：重新审核")
            sub.refresh_from_db()
        if sub.status in (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED):
            _fill_from_may(sub)
            _explain(sub)
            transition(actor=ACTOR, submission=sub, action="submit")
    waiting = round_.submissions.filter(unit__path__contains="/210100/", status=SubmissionStatus.SUBMITTED)
    print(f"{waiting.count()} submitted")
