"""Writes of monthly values: the one path every channel (form, API, import, CLI, demo) goes through.

`save_values` writes what units type; `set_computed_values` writes ledger-derived figures. Both
keep `month_value`/`ytd_value` exact for the whole year, write a history row per change and one
audit event per call, in one transaction. Catalogue and target writes live in
`kaifang.indicators.catalogue` and `kaifang.indicators.targets`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaifang.accounts.permissions import can_write_for_unit
from kaifang.audit.services import record_event
from kaifang.core import context
from kaifang.indicators import maths
from kaifang.indicators.models import DataValue, DataValueHistory, Indicator, ReportedAs, Source, TimeAggregation
from kaifang.indicators.periods import check_period, month_label
from kaifang.orgs.models import OrgUnit

MAX_ABS = Decimal(10) ** 16
MAX_PLACES = 4
INSERT_RETRIES = 3


@dataclass(frozen=True)
class ValueEntry:
    """One typed figure. `expected_version` is the version the user saw; None means "no value yet"."""

    indicator_code: str
    value: Decimal | None
    comment: str = ""
    expected_version: int | None = None


@dataclass(frozen=True)
class Conflict:
    """A value someone else changed since the user loaded it: shown beside what the user typed."""

    indicator_code: str
    indicator_name: str
    current_value: Decimal | None
    current_version: int
    current_comment: str
    your_value: Decimal | None
    expected_version: int | None
    updated_by: str
    updated_at: datetime.datetime | None


class StaleValues(ValidationError):
    """Raised when any entry's expected version is stale; nothing was applied."""

    def __init__(self, conflicts: list[Conflict]):
        self.conflicts = conflicts
        names = "、".join(
            _("%(name)s（当前值 %(value)s，第 %(version)d 版，%(who)s 修改）")
            % {
                "name": c.indicator_name,
                "value": "空" if c.current_value is None else _plain(c.current_value),
                "version": c.current_version,
                "who": c.updated_by or _("他人"),
            }
            for c in conflicts
        )
        super().__init__(
            _("以下数据在您打开后已被修改，本次保存未生效：%(names)s。请核对后重新保存。") % {"names": names},
            code="stale",
        )


@dataclass
class _Change:
    row: DataValue
    old_reported: Decimal | None
    old_comment: str
    created: bool = False
    touched_years: set[int] = field(default_factory=set)


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def clean_figure(raw: Any, *, label: str) -> Decimal | None:
    """A typed figure as a Decimal with at most 4 decimal places, or None; floats are refused."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, (float, bool)):
        raise ValidationError(_("%(label)s：数值必须以文本或 Decimal 传入。") % {"label": label}, code="type")
    try:
        value = Decimal(raw.strip().replace(",", "") if isinstance(raw, str) else raw)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationError(
            _("%(label)s：“%(v)s”不是数字。") % {"label": label, "v": str(raw)[:30]}, code="type"
        ) from exc
    if not value.is_finite():
        raise ValidationError(_("%(label)s：不是有限数字。") % {"label": label}, code="type")
    if abs(value) >= MAX_ABS:
        raise ValidationError(_("%(label)s：数值过大。") % {"label": label}, code="range")
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_PLACES:
        raise ValidationError(
            _("%(label)s：最多保留 %(n)d 位小数。") % {"label": label, "n": MAX_PLACES}, code="decimals"
        )
    return value + Decimal(0)  # normalises -0 to 0


def _actor_name(actor: Any) -> str:
    if isinstance(actor, str):
        return actor
    return str(getattr(actor, "username", "") or "")


def _actor_user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) is not None else None


def derive_year(indicator: Indicator, reported_by_month: Sequence[Decimal | None]) -> list[tuple[Any, Any]]:
    """(month_value, ytd_value) for months 1–12 from the reported figures (as typed) of one year."""
    if indicator.time_aggregation == TimeAggregation.STOCK:
        return [(v, v) for v in reported_by_month]
    if indicator.reported_as == ReportedAs.YTD:
        ytd = list(reported_by_month)
        return list(zip(maths.monthly_from_ytd(ytd), ytd, strict=True))
    monthly = list(reported_by_month)
    return list(zip(monthly, maths.ytd_from_monthly(monthly), strict=True))


def recompute_year(indicator: Indicator, unit_id: int, year: int) -> int:
    """Bring month_value/ytd_value of every month of `year` in line with the reported figures.

    Returns how many rows changed. Called inside the writing transaction (the unit row is locked).
    """
    rows = list(DataValue.objects.filter(indicator=indicator, unit_id=unit_id, period__year=year).order_by("period"))
    reported: list[Decimal | None] = [None] * 12
    for row in rows:
        reported[row.period.month - 1] = row.reported
    derived = derive_year(indicator, reported)
    changed = []
    for row in rows:
        month_value, ytd_value = derived[row.period.month - 1]
        if row.month_value != month_value or row.ytd_value != ytd_value:
            row.month_value, row.ytd_value = month_value, ytd_value
            changed.append(row)
    if changed:
        DataValue.objects.bulk_update(changed, ["month_value", "ytd_value"])
    return len(changed)


def recompute_years(changes: list[_Change]) -> int:
    """`recompute_year` for every (indicator, unit, year) the changes touch, with one read and one
    bulk update per (unit, year) instead of per indicator — the import's hot path."""
    by_unit_year: dict[tuple[int, int], dict[int, Indicator]] = defaultdict(dict)
    for change in changes:
        by_unit_year[(change.row.unit_id, change.row.period.year)][change.row.indicator_id] = change.row.indicator
    changed: list[DataValue] = []
    for (unit_id, year), indicators in by_unit_year.items():
        rows_by_indicator: dict[int, list[DataValue]] = defaultdict(list)
        for row in DataValue.objects.filter(unit_id=unit_id, period__year=year, indicator_id__in=list(indicators)):
            rows_by_indicator[row.indicator_id].append(row)
        for indicator_id, rows in rows_by_indicator.items():
            reported: list[Decimal | None] = [None] * 12
            for row in rows:
                reported[row.period.month - 1] = row.reported
            derived = derive_year(indicators[indicator_id], reported)
            for row in rows:
                month_value, ytd_value = derived[row.period.month - 1]
                if row.month_value != month_value or row.ytd_value != ytd_value:
                    row.month_value, row.ytd_value = month_value, ytd_value
                    changed.append(row)
    if changed:
        DataValue.objects.bulk_update(changed, ["month_value", "ytd_value"], batch_size=500)
    fresh = {row.pk: row for row in changed}
    for change in changes:  # keep the returned rows' derived figures current
        if change.row.pk in fresh:
            change.row.month_value, change.row.ytd_value = (
                fresh[change.row.pk].month_value,
                fresh[change.row.pk].ytd_value,
            )
    return len(changed)


def _write_rows(new_rows: list[DataValue], updated_rows: list[DataValue]) -> None:
    """Insert and update in bulk; the inserted rows get their primary keys back for the history."""
    if new_rows:
        if connection.features.can_return_rows_from_bulk_insert:
            DataValue.objects.bulk_create(new_rows)
        else:  # pragma: no cover - every supported database returns the keys
            for row in new_rows:
                row.save(force_insert=True)
    if updated_rows:
        DataValue.objects.bulk_update(updated_rows, ["reported", "comment", "version", "updated_by", "updated_at"])


def _history(change: _Change, *, actor: Any, now: datetime.datetime, channel: str) -> DataValueHistory:
    return DataValueHistory(
        value=change.row,
        old_reported=change.old_reported,
        new_reported=change.row.reported,
        old_comment=change.old_comment,
        new_comment=change.row.comment,
        version=change.row.version,
        actor=_actor_user(actor),
        actor_name=_actor_name(actor),
        at=now,
        channel=channel,
    )


def _lock_unit(unit: OrgUnit) -> None:
    """Serialise writes of one unit's values, so derived YTDs of later months never race."""
    OrgUnit.objects.select_for_update().filter(pk=unit.pk).values_list("pk", flat=True).first()


def save_values(*, actor: Any, unit: OrgUnit, period: datetime.date, entries: list[ValueEntry]) -> list[DataValue]:
    """Save typed figures of one unit and month, all or nothing.

    Checks scope, the catalogue (only typed indicators), each figure, and every expected version
    before applying anything; a stale version raises `StaleValues` listing each conflict with the
    current value. A figure equal to the stored one is a no-op, so a retried save applies once.
    Returns the unit's rows for the entries, in entry order (None entries with no row are left out).
    """
    period = check_period(period)
    if not can_write_for_unit(actor, unit):
        raise PermissionDenied(_("您无权填报该单位的数据。"))
    if not entries:
        return []
    codes = [e.indicator_code for e in entries]
    if len(set(codes)) != len(codes):
        raise ValidationError(_("同一指标在一次保存中出现了多次。"), code="duplicate")
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    errors: list[str] = []
    cleaned: list[tuple[ValueEntry, Indicator, Decimal | None]] = []
    for entry in entries:
        indicator = indicators.get(entry.indicator_code)
        if indicator is None:
            errors.append(_("未知指标代码：%(code)s。") % {"code": entry.indicator_code[:40]})
            continue
        if not indicator.is_active:
            errors.append(_("指标“%(name)s”已停用，不能填报。") % {"name": indicator.name})
            continue
        if indicator.source != Source.REPORTED:
            errors.append(
                _("指标“%(name)s”由%(source)s自动计算，不能手工填报。")
                % {"name": indicator.name, "source": indicator.get_source_display()}
            )
            continue
        try:
            value = clean_figure(entry.value, label=indicator.name)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if len(entry.comment or "") > 2000:
            errors.append(_("%(name)s：说明不能超过 2000 字。") % {"name": indicator.name})
            continue
        cleaned.append((entry, indicator, value))
    if errors:
        raise ValidationError(errors, code="invalid")
    reject_values_in_closed_submissions(unit=unit, period=period, codes=codes)
    for attempt in range(INSERT_RETRIES):
        try:
            return _apply(actor=actor, unit=unit, period=period, cleaned=cleaned)
        except IntegrityError:
            # Someone inserted the same (indicator, unit, period) at the same moment; run again:
            # the second pass sees their row and reports a conflict or an idempotent no-op.
            if attempt == INSERT_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def reject_values_in_closed_submissions(*, unit: OrgUnit, period: datetime.date, codes: list[str]) -> None:
    """Figures in a submitted, approved or locked submission are read-only on every write path
    (form, batch API, import): the unit must have it returned or unapproved first."""
    from kaifang.reporting.selectors import values_locked_by_rounds  # reporting builds on indicators

    locked = values_locked_by_rounds(unit, period, codes)
    if locked:
        raise ValidationError(
            _("%(unit)s %(period)s 的报送已提交或已审核，以下指标不能再修改：%(codes)s。如需修改，请先退回或撤销审核。")
            % {"unit": unit.name, "period": f"{period.year}年{period.month}月", "codes": "、".join(locked)},
            code="locked",
        )


def _apply(
    *, actor: Any, unit: OrgUnit, period: datetime.date, cleaned: list[tuple[ValueEntry, Indicator, Decimal | None]]
) -> list[DataValue]:
    now = timezone.now()
    channel = context.current().channel
    with transaction.atomic():
        _lock_unit(unit)
        existing = {
            row.indicator_id: row
            for row in DataValue.objects.select_for_update(of=("self",))
            .select_related("updated_by", "indicator", "unit")
            .filter(unit=unit, period=period, indicator__in=[ind for _e, ind, _v in cleaned])
        }
        conflicts: list[Conflict] = []
        plan: list[tuple[ValueEntry, Indicator, Decimal | None, DataValue | None]] = []
        for entry, indicator, value in cleaned:
            row = existing.get(indicator.pk)
            comment = (entry.comment or "").strip()
            if row is not None and row.reported == value and row.comment == comment:
                plan.append((entry, indicator, value, None))  # idempotent: already so
                continue
            if row is None and value is None and not comment:
                plan.append((entry, indicator, value, None))
                continue
            current_version = row.version if row is not None else None
            if current_version != entry.expected_version:
                conflicts.append(
                    Conflict(
                        indicator_code=indicator.code,
                        indicator_name=indicator.name,
                        current_value=row.reported if row is not None else None,
                        current_version=current_version or 0,
                        current_comment=row.comment if row is not None else "",
                        your_value=value,
                        expected_version=entry.expected_version,
                        updated_by=str(row.updated_by or "") if row is not None else "",
                        updated_at=row.updated_at if row is not None else None,
                    )
                )
                continue
            plan.append((entry, indicator, value, row))
        if conflicts:
            raise StaleValues(conflicts)
        changes: list[_Change] = []
        new_rows: list[DataValue] = []
        updated_rows: list[DataValue] = []
        for entry, indicator, value, row in plan:
            if row is None and (existing.get(indicator.pk) is not None or (value is None and not entry.comment)):
                continue
            comment = (entry.comment or "").strip()
            if row is None:
                row = DataValue(
                    indicator=indicator,
                    unit=unit,
                    period=period,
                    reported=value,
                    comment=comment,
                    version=1,
                    updated_by=_actor_user(actor),
                    updated_at=now,
                )
                new_rows.append(row)
                changes.append(_Change(row=row, old_reported=None, old_comment="", created=True))
                existing[indicator.pk] = row
                continue
            change = _Change(row=row, old_reported=row.reported, old_comment=row.comment)
            row.reported, row.comment = value, comment
            row.version += 1
            row.updated_by, row.updated_at = _actor_user(actor), now
            updated_rows.append(row)
            changes.append(change)
        _write_rows(new_rows, updated_rows)
        if changes:
            _finish(
                changes,
                actor=actor,
                unit=unit,
                period=period,
                now=now,
                channel=channel,
                action="indicators.values.save",
            )
        result = []
        for _entry, indicator, _value in cleaned:
            row = existing.get(indicator.pk)
            if row is not None:
                row.refresh_from_db(fields=["month_value", "ytd_value"])
                result.append(row)
        return result


def _finish(
    changes: list[_Change],
    *,
    actor: Any,
    unit: OrgUnit | None,
    period: datetime.date | None,
    now: datetime.datetime,
    channel: str,
    action: str,
) -> None:
    DataValueHistory.objects.bulk_create([_history(c, actor=actor, now=now, channel=channel) for c in changes])
    recompute_years(changes)
    before = {_key(c.row, unit, period): _text(c.old_reported) for c in changes}
    after = {_key(c.row, unit, period): _text(c.row.reported) for c in changes}
    label = f"{unit.name} {month_label(period)}" if unit is not None and period is not None else ""
    record_event(
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
    return None if value is None else _plain(value)


def set_computed_values(
    *, actor: Any, indicator: Indicator, rows: Iterable[tuple[OrgUnit, datetime.date, Decimal | None]]
) -> int:
    """Write figures computed from a ledger (or any non-typed source) for many units and months.

    The figure is read as `indicator.reported_as` says (a month value or a YTD). No version check:
    the ledger is the authority. Unchanged figures are skipped; returns how many changed. History
    rows and one audit event are written in the same transaction.
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
    now = timezone.now()
    channel = context.current().channel
    with transaction.atomic():
        for unit_id in sorted({u.pk for u, _p, _v in prepared}):
            OrgUnit.objects.select_for_update().filter(pk=unit_id).values_list("pk", flat=True).first()
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
                row = DataValue.objects.create(
                    indicator=indicator,
                    unit=unit,
                    period=period,
                    reported=value,
                    version=1,
                    updated_by=_actor_user(actor),
                    updated_at=now,
                )
                existing[(unit.pk, period)] = row
                changes.append(_Change(row=row, old_reported=None, old_comment="", created=True))
                continue
            if row.reported == value:
                continue
            change = _Change(row=row, old_reported=row.reported, old_comment=row.comment)
            row.reported = value
            row.version += 1
            row.updated_by, row.updated_at = _actor_user(actor), now
            row.save(update_fields=["reported", "version", "updated_by", "updated_at"])
            changes.append(change)
        if changes:
            units = {c.row.unit_id for c in changes}
            periods = {c.row.period for c in changes}
            only_unit = changes[0].row.unit if len(units) == 1 else None
            only_period = changes[0].row.period if len(periods) == 1 else None
            _finish(
                changes,
                actor=actor,
                unit=only_unit,
                period=only_period,
                now=now,
                channel=channel,
                action="indicators.values.compute",
            )
        return len(changes)
