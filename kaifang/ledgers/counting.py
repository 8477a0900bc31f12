"""统计口径: the counting rules, applied by every count in Kaifang (pages, exports, derived indicators).

1. 签约只计一次: a project counts as signed once, in the month of its first signing, for the unit
   that held it then. Moving it back (签约 → 在谈) and signing again does not count again.
2. 增资只计增量: a capital increase (增资) counts only its increment, in the month it is signed, for
   the unit holding the project then; an increment of 1亿元 or more counts as one new 亿元以上 signing.
3. 移交不改历史: a project handed to another unit keeps its history. Its signing stays counted for
   the unit that held it at signing; later events (开工, 到资) count for the unit holding it then.
4. 终止不删历史: a dropped project leaves the pipeline (kanban, stage totals) but the counts it
   already made stay.
5. 亿元以上 = agreed investment ≥ 1亿元 (10,000 万元); 万美元 amounts are converted at the recorded
   rate of the signing year. For a start, the agreed investment includes increases signed by then.
6. 引进人才数 counts people: an individual is 1, a team its headcount.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from kaifang.ledgers.models import CapitalIncrease, FundsReceipt, InvestmentProject, TalentRecord
from kaifang.ledgers.money import HUNDRED_MILLION_YUAN, Rates

RULES = [
    ("签约只计一次", "项目以首次签约计入签约当月、计入签约时的责任单位；退回在谈后再次签约不重复计算。"),
    ("增资只计增量", "增资只计新增部分，计入增资签约当月和当时的责任单位；新增额达1亿元的计为新签约亿元以上项目1个。"),
    ("移交不改历史", "项目移交其他单位后保留全部历史：签约仍计在签约时的单位，开工、到资计在发生时的责任单位。"),
    ("终止不删历史", "终止的项目退出在建项目库，已计入的签约、开工和到资不扣减。"),
    ("亿元以上", "协议投资额（含开工前已签增资）≥1亿元即10,000万元；万美元按签约年度录入的汇率折算。"),
    ("引进人才数", "个人计1人，团队按团队人数计。"),
]

SIGNED_100M = "signed_100m"
STARTED_100M = "started_100m"
FUNDS = "funds"
TALENTS = "talents"
SIGNED_AMOUNT = "signed_amount"


@dataclass(frozen=True)
class Event:
    """One countable fact: what, for which holding unit, on which day, how much (万元 or people)."""

    measure: str
    unit_id: int
    on: datetime.date
    value: Decimal
    project_id: int | None = None


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _in_months(field: str, months: set[datetime.date] | None) -> Q:
    if months is None:
        return Q()
    q = Q(pk__in=[])
    for m in months:
        nxt = (m.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        q |= Q(**{f"{field}__gte": m, f"{field}__lt": nxt})
    return q


def ledger_events(
    *,
    months: set[datetime.date] | None = None,
    rates: Rates | None = None,
    unit_q: Q | None = None,
    project_ids: list[int] | None = None,
) -> list[Event]:
    """Every countable event (optionally only those in `months`), under the rules above.

    `unit_q` restricts by the unit each event counts for, built with prefix "unit__" (it is
    re-targeted to the right relation for each kind of event).
    """
    rates = rates or Rates()
    events: list[Event] = []
    increases_by_project: dict[int, list[CapitalIncrease]] = defaultdict(list)
    only_projects = Q() if project_ids is None else Q(project_id__in=project_ids)
    for inc in CapitalIncrease.objects.filter(only_projects):
        increases_by_project[inc.project_id].append(inc)

    def scoped(qs, relation: str):  # type: ignore[no-untyped-def]
        if project_ids is not None and qs.model is not TalentRecord:
            qs = qs.filter(pk__in=project_ids) if qs.model is InvestmentProject else qs.filter(only_projects)
        if unit_q is None:
            return qs
        return qs.filter(_retarget(unit_q, relation))

    signed = scoped(
        InvestmentProject.objects.filter(first_signed_on__isnull=False).filter(_in_months("first_signed_on", months)),
        "first_signed_unit__",
    )
    for p in signed.only("id", "first_signed_on", "first_signed_unit_id", "agreed_amount", "currency"):
        amount = rates.to_wan_yuan(p.agreed_amount, p.currency, p.first_signed_on)
        assert p.first_signed_on is not None and p.first_signed_unit_id is not None
        events.append(Event(SIGNED_AMOUNT, p.first_signed_unit_id, p.first_signed_on, amount, p.pk))
        if amount >= HUNDRED_MILLION_YUAN:
            events.append(Event(SIGNED_100M, p.first_signed_unit_id, p.first_signed_on, Decimal(1), p.pk))
    for inc in scoped(CapitalIncrease.objects.filter(_in_months("signed_on", months)), "unit__"):
        amount = rates.to_wan_yuan(inc.amount, inc.currency, inc.signed_on)
        events.append(Event(SIGNED_AMOUNT, inc.unit_id, inc.signed_on, amount, inc.project_id))
        if amount >= HUNDRED_MILLION_YUAN:
            events.append(Event(SIGNED_100M, inc.unit_id, inc.signed_on, Decimal(1), inc.project_id))
    started = scoped(
        InvestmentProject.objects.filter(first_started_on__isnull=False).filter(_in_months("first_started_on", months)),
        "first_started_unit__",
    )
    for p in started.only("id", "first_started_on", "first_started_unit_id", "agreed_amount", "currency"):
        assert p.first_started_on is not None and p.first_started_unit_id is not None
        total = rates.to_wan_yuan(p.agreed_amount, p.currency, p.first_started_on)
        for inc in increases_by_project.get(p.pk, []):
            if inc.signed_on <= p.first_started_on:
                total += rates.to_wan_yuan(inc.amount, inc.currency, inc.signed_on)
        if total >= HUNDRED_MILLION_YUAN:
            events.append(Event(STARTED_100M, p.first_started_unit_id, p.first_started_on, Decimal(1), p.pk))
    for r in scoped(FundsReceipt.objects.filter(_in_months("received_on", months)), "unit__"):
        events.append(
            Event(FUNDS, r.unit_id, r.received_on, rates.to_wan_yuan(r.amount, r.currency, r.received_on), r.project_id)
        )
    talents = TalentRecord.objects.none() if project_ids is not None else TalentRecord.objects.all()
    for t in scoped(talents.filter(_in_months("introduced_on", months)), "unit__"):
        events.append(Event(TALENTS, t.unit_id, t.introduced_on, Decimal(t.headcount)))
    return events


def _retarget(q: Q, relation: str) -> Q:
    """Rewrite a Q built for "unit__…" onto another relation ("first_signed_unit__…")."""
    clone = Q()
    clone.connector, clone.negated = q.connector, q.negated
    for child in q.children:  # type: ignore[union-attr]
        if isinstance(child, Q):
            clone.children.append(_retarget(child, relation))
        else:
            key, value = child  # type: ignore[misc]
            clone.children.append((relation + key[len("unit__") :] if key.startswith("unit__") else key, value))
    return clone


def totals_by_unit_month(events: Iterable[Event]) -> dict[tuple[str, int, datetime.date], Decimal]:
    """(measure, holding unit id, month) → total, for the unit itself (no roll-up)."""
    out: dict[tuple[str, int, datetime.date], Decimal] = defaultdict(Decimal)
    for e in events:
        out[(e.measure, e.unit_id, month_of(e.on))] += e.value
    return dict(out)
