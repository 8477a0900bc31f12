"""示例数据: the history rounds 2017-01 … 2018-05 and the 2018-06 reporting round, replayed as it
happened up to the demo's today (2018-07-05).

History (历史数据补录): for each month one historical round over the units that hold figures and the
stored indicators, filled in one `save_many` call with the figures the indicators demo intends
(`history_batches`), then closed — which locks the month, as a closed round locks any month.
Historical rounds have no submissions and never count for timeliness.

The round asks every current county of the 14 cities, the cities that report their own figures
(大连, 营口, 锦州) plus 沈阳 (whose officer is a persona), and 商务厅 for June 2018. It opened on
2018-07-01 and closes on 2018-07-10 with 2 grace days, so on the demo's today nobody is late yet.
June figures are the ones the indicators demo intends (`planned_value`), typed through the same
services as the form, at replayed server times between 07-01 and 07-04 (nothing is dated after the
demo's today): most counties submitted on time and were approved; some are still drafts, some have
typed nothing; 于洪区 was returned with a reason; 金州区 has an outlier explained. For the personas:
浑南区's submission is a half-filled draft (so it can be finished, warned, explained and
submitted), 沈河区 and 甘井子区 await their city's approval, 沈阳市's own and 商务厅's are open.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from kaifang.core.actors import SystemActor
from kaifang.core.context import change_context
from kaifang.indicators.demo import history_batches, history_indicators, history_months, history_units, planned_value
from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.models import Indicator, Source
from kaifang.indicators.periods import add_months, month_label
from kaifang.indicators.selectors import stored_entries
from kaifang.indicators.services import save_many
from kaifang.orgs.models import OrgUnit, UnitKind
from kaifang.reporting.models import ReportingRound, RoundKind, RuleOperator, Submission, ValidationRule
from kaifang.reporting.services import close_round, open_round, pinned_clock, save_submission_values, transition
from kaifang.reporting.validation import WARNING

JUNE = datetime.date(2018, 6, 1)
ROUND_NAME = "2018年6月开放型经济指标"
HISTORY_NAME = "%s历史数据补录"
ACTOR = SystemActor(name="demo")
CITY_UNITS = ("210100", "210200", "210800", "210700")  # 沈阳 (persona) and the cities reporting their own figures
TZ = timezone.get_default_timezone()

RULES = [
    ("EXPORT_LE_TRADE", "出口额不大于进出口总额", "EXPORT", RuleOperator.LE, "TRADE"),
    ("IMPORT_LE_TRADE", "进口额不大于进出口总额", "IMPORT", RuleOperator.LE, "TRADE"),
]

# Scripted fates (unit code → what happens); every other county draws its fate from its code.
SCRIPT: dict[str, str] = {
    "210112": "partial",  # 浑南区: half-filled draft for the persona
    "210103": "submitted",  # 沈河区: awaits 沈阳市
    "210211": "submitted",  # 甘井子区: awaits 大连市
    "210114": "returned",  # 于洪区: returned with a reason
    "210123": "missing",  # 康平县
    "210124": "draft",  # 法库县: figures typed, not yet submitted
    "210181": "draft",  # 新民市
    "210213": "explained",  # 金州区: an outlier, explained, approved
    "210283": "missing",  # 庄河市
    "210100": "missing",  # 沈阳市's own figures: not yet (the city approves its counties first)
    "SWT": "missing",
    "210700": "submitted",  # 锦州市 awaits the province
}
RETURN_REASON = "出口额与海关反馈数据不一致（海关口径5月累计偏低），请核对后重新提交。"
OUTLIER_NOTE = "6月新设外资企业集中注册（日韩电子产业园一批企业同期落地），已核实。"


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2018, 7, day, hour, minute, tzinfo=TZ)


def _fate(code: str) -> str:
    if code in SCRIPT:
        return SCRIPT[code]
    draw = random.Random(f"reporting-demo-{code}").random()
    if draw < 0.06:
        return "missing"
    if draw < 0.15:
        return "draft"
    if draw < 0.22:
        return "submitted"
    return "approved"


def load_rules() -> None:
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=["TRADE", "EXPORT", "IMPORT"])}
    if len(indicators) < 3:
        return
    for code, name, left, operator, right in RULES:
        ValidationRule.objects.get_or_create(
            code=code,
            defaults={"name": name, "left": indicators[left], "operator": operator, "right": indicators[right]},
        )


def round_units() -> list[OrgUnit]:
    cities = OrgUnit.objects.filter(kind=UnitKind.CITY).current(JUNE)
    counties = OrgUnit.objects.filter(kind=UnitKind.COUNTY, parent__in=cities).current(JUNE).order_by("path")
    extra = OrgUnit.objects.filter(code__in=[*CITY_UNITS, "SWT"]).order_by("path")
    return [*extra, *counties]


def load_history_demo(*, actor: SystemActor = ACTOR) -> int:
    """Load 2017-01 … 2018-05 through one historical round per month: open it, save every unit's
    figures in one `save_many` call, close it (locking the month). Idempotent: a month whose
    round exists is left alone. Returns how many rounds were loaded."""
    units, indicators = history_units(), history_indicators()
    if not units or not indicators:
        return 0
    done = set(ReportingRound.objects.filter(kind=RoundKind.HISTORICAL).values_list("period", flat=True))
    loaded = 0
    for period in history_months():
        if period in done:
            continue
        opens = datetime.datetime.combine(add_months(period, 1), datetime.time(0, 0), tzinfo=TZ)
        with change_context(channel="system"), transaction.atomic():
            round_ = open_round(
                actor=actor,
                period=period,
                name=HISTORY_NAME % month_label(period),
                indicators=indicators,
                units=units,
                opens_at=opens,
                deadline=opens + datetime.timedelta(days=9, hours=23, minutes=59, seconds=59),
                kind=RoundKind.HISTORICAL,
            )
            save_many(actor=actor, period=period, batches=history_batches(period))
            close_round(actor=actor, round_=round_)
        loaded += 1
    return loaded


def load_reporting_demo(*, actor: SystemActor = ACTOR) -> dict[str, int]:
    """Load the history rounds, then create the June 2018 round and replay its July. Idempotent: an
    existing round is left alone."""
    load_rules()
    load_history_demo(actor=actor)
    existing = ReportingRound.objects.filter(period=JUNE, name=ROUND_NAME).first()
    if existing is not None:
        return {"round": existing.pk, "submissions": existing.submissions.count()}
    indicators = list(Indicator.objects.filter(source__in=[Source.REPORTED, Source.LEDGER]).order_by("sort_order"))
    if not indicators:
        return {"round": 0, "submissions": 0}
    typed = [i for i in indicators if i.source == Source.REPORTED]
    with change_context(channel="system"), pinned_clock(at(1, 7)):
        round_ = open_round(
            actor=actor,
            period=JUNE,
            name=ROUND_NAME,
            indicators=indicators,
            units=round_units(),
            opens_at=datetime.datetime(2018, 7, 1, 0, 0, tzinfo=TZ),
            deadline=datetime.datetime(2018, 7, 10, 23, 59, 59, tzinfo=TZ),
            grace_days=2,
        )
    subs = list(round_.submissions.select_related("unit", "round").order_by("unit__path"))
    with change_context(channel="system"):
        for sub in subs:
            _replay(sub, _fate(sub.unit.code), typed, planned_value, actor)
    return {"round": round_.pk, "submissions": len(subs)}


def _replay(sub: Submission, fate: str, typed: list[Indicator], planned: Any, actor: SystemActor) -> None:
    rng = random.Random(f"reporting-demo-times-{sub.unit.code}")
    values = {i.code: planned(i.code, sub.unit.code, JUNE) for i in typed}
    values = {k: v for k, v in values.items() if v is not None}
    if fate == "missing" or not values:
        return
    comments: dict[str, str] = {}
    if fate == "partial":
        values = {k: v for k, v in values.items() if k in ("FDI", "FIE_NEW", "TRADE", "EXPORT")}
    if fate == "explained" and "FIE_NEW" in values:
        values["FIE_NEW"] = values["FIE_NEW"] * 3 + 4
        comments["FIE_NEW"] = OUTLIER_NOTE
    # Typed 07-01 to 07-03, reviewed a day later: every stamp falls before the demo's today (07-05).
    typed_at = at(rng.randint(1, 3), rng.randint(9, 16), rng.randint(0, 59))
    with pinned_clock(typed_at - datetime.timedelta(hours=1)):
        _save(sub, values, comments, actor)
    if fate in ("partial", "draft"):
        return
    with pinned_clock(typed_at):
        _submit(sub, actor, comments)
    if fate == "submitted":
        return
    review_at = typed_at + datetime.timedelta(days=1, hours=rng.randint(0, 5))
    with pinned_clock(review_at):
        if fate == "returned":
            transition(actor=actor, submission=sub, action="return", reason=RETURN_REASON)
        else:
            transition(actor=actor, submission=sub, action="approve")


def _save(sub: Submission, values: dict[str, Decimal], comments: dict[str, str], actor: SystemActor) -> None:
    entries = [ValueEntry(code, value, comments.get(code, "")) for code, value in values.items()]
    save_submission_values(actor=actor, submission=sub, entries=entries)


def _submit(sub: Submission, actor: SystemActor, comments: dict[str, str]) -> None:
    """Submit; a seasonal warning the synthetic figures happen to raise gets a clerk's note first."""
    from kaifang.reporting.services import check_submission, submission_figures

    result = check_submission(sub, final=True)
    pending = [f for f in result.unexplained_warnings if f.severity == WARNING]
    if pending:
        values, _comments = submission_figures(sub)
        versions = {code: entry.version for (_u, code), entry in stored_entries(units=[sub.unit], period=JUNE).items()}
        notes = [
            ValueEntry(f.indicator, values[f.indicator], "示例数据：与历史同期相比波动较大，经核实数据无误。",
                       versions.get(f.indicator))
            for f in pending
        ]  # fmt: skip
        save_submission_values(actor=actor, submission=sub, entries=notes)
    transition(actor=actor, submission=sub, action="submit")
