"""Scoring a scheme: each unit's points per item with the inputs, formula and arithmetic behind
them, then ranks and grades. Pure Python, Decimal. Part of `kaifang.assessment.engine`."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from kaifang.assessment.engine.schemes import (
    COMPLETION,
    GRADES,
    GROWTH,
    HUNDRED,
    MANUAL,
    MISSING_EXCLUDE,
    ONE,
    RANKING,
    RELATIVE_KINDS,
    REPORTING,
    REQUIRED_INPUTS,
    STEP,
    TASKS,
    THRESHOLD,
    UNWEIGHTED_KINDS,
    VETO,
    ZERO,
    Item,
    Scheme,
    dec,
    describe,
    fmt,
    missing_rule_text,
    pct,
    r2,
    rules_text,
    validate_scheme,
)


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
        return to_jsonable(asdict(self))


def _decimal_text(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_jsonable(value: Any) -> Any:
    """Decimals as strings so every digit survives JSON (through the C encoder: it is fast)."""
    return json.loads(json.dumps(value, default=_decimal_text, ensure_ascii=False))


@dataclass
class _Raw:
    points: Decimal | None  # None = missing
    detail: str
    inputs: dict[str, Any]
    flags: list[str] = field(default_factory=list)
    veto: bool = False


def _is_missing(item: Item, data: Mapping[str, Any] | None) -> bool:
    if item.kind in UNWEIGHTED_KINDS:
        return False
    if data is None:
        return True
    if item.kind == THRESHOLD and item.param("basis") == "target":
        needed: Iterable[str] = ("value", "target", "time_progress")
    else:
        needed = REQUIRED_INPUTS[item.kind]
    return any(data.get(key) is None for key in needed)


def _inputs(data: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (data or {}).items() if k != "sources"}


def _completion(item: Item, d: Mapping[str, Any]) -> _Raw:
    actual, target, tp = dec(d["actual"]), dec(d["target"]), dec(d["time_progress"])
    if target <= 0 or tp <= 0:
        return _Raw(None, "目标或时序进度为0，无法计算完成率", _inputs(d))
    completion = actual / target
    ratio = completion / tp
    cap = item.dparam("cap")
    used = max(min(ratio, cap), ZERO)
    points = item.weight * used
    capped = "（已封顶）" if ratio > cap else ""
    detail = (
        f"完成率 {fmt(actual)}÷{fmt(target)}={pct(completion)}；÷时序进度{pct(tp)}={pct(ratio)}{capped}；"
        f"×{fmt(item.weight)}={r2(points)}"
    )
    return _Raw(
        points,
        detail,
        {**_inputs(d), "completion": completion, "progress_ratio": ratio},
        ["封顶"] if ratio > cap else [],
    )


def _step(item: Item, d: Mapping[str, Any]) -> _Raw:
    actual, target, tp = dec(d["actual"]), dec(d["target"]), dec(d["time_progress"])
    if target <= 0 or tp <= 0:
        return _Raw(None, "目标或时序进度为0，无法计算", _inputs(d))
    ratio = actual / target / tp
    diff = (ratio - ONE) * HUNDRED
    if diff >= 0:
        steps = (diff / item.dparam("up_step")).to_integral_value(rounding=ROUND_FLOOR)
        change = min(steps * item.dparam("up_points"), item.dparam("max_up"))
        text = f"超出{fmt(r2(diff))}个百分点，{fmt(steps)}档，加{fmt(change)}分"
    else:
        steps = (-diff / item.dparam("down_step")).to_integral_value(rounding=ROUND_FLOOR)
        change = -min(steps * item.dparam("down_points"), item.dparam("max_down"))
        text = f"低{fmt(r2(-diff))}个百分点，{fmt(steps)}档，扣{fmt(-change)}分"
    points = max(item.weight + change, ZERO)
    sign = "+" if change >= 0 else "−"
    detail = f"完成率÷时序进度={pct(ratio)}；{text}；{fmt(item.weight)}{sign}{fmt(abs(change))}={r2(points)}"
    return _Raw(points, detail, {**_inputs(d), "progress_ratio": ratio})


def _growth(item: Item, d: Mapping[str, Any]) -> _Raw:
    current, base = dec(d["current"]), dec(d["base"])
    if base <= 0:
        return _Raw(None, "上年同期为0，不可比", _inputs(d), ["不可比"])
    growth = (current - base) / base
    tg = item.dparam("target_growth")
    ratio = (ONE + growth) / (ONE + tg)
    cap = item.dparam("cap")
    points = item.weight * max(min(ratio, cap), ZERO)
    capped = "（已封顶）" if ratio > cap else ""
    detail = (
        f"同比增速({fmt(current)}−{fmt(base)})÷{fmt(base)}={pct(growth)}；"
        f"(1+{pct(growth)})÷(1+{pct(tg, 1)})={pct(ratio)}{capped}；×{fmt(item.weight)}={r2(points)}"
    )
    return _Raw(points, detail, {**_inputs(d), "growth": growth}, ["封顶"] if ratio > cap else [])


def _threshold(item: Item, d: Mapping[str, Any]) -> _Raw:
    value = dec(d["value"])
    if item.param("basis") == "target":
        line = dec(d["target"]) * dec(d["time_progress"])
        line_text = f"目标{fmt(dec(d['target']))}×时序进度{pct(dec(d['time_progress']))}={fmt(r2(line))}"
    else:
        line = item.dparam("threshold")
        line_text = f"门槛{fmt(line)}"
    met = value >= line
    points = item.weight if met else item.dparam("else_points")
    detail = f"{fmt(value)}{'≥' if met else '<'}{line_text}，{'达标' if met else '未达标'}，得{fmt(points)}分"
    return _Raw(points, detail, {**_inputs(d), "met": met, "line": line})


def _tasks(item: Item, d: Mapping[str, Any]) -> _Raw:
    due, on_time = dec(d["due"]), dec(d["closed_on_time"])
    share = on_time / due if due > 0 else ONE
    deductions = [
        (dec(d["overdue"]), item.dparam("per_overdue"), "逾期"),
        (dec(d["urged"]), item.dparam("per_urge"), "催办"),
        (dec(d["notices"]), item.dparam("per_notice"), "督办单"),
        (dec(d["failed"]), item.dparam("per_failed"), "复核未通过"),
    ]
    minus = sum((n * per for n, per, _ in deductions), ZERO)
    points = max(item.weight * share - minus, ZERO)
    parts = "".join(f"−{label}{fmt(n)}×{fmt(per)}" for n, per, label in deductions if n)
    share_text = f"{fmt(on_time)}÷{fmt(due)}={pct(share)}" if due > 0 else "无到期任务，按100%计"
    detail = f"按期办结率 {share_text}；{fmt(item.weight)}×{pct(share)}{parts}={r2(points)}"
    return _Raw(points, detail, {**_inputs(d), "on_time_share": share})


def _reporting(item: Item, d: Mapping[str, Any]) -> _Raw:
    required, on_time, returned = dec(d["required"]), dec(d["on_time"]), dec(d["returned"])
    late = dec(d.get("late") or 0)
    share = on_time / required if required > 0 else ONE
    minus = returned * item.dparam("per_returned") + late * item.dparam("per_late")
    points = max(item.weight * share - minus, ZERO)
    share_text = f"{fmt(on_time)}÷{fmt(required)}={pct(share)}" if required > 0 else "无应报任务，按100%计"
    parts = f"−退回{fmt(returned)}×{item.param('per_returned')}" if returned else ""
    if late and item.dparam("per_late"):
        parts += f"−迟报{fmt(late)}×{item.param('per_late')}"
    detail = f"按时报送率 {share_text}；{fmt(item.weight)}×{pct(share)}{parts}={r2(points)}"
    return _Raw(points, detail, {**_inputs(d), "on_time_share": share})


def _manual(item: Item, d: Mapping[str, Any] | None) -> _Raw:
    entries = list((d or {}).get("entries") or [])
    raw = sum((dec(e["points"]) for e in entries), ZERO)
    points = min(max(raw, -item.dparam("max_penalty")), item.dparam("max_bonus"))
    flags = ["已达上限"] if points != raw else []
    listed = "；".join(
        f"{e.get('reason', '')} {'+' if dec(e['points']) >= 0 else ''}{fmt(dec(e['points']))}" for e in entries
    )
    capped = f"，合计{fmt(raw)}超出上限，按{fmt(points)}计" if flags else ""
    detail = (listed or "无加减分事项") + f"{capped}；得{fmt(points)}分"
    return _Raw(points, detail, {"entries": entries}, flags)


def _veto(item: Item, d: Mapping[str, Any] | None) -> _Raw:
    triggered = bool((d or {}).get("triggered"))
    reason = str((d or {}).get("reason") or "")
    detail = f"触发一票否决：{reason}，等次定为“{item.param('grade')}”" if triggered else "未触发"
    return _Raw(ZERO, detail, {"triggered": triggered, "reason": reason}, ["一票否决"] if triggered else [], triggered)


def _relative(item: Item, units: Sequence[UnitData]) -> dict[str, _Raw]:
    """Ranking and efficacy items: each unit's points depend on the other units' values."""
    values = {u.code: dec(u.items[item.code]["value"]) for u in units if not _is_missing(item, u.items.get(item.code))}
    higher = item.param("direction") == "higher"
    out: dict[str, _Raw] = {}
    if item.kind == RANKING:
        first: dict[Decimal, int] = {}
        for position, value in enumerate(sorted(values.values(), reverse=higher), start=1):
            first.setdefault(value, position)  # equal values share the first position of their run
        for code, value in values.items():
            rank = first[value]
            if item.params.get("points"):
                table = [dec(v) for v in item.params["points"]]
                points = table[rank - 1] if rank <= len(table) else dec(item.param("rest") or 0)
            else:
                points = max(item.weight - (rank - 1) * item.dparam("step"), item.dparam("floor"))
            detail = f"数值{fmt(value)}，组内{len(values)}个单位中第{rank}名，得{fmt(points)}分"
            out[code] = _Raw(points, detail, {"value": value, "rank_in_item": rank, "ranked": len(values)})
        return out
    low, high = (min(values.values()), max(values.values())) if values else (ZERO, ZERO)
    for code, value in values.items():
        if high == low:
            coefficient = HUNDRED
            how = f"各单位数值相同（{fmt(value)}），功效系数按100计"
        else:
            share = (value - low) / (high - low) if higher else (high - value) / (high - low)
            coefficient = 60 + 40 * share
            x = f"({fmt(value)}−{fmt(low)})" if higher else f"({fmt(high)}−{fmt(value)})"
            how = f"功效系数 60+40×{x}÷({fmt(high)}−{fmt(low)})={fmt(r2(coefficient))}"
        points = coefficient / HUNDRED * item.weight
        detail = f"{how}；÷100×{fmt(item.weight)}={r2(points)}"
        out[code] = _Raw(points, detail, {"value": value, "min": low, "max": high, "coefficient": coefficient})
    return out


SCORERS = {
    COMPLETION: _completion,
    STEP: _step,
    GROWTH: _growth,
    THRESHOLD: _threshold,
    TASKS: _tasks,
    REPORTING: _reporting,
}


def score(scheme: Scheme, units: Sequence[UnitData]) -> Outcome:
    """Score every unit of the group and rank them. Pure: same inputs, same outcome."""
    validate_scheme(scheme)
    relative = {item.code: _relative(item, units) for item in scheme.items if item.kind in RELATIVE_KINDS}
    formulas = {
        item.code: describe(item) + ("" if item.kind in UNWEIGHTED_KINDS else "；" + missing_rule_text(item))
        for item in scheme.items
    }
    results = [_score_unit(scheme, unit, relative, formulas) for unit in units]
    _rank(scheme, results)
    _grade(scheme, results)
    results.sort(key=lambda u: (u.rank, u.code))
    return Outcome(scheme=scheme.code, units=results, rules=rules_text(scheme))


def _score_unit(
    scheme: Scheme, unit: UnitData, relative: Mapping[str, Mapping[str, _Raw]], formulas: Mapping[str, str]
) -> UnitResult:
    raws: dict[str, _Raw] = {}
    for item in scheme.items:
        data = unit.items.get(item.code)
        if item.kind == MANUAL:
            raws[item.code] = _manual(item, data)
        elif item.kind == VETO:
            raws[item.code] = _veto(item, data)
        elif _is_missing(item, data):
            raws[item.code] = _Raw(None, "缺数", _inputs(data))
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


def _grade(scheme: Scheme, results: list[UnitResult]) -> None:
    grading = scheme.grading
    bands = [(dec(s), g) for s, g in grading["bands"]]
    count = len(results)
    for unit in results:
        grade = GRADES[-1]
        if grading["mode"] == "thresholds":
            grade = next((g for line, g in bands if unit.total >= line), GRADES[-1])
        else:
            cumulative = ZERO
            for share, g in bands:
                cumulative += share
                # Rank shares: a unit is in the band when its rank lies within the cumulative share
                # of the group (rounded up, so a group of 14 with 20% 优秀 has ranks 1-3 优秀).
                if unit.rank <= math.ceil(cumulative * count):
                    grade = g
                    break
        if unit.vetoed:
            veto = next(i for i in scheme.items if i.kind == VETO and unit.item(i.code).flags)
            grade = str(veto.param("grade"))
        unit.grade = grade
