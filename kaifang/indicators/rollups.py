"""Monthly rollups (`MonthRollup`): each unit's children's figures already added up, per indicator and
month, kept in the same transaction as the figures — zero lag: after a save returns, a read sees it.

`follow` is called by the one write funnel of figures (`kaifang.indicators.services._write`) with the
rows it is about to write: one read of the old figures of changed rows, one of their units, then one
`INSERT … ON CONFLICT DO UPDATE` per few hundred rollups adding the differences (never a recomputed
total, so concurrent writers below the same unit cannot lose each other's figures; rows are touched in
key order so they cannot deadlock). `children_sums` is what `kaifang.indicators.aggregation` adds up
children with: the rollups for additive indicators while the tree is the one they were kept under
(`usable`), else — and for averaged indicators, whose SQL AVG is not a sum ÷ count to the last digit —
the SQL aggregate of the children's rows, as before. `rebuild` recomputes every rollup from the figures
(after a division change, or after figures were loaded around the services, as `bench/` does).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Avg, Count, Sum

from kaifang.indicators.cells import SUMMABLE_KINDS, current_children_q
from kaifang.indicators.models import DataValue, MonthRollup, RollupState, UnitAggregation
from kaifang.orgs.models import OrgUnit

Sums = dict[tuple[int, int, datetime.date], tuple[Decimal | None, Decimal | None, int]]
CHUNK = 500
ZERO = Decimal(0)


def _tables() -> tuple[str, str, str, str]:
    quote = connection.ops.quote_name
    return (
        quote(MonthRollup._meta.db_table),
        quote(RollupState._meta.db_table),
        quote(OrgUnit._meta.db_table),
        quote(DataValue._meta.db_table),
    )


def stamps() -> tuple[int, int, int]:
    """(tree stamp now, tree stamp the rollups were kept under, rebuild generation) — one query.
    The tree stamp counts changes made to existing units (Σ version − count)."""
    _rollup, state, units, _values = _tables()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COALESCE(SUM(version), 0) - COUNT(*) FROM {units}),"
            f" (SELECT tree_stamp FROM {state} WHERE id = 1), (SELECT generation FROM {state} WHERE id = 1)"
        )
        now, kept, generation = cursor.fetchone()
    return int(now), int(kept if kept is not None else -1), int(generation or 0)


def usable() -> bool:
    """Were the rollups kept under the tree as it is now (no division change since)?"""
    now, kept, _generation = stamps()
    return now == kept


# --- Keeping them current ----------------------------------------------------------------------------


def _counts(kind: str, valid_from: Any, valid_to: Any, period: datetime.date) -> bool:
    """A child division counts for a month when it existed on the first of that month (as `cells`)."""
    return (
        kind in SUMMABLE_KINDS
        and (valid_from is None or valid_from <= period)
        and (valid_to is None or valid_to >= period)
    )


State = tuple[bool, Decimal | None, Decimal | None]  # (reported?, month value, YTD)


def stored_state(row: DataValue) -> State:
    """A row's state as it is stored, read before the write changes it in memory."""
    return (row.reported is not None, row.month_value, row.ytd_value)


def follow(
    *,
    created: Sequence[DataValue],
    changed: Sequence[DataValue],
    moved: Sequence[Any],
    known: dict[int, State] | None = None,
) -> None:
    """Add the differences the figures about to be written make to their parents' rollups: `created`
    and `changed` rows carry their new figures (changed rows are still stored with their old ones),
    `moved` are `kaifang.indicators.derived.Moved` (a later month whose derived figures move).
    `known` holds the stored state of rows the caller read (locked) in this transaction; the others
    are read here."""
    old: dict[int, State] = dict(known or {})
    pks = [pk for pk in [r.pk for r in changed] + [m.pk for m in moved] if pk not in old]
    for start in range(0, len(pks), 5000):
        for pk, reported, month_value, ytd_value in DataValue.objects.filter(
            pk__in=pks[start : start + 5000]
        ).values_list("pk", "reported", "month_value", "ytd_value"):
            old[pk] = (reported is not None, month_value, ytd_value)
    entries: list[tuple[int, int, datetime.date, State | None, State]] = []
    for r in created:
        entries.append(
            (r.indicator_id, r.unit_id, r.period, None, (r.reported is not None, r.month_value, r.ytd_value))
        )
    for r in changed:
        entries.append(
            (r.indicator_id, r.unit_id, r.period, old[r.pk], (r.reported is not None, r.month_value, r.ytd_value))
        )
    for m in moved:
        was = old[m.pk]
        entries.append((m.indicator_id, m.unit_id, m.period, was, (was[0], m.month_value, m.ytd_value)))
    if not entries:
        return
    units: dict[int, tuple[Any, str, Any, Any]] = {
        pk: (parent_id, kind, valid_from, valid_to)
        for pk, parent_id, kind, valid_from, valid_to in OrgUnit.objects.filter(
            pk__in={e[1] for e in entries}
        ).values_list("pk", "parent_id", "kind", "valid_from", "valid_to")
    }
    deltas: dict[tuple[int, int, datetime.date], list[Any]] = {}
    for indicator_id, unit_id, period, before, after in entries:
        parent_id, kind, valid_from, valid_to = units[unit_id]
        if parent_id is None:
            continue
        d = deltas.setdefault((indicator_id, parent_id, period), [ZERO, 0, ZERO, 0, 0])
        if not _counts(kind, valid_from, valid_to, period):
            continue  # still a change below the unit: its version goes up
        for sign, state in ((-1, before), (1, after)):
            if state is None or not state[0]:
                continue
            d[4] += sign
            if state[1] is not None:
                d[0] += sign * state[1]
                d[1] += sign
            if state[2] is not None:
                d[2] += sign * state[2]
                d[3] += sign
    _add(sorted(deltas.items()))


def _add(rows: list[tuple[tuple[int, int, datetime.date], list[Any]]]) -> None:
    rollup = _tables()[0]
    columns = "indicator_id, unit_id, period, month_sum, month_count, ytd_sum, ytd_count, reporting, version"
    update = ", ".join(
        f"{c} = {rollup}.{c} + excluded.{c}" for c in ("month_sum", "month_count", "ytd_sum", "ytd_count", "reporting")
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, 1)"] * len(chunk))
            params: list[Any] = []
            for (indicator_id, unit_id, period), d in chunk:
                params += [indicator_id, unit_id, period, d[0], d[1], d[2], d[3], d[4]]
            cursor.execute(
                f"INSERT INTO {rollup} ({columns}) VALUES {values} ON CONFLICT (indicator_id, unit_id, period)"
                f" DO UPDATE SET {update}, version = {rollup}.version + 1",
                params,
            )


REBUILD_SELECT = """
SELECT v.indicator_id, u.parent_id, v.period, COALESCE(SUM(v.month_value), 0), COUNT(v.month_value),
       COALESCE(SUM(v.ytd_value), 0), COUNT(v.ytd_value), COUNT(*), 1
FROM {values} v JOIN {units} u ON u.id = v.unit_id
WHERE v.reported IS NOT NULL AND u.parent_id IS NOT NULL AND u.kind IN ('city', 'county')
  AND (u.valid_from IS NULL OR u.valid_from <= v.period) AND (u.valid_to IS NULL OR u.valid_to >= v.period)
GROUP BY v.indicator_id, u.parent_id, v.period
"""


def rebuild() -> int:
    """Recompute every rollup from the figures under the tree as it is now; returns how many."""
    rollup, state, units, values = _tables()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {rollup}")
        cursor.execute(
            f"INSERT INTO {rollup} (indicator_id, unit_id, period, month_sum, month_count, ytd_sum, ytd_count,"
            f" reporting, version) " + REBUILD_SELECT.format(values=values, units=units)
        )
        count = cursor.rowcount
        now, _kept, generation = stamps()
        cursor.execute(f"DELETE FROM {state}")
        cursor.execute(f"INSERT INTO {state} (id, tree_stamp, generation) VALUES (1, %s, %s)", [now, generation + 1])
    return int(count)


# --- Reading them -----------------------------------------------------------------------------------


def children_sums(
    indicators: dict[int, Any],
    parents: dict[int, dict[int, list[OrgUnit]]],
    periods: Sequence[datetime.date],
    *,
    rolled: bool,
) -> Sums:
    """(indicator id, parent id, month) → (Σ month values, Σ YTDs, children reporting) of the parents'
    current child divisions' own reported figures, for each indicator id → (indicator, its parents →
    their children) — from the rollups where they apply (`rolled`: `usable()`), else one SQL aggregate
    per indicator."""
    sums: Sums = {}
    summed = [
        pk
        for pk, indicator in indicators.items()
        if indicator.unit_aggregation != UnitAggregation.AVERAGE and parents.get(pk)
    ]
    if rolled and summed:
        rows = MonthRollup.objects.filter(
            indicator_id__in=summed,
            unit_id__in=sorted({p for pk in summed for p in parents[pk]}),
            period__in=list(periods),
            reporting__gt=0,
        ).values_list(
            "indicator_id", "unit_id", "period", "month_sum", "month_count", "ytd_sum", "ytd_count", "reporting"
        )
        for pk, parent, period, m, mn, y, yn, n in rows:
            if pk in summed and parent in parents[pk]:
                sums[(pk, parent, period)] = (m if mn else None, y if yn else None, n)
    else:
        summed = []
    for pk, indicator in indicators.items():
        if pk in summed or not parents.get(pk):
            continue
        sums.update(_live(indicator, [c for group in parents[pk].values() for c in group], periods))
    return sums


def _live(indicator: Any, kids: Iterable[OrgUnit], periods: Sequence[datetime.date]) -> Sums:
    """One indicator's SQL aggregate of the children's own values, per parent and month (a single
    indicator lets the planner walk the (indicator, unit, period) index)."""
    averaged = indicator.unit_aggregation == UnitAggregation.AVERAGE
    rows = (
        DataValue.objects.filter(
            indicator_id=indicator.pk,
            unit_id__in=[c.pk for c in kids],
            period__in=list(periods),
            reported__isnull=False,
        )
        .filter(current_children_q())
        .values("unit__parent_id", "period")
        .annotate(
            m=Avg("month_value") if averaged else Sum("month_value"),
            y=Avg("ytd_value") if averaged else Sum("ytd_value"),
            n=Count("id"),
        )
        .order_by()
    )
    return {(indicator.pk, r["unit__parent_id"] or 0, r["period"]): (r["m"], r["y"], r["n"]) for r in rows}


def figures_stamp(indicator_ids: Iterable[int], period_from: datetime.date, period_to: datetime.date) -> str:
    """A text that changes whenever any figure of these indicators from `period_from` to `period_to` of a
    unit below another unit is written (each write raises its rollup's `version`), any of their targets of
    those years or their catalogue entry changes, the tree changes or the rollups are rebuilt. Three
    aggregate queries on small tables; a unit without a parent (the province) is not covered."""
    from kaifang.indicators.models import Indicator, Target

    ids = sorted(set(indicator_ids))
    now, kept, generation = stamps()
    rolled = MonthRollup.objects.filter(indicator_id__in=ids, period__gte=period_from, period__lte=period_to)
    targets = Target.objects.filter(indicator_id__in=ids, year__gte=period_from.year, year__lte=period_to.year)
    parts = [
        q.order_by().aggregate(v=Sum("version"), n=Count("id"))
        for q in (rolled, targets, Indicator.objects.filter(pk__in=ids))
    ]
    return f"{now}.{kept}.{generation}:" + ":".join(f"{p['v'] or 0}.{p['n']}" for p in parts)
