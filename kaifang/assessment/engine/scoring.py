"""Scoring a scheme: each unit's points per item with the inputs, formula and arithmetic behind
them, then ranks and grades. Pure Python, Decimal. Part of `kaifang.assessment.engine`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from kaifang.assessment.engine.kinds import (
    SCORERS,
    Raw,
    is_missing,
    raw_inputs,
    score_manual,
    score_relative,
    score_veto,
)
from kaifang.assessment.engine.schemes import (
    GRADES,
    MANUAL,
    MISSING_EXCLUDE,
    ONE,
    RELATIVE_KINDS,
    UNWEIGHTED_KINDS,
    VETO,
    ZERO,
    Scheme,
    dec,
    describe,
    fmt,
    missing_rule_text,
    r2,
    rules_text,
    share_cutoffs,
    validate_scheme,
)

# The version of the scoring rules; a published snapshot records the version it was computed under, so
# one computed under older rules is listed as needing a republish (with a reason and its diff) — it is
# never changed in place. What each version changed, in the words shown to users:
RULES_VERSION = 2
RULES_CHANGES = {
    2: "超欠目标加减分的百分点改按(完成率−时序进度)×100计算（原按(完成率÷时序进度−1)×100）；"
    "截止时间加宽限期未过的报送批次、截止日期未到的督办任务不再计入",
}


@dataclass
class UnitData:
    """One unit's inputs: item code → the inputs of that item (plus optional "sources")."""

    code: str
    name: str
    items: Mapping[str, Mapping[str, Any]]


@dataclass
class ItemResult:
    code: str
    name: str
    kind: str
    weight: Decimal
    points: Decimal
    inputs: dict[str, Any]
    formula: str
    detail: str
    sources: list[dict[str, Any]] = field(default_factory=list)
    missing: bool = False
    excluded: bool = False
    flags: list[str] = field(default_factory=list)


@dataclass
class UnitResult:
    code: str
    name: str
    total: Decimal
    rank: int
    grade: str
    items: list[ItemResult]
    vetoed: bool = False
    flags: list[str] = field(default_factory=list)

    def item(self, code: str) -> ItemResult:
        return next(i for i in self.items if i.code == code)


@dataclass
class Outcome:
    scheme: str
    units: list[UnitResult]
    rules: dict[str, str]

    def unit(self, code: str) -> UnitResult:
        return next(u for u in self.units if u.code == code)

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable({**asdict(self), "rules_version": RULES_VERSION})


def _decimal_text(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_jsonable(value: Any) -> Any:
    """Decimals as strings so every digit survives JSON (through the C encoder: it is fast)."""
    return json.loads(json.dumps(value, default=_decimal_text, ensure_ascii=False))


def score(scheme: Scheme, units: Sequence[UnitData]) -> Outcome:
    """Score every unit of the group and rank them. Pure: same inputs, same outcome."""
    validate_scheme(scheme)
    relative = {item.code: score_relative(item, units) for item in scheme.items if item.kind in RELATIVE_KINDS}
    formulas = {
        item.code: describe(item) + ("" if item.kind in UNWEIGHTED_KINDS else "；" + missing_rule_text(item))
        for item in scheme.items
    }
    results = [_score_unit(scheme, unit, relative, formulas) for unit in units]
    _rank(scheme, results)
    _grade(scheme, results)
    results.sort(key=lambda u: (u.rank, u.code))
    return Outcome(scheme=scheme.code, units=results, rules=rules_text(scheme, len(results)))


def _score_unit(
    scheme: Scheme, unit: UnitData, relative: Mapping[str, Mapping[str, Raw]], formulas: Mapping[str, str]
) -> UnitResult:
    raws: dict[str, Raw] = {}
    for item in scheme.items:
        data = unit.items.get(item.code)
        if item.kind == MANUAL:
            raws[item.code] = score_manual(item, data)
        elif item.kind == VETO:
            raws[item.code] = score_veto(item, data)
        elif is_missing(item, data):
            raws[item.code] = Raw(None, "缺数", raw_inputs(data))
        elif item.kind in RELATIVE_KINDS:
            raws[item.code] = relative[item.code][unit.code]
        else:
            raws[item.code] = SCORERS[item.kind](item, data or {})
    weighted = [i for i in scheme.items if i.kind not in UNWEIGHTED_KINDS]
    excluded = {i.code for i in weighted if raws[i.code].points is None and i.missing == MISSING_EXCLUDE}
    counted = sum((i.weight for i in weighted if i.code not in excluded), ZERO)
    factor = scheme.total_weight / counted if excluded and counted > 0 else ONE
    items: list[ItemResult] = []
    unit_flags: list[str] = []
    vetoed = False
    for item in scheme.items:
        raw = raws[item.code]
        data = unit.items.get(item.code) or {}
        flags = list(raw.flags)
        missing = raw.points is None
        is_excluded = item.code in excluded
        detail = raw.detail
        if missing and is_excluded:
            points = ZERO
            flags.append("缺数")
            detail = f"{raw.detail}；本项不计，其余权重项按{fmt(scheme.total_weight)}÷{fmt(counted)}折算"
        elif missing:
            points = ZERO
            flags.append("缺数")
            detail = f"{raw.detail}；按0分计"
        elif factor != ONE and item.kind not in UNWEIGHTED_KINDS:
            points = r2(raw.points * factor)  # type: ignore[operator]
            detail = f"{raw.detail}；因缺数折算 ×{fmt(scheme.total_weight)}÷{fmt(counted)}={fmt(points)}"
        else:
            points = r2(raw.points)  # type: ignore[arg-type]
        vetoed = vetoed or raw.veto
        for flag in flags:
            if flag not in unit_flags:
                unit_flags.append(flag)
        items.append(
            ItemResult(
                code=item.code,
                name=item.name,
                kind=item.kind,
                weight=item.weight,
                points=points,
                inputs=raw.inputs,
                formula=formulas[item.code],
                detail=detail,
                sources=list(data.get("sources") or []),
                missing=missing,
                excluded=is_excluded,
                flags=flags,
            )
        )
    total = sum((i.points for i in items), ZERO)
    return UnitResult(unit.code, unit.name, total, 0, "", items, vetoed, unit_flags)


def _rank(scheme: Scheme, results: list[UnitResult]) -> None:
    tie_code = scheme.tie_rule.removeprefix("item:") if scheme.tie_rule != "shared" else None

    def key(u: UnitResult) -> tuple[Decimal, Decimal]:
        return (u.total, u.item(tie_code).points if tie_code else ZERO)

    ordered = sorted(results, key=key, reverse=True)
    for position, unit in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        unit.rank = previous.rank if previous is not None and key(previous) == key(unit) else position
    if tie_code:
        # Say where the tie rule decided: equal totals ordered by the named item's points.
        flag = f"同分按“{next(i.name for i in scheme.items if i.code == tie_code)}”排序"
        ranks_at: dict[Decimal, set[int]] = {}
        for unit in results:
            ranks_at.setdefault(unit.total, set()).add(unit.rank)
        for unit in results:
            if len(ranks_at[unit.total]) > 1 and flag not in unit.flags:
                unit.flags.append(flag)


def _grade(scheme: Scheme, results: list[UnitResult]) -> None:
    grading = scheme.grading
    bands = [(dec(s), g) for s, g in grading["bands"]]
    cutoffs = share_cutoffs(grading["bands"], len(results)) if grading["mode"] == "shares" else []
    for unit in results:
        grade = GRADES[-1]
        if grading["mode"] == "thresholds":
            grade = next((g for line, g in bands if unit.total >= line), GRADES[-1])
        else:
            # Rank shares: a unit is in the band when its rank lies within the band's cut-off
            # (`share_cutoffs`, the same function that writes the rule text).
            grade = next((g for last, g in cutoffs if unit.rank <= last), GRADES[-1])
        if unit.vetoed:
            veto = next(i for i in scheme.items if i.kind == VETO and unit.item(i.code).flags)
            grade = str(veto.param("grade"))
        unit.grade = grade
