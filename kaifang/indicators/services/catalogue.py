"""Writing the indicator catalogue (province admin only), with versions and formula checks."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kaifang.accounts.permissions import is_admin
from kaifang.audit.services import record_event
from kaifang.core.actors import is_system_actor
from kaifang.core.versions import check_version
from kaifang.indicators import expressions
from kaifang.indicators.models import (
    Authority,
    Direction,
    Indicator,
    ReportedAs,
    Source,
    TimeAggregation,
    UnitAggregation,
)

CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,31}$")
EDITABLE = [
    "name",
    "unit_of_measure",
    "category",
    "direction",
    "time_aggregation",
    "reported_as",
    "unit_aggregation",
    "decimals",
    "source",
    "authority",
    "formula",
    "description",
    "allow_negative",
    "is_active",
    "sort_order",
]
CHOICES = {
    "direction": Direction,
    "time_aggregation": TimeAggregation,
    "reported_as": ReportedAs,
    "unit_aggregation": UnitAggregation,
    "source": Source,
    "authority": Authority,
}


def _check(code: str, values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if not CODE.match(code):
        errors["code"] = [_("指标代码须为大写字母开头的字母、数字或下划线（2–32 位）。")]
    if not str(values.get("name", "")).strip():
        errors["name"] = [_("请填写指标名称。")]
    if not str(values.get("unit_of_measure", "")).strip():
        errors["unit_of_measure"] = [_("请填写计量单位。")]
    for name, choices in CHOICES.items():
        if name in values and values[name] not in choices.values:
            errors[name] = [_("取值不正确。")]
    decimals = values.get("decimals", 2)
    if not isinstance(decimals, int) or not 0 <= decimals <= 4:
        errors["decimals"] = [_("小数位数须在 0–4 之间。")]
    if values.get("source") == Source.FORMULA:
        known = set(Indicator.objects.exclude(code=code).values_list("code", flat=True))
        try:
            refs = expressions.check(str(values.get("formula", "")), known, own_code=code)
        except expressions.ExpressionError as exc:
            errors["formula"] = [str(exc)]
        else:
            graph = formula_graph()
            graph[code] = refs
            cycle = expressions.find_cycle(graph)
            if cycle:
                errors["formula"] = [expressions.cycle_message(cycle)]
    elif values.get("formula"):
        errors["formula"] = [_("只有“公式计算”的指标才填写公式。")]
    if errors:
        raise ValidationError(errors)


def formula_graph() -> dict[str, set[str]]:
    """Each formula indicator of the catalogue → the codes its formula references."""
    graph: dict[str, set[str]] = {}
    for code, formula in Indicator.objects.filter(source=Source.FORMULA).values_list("code", "formula"):
        try:
            graph[code] = expressions.references(expressions.parse(formula))
        except expressions.ExpressionError:
            graph[code] = set()
    return graph


def save_indicator(*, actor: Any, code: str, expected_version: int | None = None, **values: Any) -> Indicator:
    """Create (expected_version None) or change an indicator. Only the province admin may."""
    if not is_system_actor(actor) and not is_admin(actor):
        raise PermissionDenied(_("只有省级管理员可以维护指标目录。"))
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValidationError(_("未知字段：%(f)s") % {"f": "、".join(sorted(unknown))})
    code = code.strip().upper()
    with transaction.atomic():
        indicator = Indicator.objects.select_for_update().filter(code=code).first()
        merged = {f: getattr(indicator, f) for f in EDITABLE} if indicator is not None else {}
        merged.update(values)
        _check(code, merged)
        current = indicator.version if indicator is not None else None
        check_version(
            current,
            expected_version,
            _("指标“%(code)s”已被他人修改（第 %(n)d 版），请刷新后重试。"),
            params={"code": code, "n": current or 0},
            absent_is_new=True,
        )
        before = {f: getattr(indicator, f) for f in EDITABLE} if indicator is not None else None
        if indicator is None:
            indicator = Indicator(code=code, version=1)
        elif before == {f: merged[f] for f in EDITABLE}:
            return indicator
        else:
            indicator.version += 1
        for name, value in merged.items():
            setattr(indicator, name, value)
        indicator.save()
        record_event(
            actor=actor,
            action="indicators.indicator.create" if before is None else "indicators.indicator.update",
            obj=indicator,
            before=before,
            after={f: getattr(indicator, f) for f in EDITABLE},
        )
        return indicator
