"""Scheme simulation (模拟测算): score a version of a scheme on the current data beside another version.

Before a new version is put in use, a province admin or supervisor scores it side by side with the
version in use (or any two versions of the same scheme code): every unit's total, rank and grade
under both, the differences, and every item's points with the formula and arithmetic behind them.
Nothing is published or changed: the only write is the audit event of the simulation (who, which
versions, which period). `simulation_workbook` is the Excel export of a comparison.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kaifang.accounts.permissions import is_province_user
from kaifang.assessment.models import AssessmentScheme, SchemeStatus
from kaifang.assessment.selectors import assess, visible_unit_codes
from kaifang.audit.services import record_event
from kaifang.core.actors import is_system_actor
from kaifang.core.spreadsheets import Column, SheetSpec, write_workbook
from kaifang.indicators.periods import ytd_label

NOTICE = "模拟测算，不发布、不生效"
BASE, CANDIDATE = "base", "candidate"


@dataclass
class ItemComparison:
    """One item of one unit under both versions (an item result as JSON, or None: not in that version)."""

    code: str
    name: str
    base: dict[str, Any] | None
    candidate: dict[str, Any] | None

    @property
    def only_in(self) -> str:
        """ "base" or "candidate" when the item exists in one version only, else ""."""
        if self.base is None:
            return CANDIDATE
        return BASE if self.candidate is None else ""

    @property
    def delta(self) -> Decimal | None:
        if self.base is None or self.candidate is None:
            return None
        return Decimal(self.candidate["points"]) - Decimal(self.base["points"])

    @property
    def changed(self) -> bool:
        """In one version only, or other points, or another formula (a weight or cap changed)."""
        if self.base is None or self.candidate is None:
            return True
        return self.delta != 0 or self.base["formula"] != self.candidate["formula"]


@dataclass
class UnitComparison:
    """One unit: its result row under each version (None: not in that version's group) and the items."""

    code: str
    name: str
    base: dict[str, Any] | None
    candidate: dict[str, Any] | None
    items: list[ItemComparison] = field(default_factory=list)

    @property
    def total_delta(self) -> Decimal | None:
        if self.base is None or self.candidate is None:
            return None
        return Decimal(self.candidate["total"]) - Decimal(self.base["total"])

    @property
    def rank_delta(self) -> int | None:
        """Places moved up (positive) or down (negative): base rank − candidate rank."""
        if self.base is None or self.candidate is None:
            return None
        return int(self.base["rank"]) - int(self.candidate["rank"])

    @property
    def rank_changed(self) -> bool:
        return self.rank_delta != 0

    @property
    def grade_changed(self) -> bool:
        return self.base is None or self.candidate is None or self.base["grade"] != self.candidate["grade"]

    @property
    def flagged(self) -> bool:
        """Rank or grade differs between the versions (or the unit is scored under one only)."""
        return self.rank_changed or self.grade_changed


@dataclass
class Simulation:
    """A candidate version scored beside a base version for one period; never stored."""

    base: AssessmentScheme
    candidate: AssessmentScheme
    period: datetime.date
    units: list[UnitComparison]
    group_size: int
    rules: dict[str, dict[str, str]]

    @property
    def flagged(self) -> list[UnitComparison]:
        return [u for u in self.units if u.flagged]

    def to_dict(self) -> dict[str, Any]:
        """The comparison as JSON (Decimals as strings), as the API returns it."""

        def version(scheme: AssessmentScheme) -> dict[str, Any]:
            return {"number": scheme.number, "status": scheme.status, "change_reason": scheme.change_reason}

        def side(row: dict[str, Any] | None) -> dict[str, Any] | None:
            if row is None:
                return None
            return {k: row[k] for k in ("total", "rank", "grade", "vetoed", "flags")}

        def text(value: Decimal | None) -> str | None:
            return None if value is None else f"{value:f}"

        return {
            "scheme": self.candidate.code,
            "name": self.candidate.name,
            "period": f"{self.period:%Y-%m}",
            "notice": NOTICE,
            "published": False,
            "base": version(self.base),
            "candidate": version(self.candidate),
            "group_size": self.group_size,
            "flagged_units": len(self.flagged),
            "rules": self.rules,
            "units": [
                {
                    "code": u.code,
                    "name": u.name,
                    "base": side(u.base),
                    "candidate": side(u.candidate),
                    "total_delta": text(u.total_delta),
                    "rank_delta": u.rank_delta,
                    "rank_changed": u.rank_changed,
                    "grade_changed": u.grade_changed,
                    "flagged": u.flagged,
                    "items": [
                        {
                            "code": i.code,
                            "name": i.name,
                            "only_in": i.only_in,
                            "delta": text(i.delta),
                            "base": i.base,
                            "candidate": i.candidate,
                        }
                        for i in u.items
                    ],
                }
                for u in self.units
            ],
        }


def default_base(scheme: AssessmentScheme) -> AssessmentScheme:
    """What a version is compared with: the version in use of its code; for the version in use
    itself, the version it replaced."""
    versions = AssessmentScheme.objects.filter(code=scheme.code).exclude(pk=scheme.pk)
    base = versions.filter(status=SchemeStatus.ACTIVE).first()
    if base is None and scheme.previous_id:
        base = versions.filter(pk=scheme.previous_id).first()
    if base is None:
        raise ValidationError({"base": f"方案“{scheme.code}”没有可对比的其他版本"})
    return base


def _compare_items(base: list[dict[str, Any]], candidate: list[dict[str, Any]]) -> list[ItemComparison]:
    """The candidate's items in its order, then the items the candidate dropped."""
    old = {i["code"]: i for i in base}
    new_codes = {i["code"] for i in candidate}
    rows = [ItemComparison(i["code"], i["name"], old.get(i["code"]), i) for i in candidate]
    return rows + [ItemComparison(i["code"], i["name"], i, None) for i in base if i["code"] not in new_codes]


def compare(base: dict[str, Any], candidate: dict[str, Any]) -> list[UnitComparison]:
    """Two results (Outcomes as JSON) unit by unit, in the candidate's ranking order; units scored
    under the base version only come last."""
    old = {u["code"]: u for u in base["units"]}
    new_codes = {u["code"] for u in candidate["units"]}
    rows = [
        UnitComparison(u["code"], u["name"], old.get(u["code"]), u, _compare_items(old[u["code"]]["items"], u["items"]))
        if u["code"] in old
        else UnitComparison(u["code"], u["name"], None, u, _compare_items([], u["items"]))
        for u in candidate["units"]
    ]
    dropped = [
        UnitComparison(u["code"], u["name"], u, None, _compare_items(u["items"], []))
        for u in base["units"]
        if u["code"] not in new_codes
    ]
    return rows + dropped


def simulate(
    *, actor: Any, scheme: AssessmentScheme, period: datetime.date, base: AssessmentScheme | None = None
) -> Simulation:
    """Score `scheme` (usually a draft) and `base` (default: the version in use of the same code) on
    the current data for `period`, side by side. Province admins and supervisors only. Publishes
    nothing and changes no scheme: the one write is the audit event of the simulation."""
    if not is_system_actor(actor) and not is_province_user(actor):
        raise PermissionDenied("只有省级管理员或督查人员可以进行模拟测算")
    base = base or default_base(scheme)
    if base.code != scheme.code:
        raise ValidationError({"base": "只能对比同一方案的两个版本"})
    if base.pk == scheme.pk:
        raise ValidationError({"base": "请选择另一个版本进行对比"})
    if period.year != scheme.year:
        raise ValidationError({"period": f"期间应在{scheme.year}年内"})
    base_results = assess(scheme=base, period=period).results()
    candidate_results = assess(scheme=scheme, period=period).results()
    units = compare(base_results, candidate_results)
    if not is_system_actor(actor):
        shown = visible_unit_codes(actor, [u.code for u in units])
        units = [u for u in units if u.code in shown]
    simulation = Simulation(
        base=base,
        candidate=scheme,
        period=period,
        units=units,
        group_size=len(candidate_results["units"]),
        rules={BASE: base_results["rules"], CANDIDATE: candidate_results["rules"]},
    )
    with transaction.atomic():
        record_event(
            actor=actor,
            action="assessment.scheme.simulate",
            obj=scheme,
            after={
                "scheme": scheme.code,
                "base": base.number,
                "candidate": scheme.number,
                "period": f"{period:%Y-%m}",
                "units": len(units),
                "flagged_units": len(simulation.flagged),
            },
        )
    return simulation


# --- Excel export ---------------------------------------------------------------------------------


def _version_label(scheme: AssessmentScheme) -> str:
    return f"第{scheme.number}版（{scheme.get_status_display()}）"


def _points(row: dict[str, Any] | None, key: str) -> Any:
    return Decimal(row[key]) if row is not None else None


def simulation_workbook(simulation: Simulation, *, actor: Any) -> bytes:
    """The comparison as .xlsx: units side by side, every item under both versions, and the notes."""
    b, c = f"第{simulation.base.number}版", f"第{simulation.candidate.number}版"
    unit_columns = [
        Column("单位代码", 10),
        Column("单位", 14),
        Column(f"{b}总分", 10, number=True),
        Column(f"{b}名次", 8, number=True, decimals=0),
        Column(f"{b}等次", 8),
        Column(f"{c}总分", 10, number=True),
        Column(f"{c}名次", 8, number=True, decimals=0),
        Column(f"{c}等次", 8),
        Column("总分变化", 10, number=True),
        Column("名次变化", 12),
        Column("等次变化", 12),
    ]
    unit_rows = [
        [
            u.code,
            u.name,
            _points(u.base, "total"),
            u.base["rank"] if u.base else None,
            u.base["grade"] if u.base else "不在考核组",
            _points(u.candidate, "total"),
            u.candidate["rank"] if u.candidate else None,
            u.candidate["grade"] if u.candidate else "不在考核组",
            u.total_delta,
            rank_change_text(u),
            f"{u.base['grade']}→{u.candidate['grade']}" if u.base and u.candidate and u.grade_changed else "",
        ]
        for u in simulation.units
    ]
    item_columns = [
        Column("单位", 12),
        Column("考核项", 16),
        Column(f"{b}分值", 8, number=True),
        Column(f"{b}得分", 8, number=True),
        Column(f"{b}计算过程", 50),
        Column(f"{c}分值", 8, number=True),
        Column(f"{c}得分", 8, number=True),
        Column(f"{c}计算过程", 50),
        Column("得分变化", 10, number=True),
        Column("说明", 14),
    ]
    only = {BASE: f"仅{b}有此项", CANDIDATE: f"仅{c}有此项", "": ""}
    item_rows = [
        [
            u.name,
            i.name,
            _points(i.base, "weight"),
            _points(i.base, "points"),
            i.base["detail"] if i.base else "",
            _points(i.candidate, "weight"),
            _points(i.candidate, "points"),
            i.candidate["detail"] if i.candidate else "",
            i.delta,
            only[i.only_in],
        ]
        for u in simulation.units
        for i in u.items
    ]
    candidate, base = simulation.candidate, simulation.base
    notes = [
        ["性质", NOTICE],
        ["方案", f"{candidate.name}（{candidate.code}）"],
        ["对比", f"{_version_label(base)} 与 {_version_label(candidate)}"],
        ["期间", ytd_label(simulation.period)],
        ["名次、等次有变化的单位", str(len(simulation.flagged))],
        [f"{b}规则", "；".join(simulation.rules[BASE].values())],
        [f"{c}规则", "；".join(simulation.rules[CANDIDATE].values())],
        ["导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")],
        ["导出人", str(actor)],
    ]
    return write_workbook(
        [
            SheetSpec("单位对比", unit_columns, unit_rows),
            SheetSpec("逐项对比", item_columns, item_rows),
            SheetSpec("说明", [Column("项目", 14), Column("内容", 90)], notes),
        ]
    )


def rank_change_text(unit: UnitComparison) -> str:
    """ "上升2位" / "下降1位" / "" (no change) — words, not colour, carry the change."""
    delta = unit.rank_delta
    if delta is None:
        return "不在考核组" if unit.candidate is None else "新进入考核组"
    if delta > 0:
        return f"上升{delta}位"
    return f"下降{-delta}位" if delta < 0 else ""
