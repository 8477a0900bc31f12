"""Reads of correction requests — always through the visibility guard — and what they affect.

A request is visible to users whose scope holds its unit (the unit itself, its city, the
province). The published results a request affects come from the assessment area's published
selector (`kaifang.assessment.selectors.snapshots_touching`), never from its models.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.http import Http404

from kaifang.accounts.permissions import can_write_for_unit, is_province_user
from kaifang.assessment import selectors as assessment_selectors
from kaifang.corrections import workflow
from kaifang.corrections.models import CorrectionFigure, CorrectionQuerySet, CorrectionRequest, CorrectionState
from kaifang.indicators import selectors as indicator_selectors
from kaifang.indicators.figures import plain
from kaifang.indicators.periods import month_label
from kaifang.orgs.selectors import visible_units

if TYPE_CHECKING:
    from kaifang.assessment.models import AssessmentSnapshot, Bulletin
    from kaifang.indicators.models import DataValue, Indicator
    from kaifang.orgs.models import OrgUnit

REFERENCE_MAX = 20


def visible_corrections(user: Any, *, state: str = "", unit_code: str = "") -> CorrectionQuerySet:
    """The requests `user` may see, newest first, optionally of one state or one unit."""
    qs = CorrectionRequest.objects.visible_to(user).select_related("unit", "requester_unit")
    if state:
        qs = qs.filter(state=state)
    if unit_code:
        qs = qs.filter(unit__code=unit_code[:32])
    return qs.order_by("-created_at", "-id")


def get_correction_for_user(user: Any, pk: int | str) -> CorrectionRequest:
    """One request, or 404 when it does not exist or lies outside `user`'s scope."""
    found = visible_corrections(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise Http404("correction not found")
    return found


def get_correction_by_reference_for_user(user: Any, reference: str) -> CorrectionRequest:
    found = visible_corrections(user).filter(reference=reference.strip()[:REFERENCE_MAX]).first()
    if found is None:
        raise Http404("correction not found")
    return found


def figures_of(correction: CorrectionRequest) -> list[CorrectionFigure]:
    return list(correction.figures.select_related("indicator"))


def steps_of(correction: CorrectionRequest) -> list[Any]:
    return list(correction.steps.select_related("actor").order_by("at", "id"))


def requestable_units(user: Any) -> list[OrgUnit]:
    """Units `user` may ask corrections for: the units they write for, when there is a level above
    their own unit to approve (none for the province)."""
    own = getattr(user, "unit", None)
    if own is None or not workflow.approving_units(own, own):
        return []
    return [u for u in visible_units(user) if can_write_for_unit(user, u)]


@dataclass(frozen=True)
class StoredRow:
    """A typed indicator of the catalogue with the unit's stored figure of the month (or None)."""

    indicator: Indicator
    value: DataValue | None

    @property
    def version(self) -> int:
        return self.value.version if self.value is not None else 0


def stored_rows(user: Any, unit: OrgUnit, period: datetime.date) -> list[StoredRow]:
    """Every active typed indicator with the unit's figure as stored now, for the request form."""
    typed = [i for i in indicator_selectors.indicators() if i.is_typed]
    stored = indicator_selectors.values_for_form(user=user, unit=unit, period=period, codes=[i.code for i in typed])
    return [StoredRow(indicator=i, value=stored.get(i.code)) for i in typed]


@dataclass(frozen=True)
class FigureRow:
    """A figure of a request beside the unit's figure as stored now (linking to its history)."""

    figure: CorrectionFigure
    current: DataValue | None


def figure_rows(user: Any, correction: CorrectionRequest) -> list[FigureRow]:
    figures = figures_of(correction)
    stored = indicator_selectors.values_for_form(
        user=user, unit=correction.unit, period=correction.period, codes=[f.indicator.code for f in figures]
    )
    return [FigureRow(figure=f, current=stored.get(f.indicator.code)) for f in figures]


# --- Affected published results -------------------------------------------------------------------


NEEDS_REPUBLISH = "needs_republish"  # published before the approval: 需重新发布
REPUBLISHED = "republished"  # the latest version was published after the approval
WOULD_AFFECT = "would_affect"  # the request is not approved (yet): approving it would affect this


@dataclass
class AffectedResult:
    snapshot: AssessmentSnapshot
    status: str
    indicators: list[str] = field(default_factory=list)


@dataclass
class Affected:
    results: list[AffectedResult]
    bulletins: list[tuple[Bulletin, str]]


def _unit_codes(unit: OrgUnit) -> set[str]:
    """The unit and every unit above it (a city's figure may be the sum of its counties')."""
    return {code for code in unit.path.strip("/").split("/") if code}


def _status(correction: CorrectionRequest, published_at: datetime.datetime) -> str:
    if correction.state != CorrectionState.APPROVED or correction.decided_at is None:
        return WOULD_AFFECT
    return REPUBLISHED if published_at >= correction.decided_at else NEEDS_REPUBLISH


def affected_results(user: Any, correction: CorrectionRequest) -> Affected:
    """The published assessment results and bulletins (通报) the request's figures reach, each with
    its status: to republish (published before the approval), republished, or — before approval —
    what approving would affect. Withdrawn and rejected requests affect nothing."""
    if correction.state in (CorrectionState.WITHDRAWN, CorrectionState.REJECTED):
        return Affected(results=[], bulletins=[])
    codes = _unit_codes(correction.unit)
    by_key: dict[int, AffectedResult] = {}
    for figure in figures_of(correction):
        for snapshot in assessment_selectors.snapshots_touching(figure.indicator.code, codes, correction.period):
            entry = by_key.setdefault(
                snapshot.pk, AffectedResult(snapshot=snapshot, status=_status(correction, snapshot.published_at))
            )
            entry.indicators.append(figure.indicator.name)
    results = sorted(by_key.values(), key=lambda r: (r.snapshot.period, r.snapshot.scheme_code))
    bulletins = assessment_selectors.bulletins_of_snapshots(user, [r.snapshot for r in results])
    return Affected(results=results, bulletins=[(b, _status(correction, b.created_at)) for b in bulletins])


def republish_reason(correction: CorrectionRequest) -> str:
    """The reason prefilled when republishing a result a correction affects (stored text: Chinese)."""
    changes = "，".join(
        f"{f.indicator.name} {_plain(f.old_value)} → {_plain(f.new_value)}" for f in figures_of(correction)
    )
    return f"数据更正 {correction.reference}：{correction.unit.name} {month_label(correction.period)} {changes}"[:500]


def _plain(value: Any) -> str:
    return "空" if value is None else plain(value)


def can_republish(user: Any) -> bool:
    """Republishing is the province's (see `kaifang.assessment.services.publish_assessment`)."""
    return is_province_user(user)


def corrections_affecting(user: Any, snapshot: AssessmentSnapshot) -> list[CorrectionRequest]:
    """Approved requests (visible to `user`) decided after `snapshot` was published whose figures
    reach its inputs: the snapshot needs republishing because of them."""
    year = snapshot.period.year
    candidates = (
        visible_corrections(user, state=CorrectionState.APPROVED)
        .filter(decided_at__gt=snapshot.published_at, period__year__in=[year - 1, year], period__lte=snapshot.period)
        .prefetch_related("figures__indicator")
    )
    return [
        c
        for c in candidates
        if any(
            assessment_selectors.touches(
                snapshot, indicator_code=f.indicator.code, unit_codes=_unit_codes(c.unit), period=c.period
            )
            for f in c.figures.all()
        )
    ]
