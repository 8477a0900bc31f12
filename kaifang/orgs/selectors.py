"""Reads about the org tree, always through the visibility guard."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Count

from kaifang.orgs.models import (
    ChangeState,
    DivisionChange,
    DivisionLineage,
    OrgUnit,
    OrgUnitQuerySet,
    UnitGroup,
    UnitKind,
)


def visible_units(
    user: Any,
    *,
    kind: str | None = None,
    parent: str | None = None,
    group: str | None = None,
    include_historic: bool = False,
) -> OrgUnitQuerySet:
    units = OrgUnit.objects.visible_to(user).select_related("parent")
    if not include_historic:
        units = units.current()
    if kind:
        units = units.filter(kind=kind)
    if parent:
        units = units.filter(parent__code=parent)
    if group:
        units = units.filter(groups__code=group)
    return units.order_by("path")


def tree_rows(user: Any) -> list[dict[str, Any]]:
    """The visible tree flattened in display order, each row with its indent relative to the top."""
    units = list(visible_units(user))
    if not units:
        return []
    top = min(unit.depth for unit in units)
    # Path order puts divisions (numeric codes) before departments and platforms (letter codes).
    return [{"unit": u, "indent": u.depth - top} for u in sorted(units, key=_tree_key)]


def _tree_key(unit: OrgUnit) -> tuple[str, ...]:
    return tuple(unit.path.strip("/").split("/"))


def groups_of(unit: OrgUnit) -> list[UnitGroup]:
    return list(unit.groups.order_by("code"))


# --- The unit picker ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PickerEntry:
    """One unit as the unit picker offers it: `label` is the full name (沈阳市铁西区) where the name
    alone repeats across the tree, `group` the city it lies in (or its kind outside any city)."""

    value: str
    code: str
    label: str
    group: str
    initials: str
    kind: str


def repeated_names() -> set[str]:
    """Names that more than one current unit bears (two 铁西区: 沈阳's and 鞍山's)."""
    rows = OrgUnit.objects.current().values("name").annotate(n=Count("id")).filter(n__gt=1)
    return {row["name"] for row in rows}


def picker_entries(units: list[tuple[str, OrgUnit]]) -> list[PickerEntry]:
    """(value, unit) pairs as picker entries, in tree order, grouped by city: the cities' own
    subtrees first (city, its counties, its platforms), then the province level and departments."""
    repeated = repeated_names()
    second = {u.path.strip("/").split("/")[1] for _v, u in units if u.depth >= 1}
    cities = {c.code: c for c in OrgUnit.objects.filter(code__in=second, kind=UnitKind.CITY)}
    entries = []
    for value, unit in sorted(units, key=lambda pair: _picker_key(pair[1], cities)):
        parts = unit.path.strip("/").split("/")
        city = cities.get(parts[1]) if len(parts) > 1 else None
        label = unit.name
        if unit.name in repeated and city is not None and unit.pk != city.pk and not unit.name.startswith(city.name):
            label = f"{city.name}{unit.name}"
        group = city.name if city is not None else str(UnitKind(unit.kind).label)
        entries.append(PickerEntry(str(value), unit.code, label, group, unit.initials, unit.kind))
    return entries


def _picker_key(unit: OrgUnit, cities: dict[str, OrgUnit]) -> tuple[int, str]:
    parts = unit.path.strip("/").split("/")
    in_city = len(parts) > 1 and parts[1] in cities
    return (0 if in_city else 1 if unit.kind == UnitKind.PROVINCE else 2, unit.path)


def picker_groups(codes: set[str]) -> list[dict[str, Any]]:
    """The unit groups (沿海六市, 辽西北 …) with their members among `codes`, for ticking a group at once."""
    out = []
    for group in UnitGroup.objects.prefetch_related("members").order_by("code"):
        members = [u.code for u in group.members.all() if u.code in codes]
        if members:
            out.append({"code": group.code, "name": group.name, "members": members})
    return out


# --- Division changes: lineage ---------------------------------------------------------------------


def lineage_between(after: Any, upto: Any) -> list[DivisionLineage]:
    """Lineage rows of changes that took effect after `after` and by `upto` (both month dates),
    with both units loaded: what a comparison across that span must re-map (可比口径)."""
    return list(
        DivisionLineage.objects.filter(effective__gt=after, effective__lte=upto)
        .exclude(predecessor=models.F("successor"))
        .select_related("predecessor", "successor", "change")
        .order_by("effective", "id")
    )


def lineage_of(unit: OrgUnit) -> list[DivisionChange]:
    """Every applied change the unit came out of or went into, oldest first (the unit page)."""
    ids = set(
        DivisionLineage.objects.filter(models.Q(predecessor=unit) | models.Q(successor=unit)).values_list(
            "change_id", flat=True
        )
    )
    return list(DivisionChange.objects.filter(pk__in=ids, state=ChangeState.APPLIED).order_by("effective", "id"))


def lineage_rows(user: Any, unit: OrgUnit) -> list[dict[str, Any]]:
    """The unit's lineage for its page: each applied change with the units before and after,
    linked where the user may see them, and each result's share of the figures (拆分)."""
    from kaifang.orgs.scope import can_see_unit

    changes = lineage_of(unit)
    codes = {e["code"] for c in changes for e in [*c.sources, *c.results]}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}

    def entry(data: dict[str, Any], share: str = "") -> dict[str, Any]:
        other = units.get(data["code"])
        return {
            "code": data["code"],
            "name": data.get("name") or data["code"],
            "link": other is not None and other.pk != unit.pk and can_see_unit(user, other),
            "current": other.pk == unit.pk if other else False,
            "share": share,
        }

    return [
        {
            "change": change,
            "before": [entry(s) for s in change.sources],
            "after": [entry(r, r["share"] if change.kind == "split" else "") for r in change.results],
        }
        for change in changes
    ]
