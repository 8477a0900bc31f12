"""Ledger-derived indicators (来自台账): computed per unit and month from the ledgers, never typed.

A unit's figure is the total of events counted for it and for every unit below it (a city's
figure includes its districts', the province's every city's), under the rules in `counting`.
Each ledger service calls `push_for_events` in its own transaction with the events the change
touched before and after, so the figures move with the ledger; `recompute_all` rebuilds them.
"""

from __future__ import annotations

import contextlib
import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from kaifang.core import clock
from kaifang.indicators.models import Indicator, ReportedAs, Source
from kaifang.indicators.selectors import stored_figures
from kaifang.indicators.services import set_computed_values
from kaifang.ledgers.counting import FUNDS, SIGNED_100M, STARTED_100M, TALENTS, Event, ledger_events, month_of
from kaifang.ledgers.money import HUNDRED_MILLION_YUAN, Rates
from kaifang.orgs.models import OrgUnit

# Indicator code in the catalogue → the measure it is computed from (matched by code: a name may be
# reworded in the catalogue, the code never changes).
MEASURE_OF = {
    "PROJ_SIGNED": SIGNED_100M,  # 新签约亿元以上项目数
    "PROJ_STARTED": STARTED_100M,  # 新开工亿元以上项目数
    "FUNDS_ARRIVED": FUNDS,  # 实际到位资金
    "TALENT": TALENTS,  # 引进人才数
}


def ledger_indicators() -> list[Any]:
    """The catalogue's ledger-sourced indicators this module computes (those the catalogue has)."""
    return list(Indicator.objects.filter(source=Source.LEDGER, code__in=list(MEASURE_OF), is_active=True))


def _scale(indicator: Any, value: Decimal) -> Decimal:
    """Funds are counted in 万元; an indicator kept in 亿元 gets them divided by 10,000."""
    if MEASURE_OF[indicator.code] == FUNDS and "亿" in indicator.unit_of_measure:
        return value / HUNDRED_MILLION_YUAN
    return value


def _chain_ids(units: dict[int, OrgUnit], paths: dict[str, int], unit_id: int) -> list[int]:
    """The unit and its ancestors (from the materialised path)."""
    unit = units[unit_id]
    return [paths[code] for code in unit.path.strip("/").split("/") if code in paths]


def rolled_up(events: Iterable[Event]) -> dict[tuple[str, int, datetime.date], Decimal]:
    """(measure, unit id, month) → the month's total for that unit and everything below it."""
    units = {u.pk: u for u in OrgUnit.objects.only("id", "code", "path")}
    paths = {u.code: u.pk for u in units.values()}
    out: dict[tuple[str, int, datetime.date], Decimal] = defaultdict(Decimal)
    for e in events:
        for uid in _chain_ids(units, paths, e.unit_id):
            out[(e.measure, uid, month_of(e.on))] += e.value
    return dict(out)


def compute_values(
    *, months: set[datetime.date] | None = None, rates: Rates | None = None
) -> dict[tuple[str, int, datetime.date], Decimal]:
    """Month values of every measure, unit (rolled up) and month with any event."""
    return rolled_up(ledger_events(months=months, rates=rates))


def _ytd_rows(
    monthly: dict[tuple[str, int, datetime.date], Decimal], measure: str, unit_id: int, month: datetime.date
) -> Decimal:
    return sum(
        (monthly.get((measure, unit_id, month.replace(month=m)), Decimal(0)) for m in range(1, month.month + 1)),
        Decimal(0),
    )


_deferred: ContextVar[set[tuple[int, datetime.date]] | None] = ContextVar("ledger_push_deferred", default=None)


@contextlib.contextmanager
def deferred_push(*, actor: Any) -> Iterator[None]:
    """Collect the keys of many changes (an import, the demo) and push them once at the end,
    still inside the caller's transaction."""
    keys: set[tuple[int, datetime.date]] = set()
    token = _deferred.set(keys)
    try:
        yield
    finally:
        _deferred.reset(token)
    push_values(actor=actor, keys=keys)


def push_values(*, actor: Any, keys: set[tuple[int, datetime.date]]) -> int:
    """Recompute and push the derived figures of every (holding unit, month) in `keys`.

    The unit's ancestors are pushed too (their totals include it); YTD-reported indicators also
    get the later months of the same year up to today's month (their cumulative changed).

    Locked months: `set_computed_values` decides, as for every figure. A push that would change a
    figure of a locked month — submitted, approved or closed with its round, directly or through a
    later month's derived month value or YTD — is REFUSED with a message naming the month
    (`FiguresRefused`), and since every ledger service pushes inside its own transaction, the
    ledger change itself is refused with it: the ledger and the reported figures never silently
    disagree. The recompute command is no exception; a locked figure changes only through an
    approved correction (数据更正).
    """
    collecting = _deferred.get()
    if collecting is not None:
        collecting.update(keys)
        return 0
    indicators = ledger_indicators()
    if not indicators or not keys:
        return 0

    units = {u.pk: u for u in OrgUnit.objects.only("id", "code", "path", "name")}
    paths = {u.code: u.pk for u in units.values()}
    today_month = month_of(clock.today())
    targets: set[tuple[int, datetime.date]] = set()
    for unit_id, month in keys:
        for uid in _chain_ids(units, paths, unit_id):
            targets.add((uid, month))
    # Only the months the figures need: the changed months, or whole years when an indicator is YTD.
    needed = {m for _u, m in targets}
    if any(i.reported_as == ReportedAs.YTD for i in indicators):
        needed = {datetime.date(m.year, month, 1) for m in needed for month in range(1, 13)}
    monthly = compute_values(months=needed)
    changed = 0
    for indicator in indicators:
        measure = MEASURE_OF[indicator.code]
        ytd = indicator.reported_as == ReportedAs.YTD
        rows: dict[tuple[int, datetime.date], Decimal] = {}
        existing = {
            (f.unit_id, f.period) for f in stored_figures(indicators=[indicator], units={u for u, _m in targets})
        }
        for uid, month in targets:
            months = [month]
            if ytd:
                last = 12 if month.year < today_month.year else max(today_month.month, month.month)
                months = [month.replace(month=m) for m in range(month.month, last + 1)]
            for m in months:
                value = _ytd_rows(monthly, measure, uid, m) if ytd else monthly.get((measure, uid, m), Decimal(0))
                if value or (uid, m) in existing:  # no zero rows where nothing was ever counted
                    rows[(uid, m)] = _scale(indicator, value)
        changed += set_computed_values(
            actor=actor, indicator=indicator, rows=[(units[uid], m, v) for (uid, m), v in sorted(rows.items())]
        )
    return changed


def event_keys(events: Iterable[Event]) -> set[tuple[int, datetime.date]]:
    return {(e.unit_id, month_of(e.on)) for e in events}


def recompute_all(*, actor: Any, commit: bool) -> dict[str, int]:
    """Rebuild every derived figure from the ledgers: every unit and month with an event, plus
    every month that already holds a ledger figure (so a figure whose events went away returns to 0)."""
    keys = event_keys(ledger_events())
    indicators = ledger_indicators()
    if indicators:
        keys.update((f.unit_id, f.period) for f in stored_figures(indicators=indicators))
    summary = {"keys": len(keys), "indicators": len(indicators), "changed": 0}
    if commit:
        summary["changed"] = push_values(actor=actor, keys=keys)
    return summary
