"""Writes of monthly values: the one door every channel (form, API, import, CLI, demo) goes through.

`save_many` writes what units type for one month — the reporting form, the values API, an Excel
import, the demo loader — and `save_values` is its one-unit form; `set_computed_values` writes
ledger-derived figures. Each checks, in this order and only here: permission, the catalogue, the
figure (with the catalogue's sign rule), the write window and the lock
(`kaifang.indicators.services.windows.check_writable`, on the rows actually planned), and versions.
All keep `month_value`/`ytd_value` exact for the whole year (`kaifang.indicators.derived`), write a
history row per change and an audit event per unit, in one transaction, with a fixed number of
set-based statements (`kaifang.core.bulk`). The entry, its checks and the errors it can raise live
in `kaifang.indicators.figures`; catalogue and target writes in `kaifang.indicators.services.catalogue` and
`kaifang.indicators.services.targets`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kaifang.accounts.permissions import can_write_for_unit
from kaifang.audit.services import record_events
from kaifang.core import clock, context
from kaifang.core.actors import actor_name, actor_user
from kaifang.core.bulk import insert_rows, update_columns
from kaifang.indicators.derived import Moved, plan_years
from kaifang.indicators.figures import (
    Conflict,
    StaleValues,
    ValueEntry,
    clean_figure,
    plain,
)
from kaifang.indicators.models import DataValue, DataValueHistory, Indicator, Source
from kaifang.indicators.periods import check_period, month_label
from kaifang.indicators.rollups import follow, stored_state
from kaifang.indicators.services.windows import check_writable, lock_units
from kaifang.orgs.models import OrgUnit

INSERT_RETRIES = 3
MAX_REFERENCE = 64


@dataclass
class _Change:
    row: DataValue
    old_reported: Decimal | None
    old_comment: str
    created: bool = False
    # (reported?, month value, YTD) as stored before this write, for the rollups' differences
    old_state: tuple[bool, Decimal | None, Decimal | None] | None = None


Cleaned = list[tuple[ValueEntry, Indicator, Decimal | None]]


def save_values(*, actor: Any, unit: OrgUnit, period: datetime.date, entries: list[ValueEntry]) -> list[DataValue]:
    """Save typed figures of one unit and month, all or nothing: `save_many` for one unit."""
    return save_many(actor=actor, period=period, batches=[(unit, entries)])[0]


def save_many(
    *,
    actor: Any,
    period: datetime.date,
    batches: Sequence[tuple[OrgUnit, Sequence[ValueEntry]]],
    correction: str = "",
) -> list[list[DataValue]]:
    """Save typed figures of several units of one month in one transaction, all or nothing.

    Checks, each once: the actor may write for every unit (PermissionDenied); every entry against
    the catalogue (typed, active, known) and every figure (digits, places, sign) — all problems
    together as one ValidationError; then, on the rows this save would actually change, the write
    window and the lock (`check_writable`: an open window for each, and no locked month moved
    through its derived month value or YTD — `FiguresRefused` naming the month); then every
    expected version (`StaleValues` listing each conflict). A figure equal to the stored one is a
    no-op, so a retried save applies once. Returns each batch's rows, in entry order.

    `correction` — the reference of an approved correction (数据更正, e.g. "GZ-2018-0007") — is the
    authority to write outside a window and into a locked month: window and lock are not applied,
    everything else is, and the audit action is "indicators.values.correct" with the reference.
    """
    period = check_period(period)
    correction = (correction or "").strip()
    if len(correction) > MAX_REFERENCE:
        raise ValidationError(_("更正申请编号过长。"), code="correction")
    seen: set[int] = set()
    for unit, _entries in batches:
        if unit.pk in seen:
            raise ValidationError(_("同一单位在一次保存中出现了多次。"), code="duplicate")
        seen.add(unit.pk)
        if not can_write_for_unit(actor, unit):
            raise PermissionDenied(_("您无权填报该单位的数据。"))
    cleaned = _clean_entries(batches)
    for attempt in range(INSERT_RETRIES):
        try:
            return _apply(actor=actor, period=period, cleaned=cleaned, correction=correction)
        except IntegrityError:
            # Someone inserted the same (indicator, unit, period) at the same moment; run again:
            # the second pass sees their row and reports a conflict or an idempotent no-op.
            if attempt == INSERT_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _clean_entries(batches: Sequence[tuple[OrgUnit, Sequence[ValueEntry]]]) -> list[tuple[OrgUnit, Cleaned]]:
    """Each entry checked against the catalogue and cleaned; every problem of every unit is raised
    together as one `ValidationError` (prefixed with the unit's name when there are several)."""
    indicators = {
        i.code: i for i in Indicator.objects.filter(code__in={e.indicator_code for _u, es in batches for e in es})
    }
    errors: list[str] = []
    out: list[tuple[OrgUnit, Cleaned]] = []
    for unit, entries in batches:
        prefix = f"{unit.name}：" if len(batches) > 1 else ""
        codes = [e.indicator_code for e in entries]
        if len(set(codes)) != len(codes):
            errors.append(prefix + _("同一指标在一次保存中出现了多次。"))
            continue
        cleaned: Cleaned = []
        for entry in entries:
            indicator = indicators.get(entry.indicator_code)
            problem = _entry_problem(entry, indicator)
            if problem:
                errors.append(prefix + problem)
                continue
            assert indicator is not None
            try:
                value = clean_figure(entry.value, label=indicator.name)
            except ValidationError as exc:
                errors.extend(prefix + m for m in exc.messages)
                continue
            if value is not None and value < 0 and indicator.is_flow and not indicator.allow_negative:
                # A flow's figure as reported (a month or a YTD) counts something that happened:
                # it is never negative unless the catalogue says this indicator can be.
                errors.append(
                    prefix
                    + _("指标“%(name)s”的填报值不能为负数（填写了 %(value)s）。")
                    % {"name": indicator.name, "value": plain(value)}
                )
                continue
            cleaned.append((entry, indicator, value))
        out.append((unit, cleaned))
    if errors:
        raise ValidationError(errors, code="invalid")
    return out


def _entry_problem(entry: ValueEntry, indicator: Indicator | None) -> str:
    if indicator is None:
        return _("未知指标代码：%(code)s。") % {"code": entry.indicator_code[:40]}
    if not indicator.is_active:
        return _("指标“%(name)s”已停用，不能填报。") % {"name": indicator.name}
    if indicator.source != Source.REPORTED:
        return _("指标“%(name)s”由%(source)s自动计算，不能手工填报。") % {
            "name": indicator.name,
            "source": indicator.get_source_display(),
        }
    if len(entry.comment or "") > 2000:
        return _("%(name)s：说明不能超过 2000 字。") % {"name": indicator.name}
    return ""


def _apply(
    *, actor: Any, period: datetime.date, cleaned: list[tuple[OrgUnit, Cleaned]], correction: str
) -> list[list[DataValue]]:
    """Apply cleaned figures after the window, lock and version checks (`save_many` has checked
    scope and the catalogue). Writes values, history and one audit event per unit in one transaction."""
    now = clock.now()
    channel = context.current().channel
    units = {unit.pk: unit for unit, _items in cleaned}
    indicators = {ind.pk: ind for _unit, items in cleaned for _e, ind, _v in items}
    with transaction.atomic():
        lock_units(units)
        existing = _stored_rows(units, indicators, period)
        conflicts: list[Conflict] = []
        contested: list[DataValue] = []
        changes: list[_Change] = []
        for unit, items in cleaned:
            for entry, indicator, value in items:
                row = existing.get((unit.pk, indicator.pk))
                comment = (entry.comment or "").strip()
                if row is None and value is None and not comment:
                    continue  # nothing there, nothing typed
                if row is not None and row.reported == value and row.comment == comment:
                    continue  # idempotent: already so
                if (row.version if row is not None else None) != entry.expected_version:
                    conflicts.append(_conflict(row, indicator, entry, value, unit if len(cleaned) > 1 else None))
                    # Still a figure this save means to change: a lock outranks the stale version.
                    contested.append(row or DataValue(indicator=indicator, unit=unit, period=period))
                    continue
                if row is None:
                    row = DataValue(indicator=indicator, unit=unit, period=period, reported=value, comment=comment)
                    row.version, row.updated_by, row.updated_at = 1, actor_user(actor), now
                    existing[(unit.pk, indicator.pk)] = row
                    changes.append(_Change(row=row, old_reported=None, old_comment="", created=True))
                    continue
                changes.append(
                    _Change(row=row, old_reported=row.reported, old_comment=row.comment, old_state=stored_state(row))
                )
                row.reported, row.comment, row.version = value, comment, row.version + 1
                row.updated_by, row.updated_at = actor_user(actor), now
        moved = plan_years([c.row for c in changes], indicators)
        if not correction:
            changing = [c.row for c in changes] + contested
            check_writable(changing=changing, moved=moved, units=units, indicators=indicators, typed=True)
        if conflicts:
            raise StaleValues(conflicts)
        _write(changes, moved, actor=actor, now=now, channel=channel)
        by_unit: dict[int, list[_Change]] = defaultdict(list)
        for change in changes:
            by_unit[change.row.unit_id].append(change)
        action = "indicators.values.correct" if correction else "indicators.values.save"
        record_events(
            [
                _audit(by_unit[unit.pk], actor=actor, unit=unit, period=period, action=action, correction=correction)
                for unit, _items in cleaned
                if by_unit[unit.pk]
            ]
        )
        return [
            [saved for _e, ind, _v in items if (saved := existing.get((unit.pk, ind.pk))) is not None]
            for unit, items in cleaned
        ]


def _stored_rows(
    units: dict[int, OrgUnit], indicators: dict[int, Indicator], period: datetime.date
) -> dict[tuple[int, int], DataValue]:
    """The stored rows of these units × indicators for the month, locked for this transaction, by
    (unit id, indicator id), each with its unit and indicator attached (no query when read)."""
    unit_field, indicator_field = DataValue._meta.get_field("unit"), DataValue._meta.get_field("indicator")
    existing: dict[tuple[int, int], DataValue] = {}
    for stored in DataValue.objects.select_for_update().filter(
        unit_id__in=list(units), period=period, indicator_id__in=list(indicators)
    ):
        unit_field.set_cached_value(stored, units[stored.unit_id])  # type: ignore[union-attr]
        indicator_field.set_cached_value(stored, indicators[stored.indicator_id])  # type: ignore[union-attr]
        existing[(stored.unit_id, stored.indicator_id)] = stored
    return existing


def _conflict(
    row: DataValue | None, indicator: Indicator, entry: ValueEntry, value: Decimal | None, unit: OrgUnit | None
) -> Conflict:
    return Conflict(
        indicator_code=indicator.code,
        indicator_name=indicator.name,
        current_value=row.reported if row is not None else None,
        current_version=row.version if row is not None else 0,
        current_comment=row.comment if row is not None else "",
        your_value=value,
        expected_version=entry.expected_version,
        updated_by=str(row.updated_by or "") if row is not None else "",
        updated_at=row.updated_at if row is not None else None,
        unit_name=unit.name if unit is not None else "",
    )


VALUE_COLUMNS = ["reported", "comment", "version", "updated_by", "updated_at", "month_value", "ytd_value"]
NEW_VALUE_COLUMNS = ["indicator", "unit", "period", *VALUE_COLUMNS]
HISTORY_COLUMNS = ["value", "old_reported", "new_reported", "old_comment", "new_comment", "version"]
HISTORY_COLUMNS += ["actor", "actor_name", "at", "channel"]


def _write(changes: list[_Change], moved: list[Moved], *, actor: Any, now: datetime.datetime, channel: str) -> None:
    """Write changed rows with their derived figures (set by `plan_years`), the later months those
    move, and the history: per few thousand figures one insert of new rows, one update of changed
    rows, one update of moved months and one insert of history rows (`kaifang.core.bulk`); the parents'
    monthly rollups follow in the same transaction (`kaifang.indicators.rollups.follow`)."""
    if not changes:
        return
    new_rows = [c.row for c in changes if c.created]
    known = {c.row.pk: c.old_state for c in changes if c.old_state is not None}
    follow(created=new_rows, changed=[c.row for c in changes if not c.created], moved=moved, known=known)
    keys = insert_rows(
        DataValue,
        NEW_VALUE_COLUMNS,
        [(r.indicator_id, r.unit_id, r.period, *_value_columns(r)) for r in new_rows],
    )
    for row, key in zip(new_rows, keys, strict=True):
        row.pk = key
        row._state.adding = False
    update_columns(DataValue, VALUE_COLUMNS, [(c.row.pk, *_value_columns(c.row)) for c in changes if not c.created])
    update_columns(DataValue, ["month_value", "ytd_value"], [(m.pk, m.month_value, m.ytd_value) for m in moved])
    who = (getattr(actor_user(actor), "pk", None), actor_name(actor), now, channel)
    insert_rows(
        DataValueHistory,
        HISTORY_COLUMNS,
        [
            (c.row.pk, c.old_reported, c.row.reported, c.old_comment, c.row.comment, c.row.version, *who)
            for c in changes
        ],
    )


def _value_columns(row: DataValue) -> tuple[Any, ...]:
    return (row.reported, row.comment, row.version, row.updated_by_id, row.updated_at, row.month_value, row.ytd_value)


def _audit(
    changes: list[_Change],
    *,
    actor: Any,
    unit: OrgUnit | None,
    period: datetime.date | None,
    action: str,
    correction: str = "",
) -> dict[str, Any]:
    """The audit event of one unit's (or one computation's) changes: old and new figure of each,
    and the approved correction's reference when one authorised the write."""
    before = {_key(c.row, unit, period): _text(c.old_reported) for c in changes}
    after: dict[str, Any] = {_key(c.row, unit, period): _text(c.row.reported) for c in changes}
    if correction:
        after["correction"] = correction
    label = f"{unit.name} {month_label(period)}" if unit is not None and period is not None else ""
    return dict(
        actor=actor,
        action=action,
        unit=unit,
        object_type="indicators.datavalue",
        object_id=",".join(str(c.row.pk) for c in changes)[:64],
        object_repr=label or _("%(n)d 个指标数据") % {"n": len(changes)},
        before=before,
        after=after,
    )


def _key(row: DataValue, unit: OrgUnit | None, period: datetime.date | None) -> str:
    parts = [row.indicator.code]
    if unit is None:
        parts.append(row.unit.code)
    if period is None:
        parts.append(f"{row.period:%Y-%m}")
    return "/".join(parts)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else plain(value)


# Moved to `kaifang.indicators.services.computed`; imported at the end because it reads names defined above.
from kaifang.indicators.services.computed import set_computed_values as set_computed_values  # noqa: E402
