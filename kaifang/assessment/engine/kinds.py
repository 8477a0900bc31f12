"""How each item kind turns a unit's inputs into points, with the plain-Chinese arithmetic behind
them (`SCORERS`); ranking and efficacy items score a unit against the others (`score_relative`). Pure
Python, Decimal. Part of `kaifang.assessment.engine`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any

from kaifang.assessment.engine.schemes import (
    COMPLETION,
    GROWTH,
    HUNDRED,
    ONE,
    RANKING,
    REPORTING,
    REQUIRED_INPUTS,
    STEP,
    TASKS,
    THRESHOLD,
    UNWEIGHTED_KINDS,
    ZERO,
    Item,
    dec,
    fmt,
    pct,
    r2,
)

if TYPE_CHECKING:
    from kaifang.assessment.engine.scoring import UnitData


@dataclass
class Raw:
    points: Decimal | None  # None = missing
    detail: str
    inputs: dict[str, Any]
    flags: list[str] = field(default_factory=list)
    veto: bool = False


def is_missing(item: Item, data: Mapping[str, Any] | None) -> bool:
    if item.kind in UNWEIGHTED_KINDS:
        return False
    if data is None:
        return True
    if item.kind == THRESHOLD and item.param("basis") == "target":
        needed: Iterable[str] = ("value", "target", "time_progress")
    else:
        needed = REQUIRED_INPUTS[item.kind]
    return any(data.get(key) is None for key in needed)


def raw_inputs(data: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (data or {}).items() if k != "sources"}


def _completion(item: Item, d: Mapping[str, Any]) -> Raw:
    actual, target, tp = dec(d["actual"]), dec(d["target"]), dec(d["time_progress"])
    if target <= 0 or tp <= 0:
        return Raw(None, "目标或时序进度为0，无法计算完成率", raw_inputs(d))
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
    return Raw(
        points,
        detail,
        {**raw_inputs(d), "completion": completion, "progress_ratio": ratio},
        ["封顶"] if ratio > cap else [],
    )


def _step(item: Item, d: Mapping[str, Any]) -> Raw:
    """Percentage points ahead of or behind time progress are (completion − time progress) × 100, as
    officials count them (超/低于序时进度X个百分点), never (completion ÷ time progress − 1) × 100."""
    actual, target, tp = dec(d["actual"]), dec(d["target"]), dec(d["time_progress"])
    if target <= 0 or tp <= 0:
        return Raw(None, "目标或时序进度为0，无法计算", raw_inputs(d))
    completion = actual / target
    diff = (completion - tp) * HUNDRED
    gap = f"完成率{fmt(actual)}÷{fmt(target)}={pct(completion)}，时序进度{pct(tp)}"
    if diff >= 0:
        steps = (diff / item.dparam("up_step")).to_integral_value(rounding=ROUND_FLOOR)
        change = min(steps * item.dparam("up_points"), item.dparam("max_up"))
        text = f"超过时序进度{fmt(r2(diff))}个百分点，{fmt(steps)}档，加{fmt(change)}分"
    else:
        steps = (-diff / item.dparam("down_step")).to_integral_value(rounding=ROUND_FLOOR)
        change = -min(steps * item.dparam("down_points"), item.dparam("max_down"))
        text = f"低于时序进度{fmt(r2(-diff))}个百分点，{fmt(steps)}档，扣{fmt(-change)}分"
    points = max(item.weight + change, ZERO)
    sign = "+" if change >= 0 else "−"
    detail = f"{gap}；{text}；{fmt(item.weight)}{sign}{fmt(abs(change))}={r2(points)}"
    return Raw(points, detail, {**raw_inputs(d), "completion": completion, "points_vs_time_progress": diff})


def _growth(item: Item, d: Mapping[str, Any]) -> Raw:
    current, base = dec(d["current"]), dec(d["base"])
    if base <= 0:
        return Raw(None, "上年同期为0，不可比", raw_inputs(d), ["不可比"])
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
    return Raw(points, detail, {**raw_inputs(d), "growth": growth}, ["封顶"] if ratio > cap else [])


def _threshold(item: Item, d: Mapping[str, Any]) -> Raw:
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
    return Raw(points, detail, {**raw_inputs(d), "met": met, "line": line})


def _tasks(item: Item, d: Mapping[str, Any]) -> Raw:
    due, on_time = dec(d["due"]), dec(d["closed_on_time"])
    share = on_time / due if due > 0 else ONE
    deductions = [
        (dec(d["overdue"]), item.dparam("per_overdue"), "逾期"),
        (dec(d["urged"]), item.dparam("per_urge"), "催办"),
        (dec(d["notices"]), item.dparam("per_notice"), "督办单"),
        (dec(d["failed"]), item.dparam("per_failed"), "复核未通过"),
        (dec(d.get("extensions") or 0), item.dparam("per_extension"), "延期"),
    ]
    minus = sum((n * per for n, per, _ in deductions), ZERO)
    points = max(item.weight * share - minus, ZERO)
    parts = "".join(f"−{label}{fmt(n)}×{fmt(per)}" for n, per, label in deductions if n)
    share_text = f"{fmt(on_time)}÷{fmt(due)}={pct(share)}" if due > 0 else "无到期任务，按100%计"
    detail = f"按期办结率 {share_text}；{fmt(item.weight)}×{pct(share)}{parts}={r2(points)}"
    return Raw(points, detail, {**raw_inputs(d), "on_time_share": share})


def _reporting(item: Item, d: Mapping[str, Any]) -> Raw:
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
    return Raw(points, detail, {**raw_inputs(d), "on_time_share": share})


def score_manual(item: Item, d: Mapping[str, Any] | None) -> Raw:
    entries = list((d or {}).get("entries") or [])
    raw = sum((dec(e["points"]) for e in entries), ZERO)
    points = min(max(raw, -item.dparam("max_penalty")), item.dparam("max_bonus"))
    flags = ["已达上限"] if points != raw else []
    listed = "；".join(
        f"{e.get('reason', '')} {'+' if dec(e['points']) >= 0 else ''}{fmt(dec(e['points']))}" for e in entries
    )
    capped = f"，合计{fmt(raw)}超出上限，按{fmt(points)}计" if flags else ""
    detail = (listed or "无加减分事项") + f"{capped}；得{fmt(points)}分"
    return Raw(points, detail, {"entries": entries}, flags)


def score_veto(item: Item, d: Mapping[str, Any] | None) -> Raw:
    triggered = bool((d or {}).get("triggered"))
    reason = str((d or {}).get("reason") or "")
    detail = f"触发一票否决：{reason}，等次定为“{item.param('grade')}”" if triggered else "未触发"
    return Raw(ZERO, detail, {"triggered": triggered, "reason": reason}, ["一票否决"] if triggered else [], triggered)


def score_relative(item: Item, units: Sequence[UnitData]) -> dict[str, Raw]:
    """Ranking and efficacy items: each unit's points depend on the other units' values."""
    values = {u.code: dec(u.items[item.code]["value"]) for u in units if not is_missing(item, u.items.get(item.code))}
    higher = item.param("direction") == "higher"
    out: dict[str, Raw] = {}
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
            out[code] = Raw(points, detail, {"value": value, "rank_in_item": rank, "ranked": len(values)})
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
        out[code] = Raw(points, detail, {"value": value, "min": low, "max": high, "coefficient": coefficient})
    return out


SCORERS = {
    COMPLETION: _completion,
    STEP: _step,
    GROWTH: _growth,
    THRESHOLD: _threshold,
    TASKS: _tasks,
    REPORTING: _reporting,
}
