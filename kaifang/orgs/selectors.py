"""Reads about the org tree, always through the visibility guard."""

from __future__ import annotations

from typing import Any

from kaifang.orgs.models import OrgUnit, OrgUnitQuerySet, UnitGroup


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
