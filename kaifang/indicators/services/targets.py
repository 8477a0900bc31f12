"""Writing targets: the province sets them for cities, departments and counties; a city hands
down targets to its own counties. Versions guard concurrent edits; every change is audited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kaifang.accounts.models import Role
from kaifang.accounts.permissions import is_province_user, role_of
from kaifang.audit.services import record_event
from kaifang.core import clock
from kaifang.core.actors import actor_user
from kaifang.core.versions import StaleVersion, check_version
from kaifang.indicators.figures import clean_figure, plain
from kaifang.indicators.models import Indicator, Target
from kaifang.orgs.models import OrgUnit, UnitKind
from kaifang.orgs.scope import can_see_unit

TARGET_FIELDS = ["annual", "monthly", "note", "set_by_id"]


def can_set_target(user: Any, unit: OrgUnit) -> bool:
    """Province users set targets for any unit below the province; a city officer for its counties."""
    if isinstance(user, str):
        return True  # demo / cli / system loaders
    if not can_see_unit(user, unit):
        return False
    if is_province_user(user):
        return unit.kind != UnitKind.PROVINCE or role_of(user) == Role.PROVINCE_ADMIN
    if role_of(user) == Role.CITY_OFFICER:
        return unit.parent_id == getattr(user, "unit_id", None) and unit.kind == UnitKind.COUNTY
    return False


def clean_monthly(monthly: list[Any] | None, annual: Decimal, label: str) -> list[str] | None:
    if monthly is None:
        return None
    if len(monthly) != 12:
        raise ValidationError(_("分月目标须为 12 个月的累计目标。"), code="monthly")
    values = []
    previous = Decimal(0)
    for month, raw in enumerate(monthly, start=1):
        value = clean_figure(raw, label=f"{label} {month}月")
        if value is None:
            raise ValidationError(_("分月目标第 %(m)d 月不能为空。") % {"m": month}, code="monthly")
        if value < previous:
            raise ValidationError(_("分月累计目标第 %(m)d 月小于上月。") % {"m": month}, code="monthly")
        previous = value
        values.append(plain(value))
    if Decimal(values[-1]) != annual:
        raise ValidationError(_("12 月的累计目标应等于年度目标。"), code="monthly")
    return values


def set_target(
    *,
    actor: Any,
    indicator: Indicator,
    unit: OrgUnit,
    year: int,
    annual: Any,
    monthly: list[Any] | None = None,
    note: str = "",
    expected_version: int | None = None,
    set_by: OrgUnit | None = None,
) -> Target:
    """Create or change one target. `expected_version` None means "I expect no target yet"."""
    if not can_set_target(actor, unit):
        raise PermissionDenied(_("您无权为该单位下达目标。"))
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": _("年度不正确。")})
    value = clean_figure(annual, label=_("年度目标"))
    if value is None:
        raise ValidationError({"annual": _("请填写年度目标。")})
    if value < 0:
        raise ValidationError({"annual": _("年度目标不能为负数。")})
    phased = clean_monthly(monthly, value, indicator.name)
    origin = set_by or getattr(actor, "unit", None) or unit.parent
    try:
        with transaction.atomic():
            target = Target.objects.select_for_update().filter(indicator=indicator, unit=unit, year=year).first()
            current = target.version if target is not None else None
            if target is not None and target.annual == value and target.monthly == phased and target.note == note:
                return target
            check_version(
                current,
                expected_version,
                _("该目标已被修改（当前 %(v)s，第 %(n)d 版），请刷新后重试。"),
                params={"v": plain(target.annual) if target else "—", "n": current or 0},
                absent_is_new=True,
            )
            before = {f: getattr(target, f) for f in TARGET_FIELDS} if target is not None else None
            if target is None:
                target = Target(indicator=indicator, unit=unit, year=year, version=1)
            else:
                target.version += 1
            target.annual, target.monthly, target.note, target.set_by = value, phased, note, origin
            target.updated_by, target.updated_at = actor_user(actor), clock.now()
            target.save()
            record_event(
                actor=actor,
                action="indicators.target.set",
                obj=target,
                unit=unit,
                before=before,
                after={f: getattr(target, f) for f in TARGET_FIELDS},
            )
            return target
    except IntegrityError as exc:
        raise StaleVersion(_("该目标刚被他人创建，请刷新后重试。")) from exc


def set_targets_bulk(*, actor: Any, rows: list[tuple[Indicator, OrgUnit, int, Decimal, OrgUnit | None]]) -> int:
    """Demo and import loads: upsert many targets, one audit event for the batch."""
    if not rows:
        return 0
    now = clock.now()
    with transaction.atomic():
        existing = {
            (t.indicator_id, t.unit_id, t.year): t
            for t in Target.objects.filter(
                indicator__in={r[0].pk for r in rows}, unit__in={r[1].pk for r in rows}, year__in={r[2] for r in rows}
            )
        }
        create, update = [], []
        for indicator, unit, year, annual, origin in rows:
            target = existing.get((indicator.pk, unit.pk, year))
            if target is None:
                create.append(
                    Target(indicator=indicator, unit=unit, year=year, annual=annual, set_by=origin, updated_at=now)
                )
            elif target.annual != annual:
                target.annual, target.version, target.updated_at = annual, target.version + 1, now
                update.append(target)
        Target.objects.bulk_create(create)
        Target.objects.bulk_update(update, ["annual", "version", "updated_at"])
        if create or update:
            record_event(
                actor=actor,
                action="indicators.target.load",
                object_type="indicators.target",
                object_repr=_("批量载入目标 %(n)d 条") % {"n": len(create) + len(update)},
                after={"created": len(create), "updated": len(update)},
            )
    return len(create) + len(update)


def set_targets(*, actor: Any, indicator: Indicator, year: int, changes: list[tuple[OrgUnit, str, int | None]]) -> int:
    """Hand down several units' annual targets at once — `(unit, typed annual or "" to clear,
    expected version)` each — all or nothing: one refused target writes none. Returns how many."""
    with transaction.atomic():
        for unit, raw, expected in changes:
            annual = raw or None
            set_target(actor=actor, indicator=indicator, unit=unit, year=year, annual=annual, expected_version=expected)
    return len(changes)
