"""What a division change carries with it, area by area, without orgs importing the areas.

Each area that holds things tied to a unit (indicators: figures and targets; supervision: tasks;
ledgers: projects; accounts: users) has a `division_moves` module with `MOVERS`, a list of
functions `mover(moves, *, actor, commit) -> list[Affected]`. With `commit=False` a mover only
lists what the change would touch (the dry run); with `commit=True` it moves it, in the caller's
transaction. The org tree finds the modules by Django's autodiscovery.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.module_loading import autodiscover_modules

from kaifang.orgs.models import DivisionChange, OrgUnit


@dataclass(frozen=True)
class Affected:
    """One thing a change touches: "指标数据 辽中县 2018-06 实际利用外资 → 保持原值"."""

    kind: str  # 指标数据 | 目标 | 督办事项 | 招商项目 | 账号 …
    ident: str
    text: str
    action: str

    def line(self) -> str:
        return f"[{self.kind}] {self.ident} {self.text}：{self.action}"


@dataclass
class Moves:
    """A change resolved for the movers: per source code, its results with shares and its heir."""

    change: DivisionChange
    effective: datetime.date
    shares: dict[str, list[tuple[str, Decimal]]]
    heirs: dict[str, str]
    units: dict[str, OrgUnit] = field(default_factory=dict)  # by code; results only once applied

    @property
    def source_codes(self) -> list[str]:
        return list(self.shares)

    def unit(self, code: str) -> OrgUnit | None:
        return self.units.get(code)

    def name(self, code: str) -> str:
        unit = self.units.get(code)
        if unit is not None:
            return unit.name
        for entry in [*self.change.results, *self.change.sources]:
            if entry.get("code") == code:
                return str(entry.get("name") or code)
        return code


Mover = Callable[..., list[Affected]]
_found: list[Mover] | None = None


def movers() -> list[Mover]:
    """Every area's movers (found once)."""
    global _found
    if _found is None:
        import importlib

        from django.apps import apps

        autodiscover_modules("division_moves")
        found: list[Mover] = []
        for config in apps.get_app_configs():
            try:
                module: Any = importlib.import_module(f"{config.name}.division_moves")
            except ModuleNotFoundError:
                continue
            found.extend(getattr(module, "MOVERS", []))
        _found = found
    return _found
