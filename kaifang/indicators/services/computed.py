"""Figures no one types: ledger-derived and formula values written by code (`set_computed_values`),
through the same locks, history and audit as typed ones. Part of `kaifang.indicators.services`."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kaifang.audit.services import record_event
from kaifang.core import clock, context
from kaifang.core.actors import actor_user
from kaifang.indicators.derived import plan_years
from kaifang.indicators.figures import (
    clean_figure,
)
from kaifang.indicators.models import DataValue, Indicator, Source
from kaifang.indicators.periods import check_period
from kaifang.indicators.rollups import stored_state
from kaifang.indicators.services import _audit, _Change, _write
from kaifang.indicators.services.windows import check_writable, lock_units
from kaifang.orgs.models import OrgUnit


def set_computed_values(
    *, actor: Any, indicator: Indicator, rows: Iterable[tuple[OrgUnit, datetime.date, Decimal | None]]
) -> int:
    """Write figures computed from a ledger (or any non-typed source) for many units and months.

    The figure is read as `indicator.reported_as` says (a month value or a YTD). No version check
    and no write window: the ledger is the authority for its figures. Unchanged figures are skipped;
    returns how many changed. History rows and one audit event are written in the same transaction.

    Locks hold here too. A computed figure that was submitted, approved or closed with its round is
    part of what the unit reported: when any figure of these rows — itself, or a later month whose
    month value or YTD it moves — sits in a locked month, the whole write is REFUSED
    (`FiguresRefused` naming each locked month) and nothing changes, so the ledger change that
    caused it is refused with it, in its own transaction. We refuse rather than apply the unlocked
    months only because a ledger and its figures that silently disagree are worse than a ledger
    change that waits: the unit checks the effective date, or its reviewer returns the month, or a
    correction (数据更正) is approved — then the same change goes through.
    """
    if indicator.source == Source.REPORTED:
        raise ValidationError(
            _("指标“%(name)s”由单位填报，不能用计算结果覆盖。") % {"name": indicator.name}, code="typed"
        )
    prepared: list[tuple[OrgUnit, datetime.date, Decimal | None]] = []
    for unit, period, raw in rows:
        prepared.append((unit, check_period(period), clean_figure(raw, label=indicator.name)))
    if not prepared:
        return 0
    now = clock.now()
    channel = context.current().channel
    with transaction.atomic():
        lock_units(u.pk for u, _p, _v in prepared)
        existing = {
            (row.unit_id, row.period): row
            for row in DataValue.objects.select_for_update().filter(
                indicator=indicator,
                unit_id__in={u.pk for u, _p, _v in prepared},
                period__in={p for _u, p, _v in prepared},
            )
        }
        changes: list[_Change] = []
        for unit, period, value in prepared:
            row = existing.get((unit.pk, period))
            if row is None:
                if value is None:
                    continue
                row = DataValue(indicator=indicator, unit=unit, period=period, reported=value, version=1)
                row.updated_by, row.updated_at = actor_user(actor), now
                existing[(unit.pk, period)] = row
                changes.append(_Change(row=row, old_reported=None, old_comment="", created=True))
                continue
            if row.reported == value:
                continue
            row.unit, row.indicator = unit, indicator
            changes.append(
                _Change(row=row, old_reported=row.reported, old_comment=row.comment, old_state=stored_state(row))
            )
            row.reported, row.version = value, row.version + 1
            row.updated_by, row.updated_at = actor_user(actor), now
        moved = plan_years([c.row for c in changes], {indicator.pk: indicator})
        check_writable(
            changing=[c.row for c in changes],
            moved=moved,
            units={u.pk: u for u, _p, _v in prepared},
            indicators={indicator.pk: indicator},
            typed=False,
        )
        _write(changes, moved, actor=actor, now=now, channel=channel)
        if changes:
            units = {c.row.unit_id for c in changes}
            periods = {c.row.period for c in changes}
            record_event(
                **_audit(
                    changes,
                    actor=actor,
                    unit=changes[0].row.unit if len(units) == 1 else None,
                    period=changes[0].row.period if len(periods) == 1 else None,
                    action="indicators.values.compute",
                )
            )
        return len(changes)
