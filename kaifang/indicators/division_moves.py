"""What a division change does to figures and targets (see `kaifang.orgs.movers`).

Figures stay where they were reported (history as reported); the dry run lists each of them with
its value. Targets of the effective year and later move by the change's shares: each result gets
share × each source's annual (and monthly) target, added to any target it already has; the
source keeps its own row as history.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kaifang.audit.services import record_event
from kaifang.core import clock
from kaifang.indicators.models import DataValue, Target
from kaifang.orgs.movers import Affected, Moves

QUANT = Decimal("0.0001")


def figures(moves: Moves, *, actor: Any, commit: bool) -> list[Affected]:
    rows = (
        DataValue.objects.filter(unit__code__in=moves.source_codes, reported__isnull=False)
        .select_related("indicator", "unit")
        .order_by("unit__code", "period", "indicator__sort_order")
    )
    return [
        Affected(
            _("指标数据"),
            f"{row.unit.code} {row.period:%Y-%m}",
            f"{row.unit.name} {row.indicator.name} {row.reported.normalize():f}{row.indicator.unit_of_measure}",
            _("保持原填报值，同比按可比口径折算"),
        )
        for row in rows
        if row.reported is not None
    ]


def targets(moves: Moves, *, actor: Any, commit: bool) -> list[Affected]:
    out = []
    rows = Target.objects.filter(unit__code__in=moves.source_codes, year__gte=moves.effective.year).select_related(
        "indicator", "unit", "set_by"
    )
    for target in rows.order_by("year", "indicator__sort_order", "unit__code"):
        for code, share in moves.shares[target.unit.code]:
            if code == target.unit.code and share == 1:
                continue
            annual = (target.annual * share).quantize(QUANT)
            label = _("%(s)s × %(share)s = %(v)s 移交 %(to)s") % {
                "s": f"{target.annual.normalize():f}",
                "share": f"{share.normalize():f}",
                "v": f"{annual.normalize():f}",
                "to": moves.name(code),
            }
            out.append(Affected(_("目标"), f"{target.year} {target.unit.code}", target.indicator.name, label))
            if commit:
                _add_target(moves, target, code, share, actor)
    return out


def _add_target(moves: Moves, source: Target, code: str, share: Decimal, actor: Any) -> None:
    unit = moves.units[code]
    monthly = [str((Decimal(m) * share).quantize(QUANT)) for m in source.monthly] if source.monthly else None
    target = Target.objects.select_for_update().filter(indicator=source.indicator, unit=unit, year=source.year).first()
    annual = (source.annual * share).quantize(QUANT)
    if code == source.unit.code:  # a split that keeps the source: its own target shrinks to its share
        before = {"annual": str(target.annual)} if target else None
        if target is not None:
            target.annual, target.monthly = annual, monthly
            target.version += 1
            target.updated_at = clock.now()
            target.save()
            record_event(
                actor=actor,
                action="indicators.target.divide",
                obj=target,
                unit=unit,
                before=before,
                after={"annual": str(annual), "change": moves.change.pk},
            )
        return
    if target is None:
        target = Target.objects.create(
            indicator=source.indicator,
            unit=unit,
            year=source.year,
            annual=annual,
            monthly=monthly,
            set_by=source.set_by,
            note=_("区划调整承接"),
            updated_at=clock.now(),
        )
        before = None
    else:
        before = {"annual": str(target.annual)}
        target.annual += annual
        if target.monthly and monthly:
            target.monthly = [str(Decimal(a) + Decimal(b)) for a, b in zip(target.monthly, monthly, strict=True)]
        target.version += 1
        target.updated_at = clock.now()
        target.save()
    record_event(
        actor=actor,
        action="indicators.target.inherit",
        obj=target,
        unit=unit,
        before=before,
        after={"annual": str(target.annual), "from": source.unit.code, "share": str(share), "change": moves.change.pk},
    )


MOVERS = [figures, targets]
