"""Running scores at lookup speed, never stale.

A running score depends on the indicators' figures and targets, the group's membership, tasks, reporting
rounds and 加减分 entries, the scheme and the day it is computed. `inputs_stamp` digests all of them:
the figures through the stamp the indicators area keeps with every write (`figures_stamp`: each figure
written raises a rollup's version in the same transaction), the other inputs by gathering them as the
engine would (small grouped queries). A stored `RunningScore` is served only while its stamp equals the
stamp of the data as it is now; otherwise the scheme is scored again from the data (the same
`assess` that publishing uses) and stored — so a read right after a save shows it (zero lag), and every
read in between is a lookup. Groups holding a unit without a parent (not covered by the figures' stamp)
are always scored from the data.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from kaifang.assessment.inputs import group_units, other_inputs, unit_filter
from kaifang.assessment.models import AssessmentScheme, RunningScore
from kaifang.core import clock
from kaifang.indicators.selectors import figures_stamp


@dataclass(frozen=True)
class Rank:
    """One unit's running total, rank and grade in its group."""

    code: str
    total: str
    rank: int
    grade: str
    group_size: int


def inputs_stamp(scheme: AssessmentScheme, period: datetime.date, as_of: datetime.datetime | None = None) -> str:
    """The digest of every input of the scheme's running score for `period` as the data is now ("" when
    the group has a unit the figures' stamp does not cover)."""
    as_of = as_of or clock.now()
    members = group_units(scheme, period)
    if any(u.parent_id is None for u in members):
        return ""
    items = list(scheme.items.select_related("indicator"))
    indicators = [i.indicator for i in items if i.indicator is not None]
    others = other_inputs(scheme, period, members, unit_filter(members, scheme.group), as_of)
    parts = [
        scheme.pk,
        scheme.number,
        scheme.tie_rule,
        scheme.grading,
        [(i.code, i.name, i.kind, i.weight, i.params, i.indicator_id, i.missing) for i in items],
        f"{period:%Y-%m}",
        [u.pk for u in members],
        figures_stamp(indicators, period.replace(year=period.year - 1, month=1), period) if indicators else "",
        others,
    ]
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str)  # Decimals, dates: str()
    return hashlib.sha256(text.encode()).hexdigest()


# Whole results (every point explained) are kept for groups up to this size: beyond it writing and
# reading the JSON costs more than it saves, so pages score such a group from the data as before and
# only totals and ranks are kept (`running_rank`).
KEEP_RESULTS_UP_TO = 400


def running_results(scheme: AssessmentScheme, period: datetime.date) -> dict[str, Any]:
    """The scheme's running results for `period` (as `assess(...).results()`), from the store when its
    inputs have not changed since it was computed, else computed now and stored."""
    if scheme.group.members.current(on=period).count() > KEEP_RESULTS_UP_TO:
        from kaifang.assessment.selectors import assess

        return assess(scheme=scheme, period=period).results()
    stamp = inputs_stamp(scheme, period)
    if stamp:
        kept = RunningScore.objects.filter(scheme=scheme, period=period, stamp=stamp).only("results").first()
        if kept is not None and kept.results:
            return kept.results
    return _refresh(scheme, period, stamp)[0]


def running_rank(scheme: AssessmentScheme, period: datetime.date, unit_code: str) -> Rank | None:
    """One unit's running total, rank and grade (None outside the group): a lookup while nothing changed."""
    stamp = inputs_stamp(scheme, period)
    ranks: dict[str, Any] | None = None
    if stamp:
        kept = RunningScore.objects.filter(scheme=scheme, period=period, stamp=stamp).only("ranks").first()
        ranks = kept.ranks if kept is not None else None
    if ranks is None:
        ranks = _refresh(scheme, period, stamp)[1]
    row = ranks.get(unit_code)
    if row is None:
        return None
    return Rank(unit_code, row[0], row[1], row[2], len(ranks))


def _refresh(scheme: AssessmentScheme, period: datetime.date, stamp: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Score the group from the data and keep it under `stamp`: (results, code → [total, rank, grade])."""
    from kaifang.assessment.selectors import assess

    run = assess(scheme=scheme, period=period)
    small = len(run.outcome.units) <= KEEP_RESULTS_UP_TO
    results = run.results() if small else {}  # a large group's explained results are not kept
    ranks = {u.code: [format(u.total, "f"), u.rank, u.grade] for u in run.outcome.units}
    if stamp:
        values = {"stamp": stamp, "ranks": ranks, "results": results, "computed_at": clock.now()}
        try:
            with transaction.atomic():
                RunningScore.objects.update_or_create(scheme=scheme, period=period, defaults=values)
        except IntegrityError:
            pass  # another request stored the same running score at the same moment
    return results, ranks
