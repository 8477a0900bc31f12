"""The assessment engine: pure Python (no Django), Decimal throughout.

A scheme is a list of items; each item has a kind, a weight and parameters (the formula is data).
`score(scheme, units)` scores every unit of a group and explains every point: each item's points
come with the exact inputs, the formula in plain Chinese, the arithmetic that was done and the
source references (indicator + unit + period, task ids) behind them.

Rules stated once here and shown to users by `rules_text()`:
- Item points are rounded to 2 decimals (half up); a unit's total is the sum of its rounded items.
- Missing data is never silently zero: an item whose inputs are missing is scored by its own rule,
  `zero` (0 points, flagged 缺数) or `exclude` (the item does not count and the unit's other
  weighted items are scaled up by total weight ÷ weight of the items that did count).
- Ranks: equal totals share a rank and the next rank skips (1, 1, 3); or a named tie-break item
  decides first.
- Grades by score thresholds or by rank shares; a triggered veto item (一票否决) sets the grade
  whatever the score.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)

COMPLETION = "completion"
STEP = "step"
RANKING = "ranking"
GROWTH = "growth"
THRESHOLD = "threshold"
EFFICACY = "efficacy"
TASKS = "tasks"
REPORTING = "reporting"
MANUAL = "manual"
VETO = "veto"

KIND_LABELS = {
    COMPLETION: "指标完成率",
    STEP: "超欠目标加减分",
    RANKING: "组内排名",
    GROWTH: "增速",
    THRESHOLD: "达标与否",
    EFFICACY: "功效系数",
    TASKS: "督办任务",
    REPORTING: "报送质量",
    MANUAL: "加减分事项",
    VETO: "一票否决",
}
KINDS = tuple(KIND_LABELS)
# Kinds scored relative to the other units of the group (need every unit's value first).
RELATIVE_KINDS = {RANKING, EFFICACY}
# Kinds outside the weighted base: they neither count in the total weight nor are re-weighted.
UNWEIGHTED_KINDS = {MANUAL, VETO}
# Kinds whose inputs come from an indicator.
INDICATOR_KINDS = {COMPLETION, STEP, RANKING, GROWTH, THRESHOLD, EFFICACY}

MISSING_ZERO = "zero"
MISSING_EXCLUDE = "exclude"
GRADES = ("优秀", "良好", "一般", "较差")

# Inputs each kind needs (None or absent = missing). Manual entries and veto flags are never missing.
REQUIRED_INPUTS: dict[str, tuple[str, ...]] = {
    COMPLETION: ("actual", "target", "time_progress"),
    STEP: ("actual", "target", "time_progress"),
    RANKING: ("value",),
    GROWTH: ("current", "base"),
    THRESHOLD: ("value",),
    EFFICACY: ("value",),
    TASKS: ("due", "closed_on_time", "overdue", "urged", "notices", "failed"),
    REPORTING: ("required", "on_time", "returned"),
    MANUAL: (),
    VETO: (),
}

DEFAULT_PARAMS: dict[str, dict[str, Any]] = {
    COMPLETION: {"cap": "1.2"},
    STEP: {"up_step": "10", "up_points": "1", "max_up": "5", "down_step": "5", "down_points": "1", "max_down": "10"},
    RANKING: {"direction": "higher", "step": "1", "floor": "0"},
    GROWTH: {"target_growth": "0", "cap": "1.2"},
    THRESHOLD: {"basis": "absolute", "else_points": "0"},
    EFFICACY: {"direction": "higher"},
    TASKS: {"per_overdue": "1", "per_urge": "0.2", "per_notice": "0.5", "per_failed": "1"},
    REPORTING: {"per_returned": "0.5", "per_late": "0"},
    MANUAL: {"max_bonus": "3", "max_penalty": "3"},
    VETO: {"grade": "较差"},
}


class SchemeError(ValueError):
    """A scheme or item definition that cannot be scored (message in Chinese, for the user)."""


def dec(value: Any) -> Decimal:
    """A Decimal from an int, str or Decimal (never through float)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        raise TypeError("floats are not accepted: pass a str or Decimal")
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise SchemeError(f"“{value}”不是数字") from exc


def opt_dec(value: Any) -> Decimal | None:
    return None if value is None or value == "" else dec(value)


def r2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal | None) -> str:
    """A number for formula text: no exponent, trailing zeros trimmed (20, 0.5, 1800)."""
    if value is None:
        return "缺数"
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


QUANTA = {places: Decimal(1).scaleb(-places) for places in range(5)}


def pct(value: Decimal | None, places: int = 2) -> str:
    if value is None:
        return "缺数"
    return f"{(value * HUNDRED).quantize(QUANTA[places], rounding=ROUND_HALF_UP)}%"


# --- Scheme definition ------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    kind: str
    weight: Decimal
    params: Mapping[str, Any] = field(default_factory=dict)
    indicator: str = ""
    missing: str = MISSING_ZERO
    _decimals: dict[str, Decimal] = field(default_factory=dict, compare=False, repr=False)

    def param(self, key: str) -> Any:
        return self.params.get(key, DEFAULT_PARAMS[self.kind].get(key))

    def dparam(self, key: str) -> Decimal:
        """A numeric parameter as a Decimal (converted once per item: thousands of units reuse it)."""
        value = self._decimals.get(key)
        if value is None:
            value = self._decimals[key] = dec(self.param(key))
        return value


@dataclass(frozen=True)
class Scheme:
    code: str
    name: str
    items: tuple[Item, ...]
    tie_rule: str = "shared"  # "shared" or "item:<item code>"
    grading: Mapping[str, Any] = field(
        default_factory=lambda: {"mode": "thresholds", "bands": [["90", "优秀"], ["80", "良好"], ["60", "一般"]]}
    )

    @property
    def total_weight(self) -> Decimal:
        return sum((i.weight for i in self.items if i.kind not in UNWEIGHTED_KINDS), ZERO)


def validate_params(kind: str, params: Mapping[str, Any], *, weight: Decimal = ZERO) -> dict[str, Any]:
    """The parameters of one item, checked for its kind; unknown keys and bad numbers are refused."""
    if kind not in KINDS:
        raise SchemeError(f"未知的考核项类型“{kind}”")
    allowed = set(DEFAULT_PARAMS[kind]) | {"threshold", "points", "else_points", "basis", "cap", "rest"}
    unknown = set(params) - allowed
    if unknown:
        raise SchemeError(f"{KIND_LABELS[kind]}不支持参数：{'、'.join(sorted(unknown))}")
    clean = {**DEFAULT_PARAMS[kind], **params}
    for key, value in clean.items():
        if key in {"direction", "basis", "grade"}:
            continue
        if key == "points":
            clean[key] = [fmt(dec(v)) for v in value]
            continue
        number = dec(value)
        if number < 0:
            raise SchemeError(f"参数 {key} 不能为负数")
        clean[key] = fmt(number)
    if clean.get("direction") not in (None, "higher", "lower"):
        raise SchemeError("方向只能是 higher（越高越好）或 lower（越低越好）")
    if kind == THRESHOLD and clean["basis"] == "absolute" and "threshold" not in clean:
        raise SchemeError("达标项需要给出门槛值 threshold，或以目标为基准（basis=target）")
    if kind == THRESHOLD and clean["basis"] not in ("absolute", "target"):
        raise SchemeError("达标项的基准只能是 absolute 或 target")
    if kind == STEP and (dec(clean["up_step"]) == 0 or dec(clean["down_step"]) == 0):
        raise SchemeError("每档百分点不能为0")
    if kind == VETO and clean["grade"] not in GRADES:
        raise SchemeError(f"否决后的等次只能是：{'、'.join(GRADES)}")
    if kind in UNWEIGHTED_KINDS and weight != 0:
        raise SchemeError(f"{KIND_LABELS[kind]}不占权重，权重应为0")
    if kind not in UNWEIGHTED_KINDS and weight <= 0:
        raise SchemeError("权重应大于0")
    return clean


def validate_scheme(scheme: Scheme) -> None:
    codes = [i.code for i in scheme.items]
    if len(set(codes)) != len(codes):
        raise SchemeError("考核项代码重复")
    for item in scheme.items:
        validate_params(item.kind, item.params, weight=item.weight)
        if item.missing not in (MISSING_ZERO, MISSING_EXCLUDE):
            raise SchemeError("缺数规则只能是 zero（按0分计）或 exclude（不计并折算）")
    if scheme.tie_rule != "shared":
        tie_code = scheme.tie_rule.removeprefix("item:")
        if not scheme.tie_rule.startswith("item:") or tie_code not in codes:
            raise SchemeError("并列规则应为 shared，或 item:<考核项代码>")
    mode = scheme.grading.get("mode")
    if mode not in ("thresholds", "shares"):
        raise SchemeError("等次规则应按分数线（thresholds）或名次比例（shares）")


# --- Formula text ---------------------------------------------------------------------------


def describe(item: Item) -> str:
    """The item's formula in plain Chinese, as shown beside every score."""
    w = fmt(item.weight)
    p = item.param
    if item.kind == COMPLETION:
        cap = item.dparam("cap")
        return (
            f"完成率÷时序进度×{w}分，最高按{pct(cap, 0)}计（最多{fmt(r2(item.weight * cap))}分）；"
            "完成率=累计完成÷全年目标，年末时序进度为100%"
        )
    if item.kind == STEP:
        return (
            f"达到序时进度得{w}分；每超{p('up_step')}个百分点加{p('up_points')}分（最多加{p('max_up')}分），"
            f"每低{p('down_step')}个百分点扣{p('down_points')}分（最多扣{p('max_down')}分），按整档计，不低于0分"
        )
    if item.kind == RANKING:
        order = "由高到低" if p("direction") == "higher" else "由低到高"
        if item.params.get("points"):
            pts = "、".join(f"第{n}名{v}分" for n, v in enumerate(item.params["points"], start=1))
            rule = f"{pts}，其后{fmt(dec(p('rest') or 0))}分"
        else:
            rule = f"第1名{w}分，每后一名减{p('step')}分，最低{p('floor')}分"
        return f"组内按数值{order}排名：{rule}；数值相同名次并列"
    if item.kind == GROWTH:
        tg = item.dparam("target_growth")
        basis = "上年同期" if tg == 0 else f"上年同期×(1+目标增速{pct(tg, 1)})"
        return (
            f"(1+同比增速)÷(1+目标增速{pct(tg, 1)})×{w}分，最高按{pct(item.dparam('cap'), 0)}计，"
            f"即本期累计÷{basis}；上年同期为0或缺数时不可比"
        )
    if item.kind == THRESHOLD:
        target = "全年目标×时序进度" if p("basis") == "target" else fmt(dec(p("threshold")))
        return f"达到{target}得{w}分，未达到得{fmt(item.dparam('else_points'))}分"
    if item.kind == EFFICACY:
        x = "(x−最小值)÷(最大值−最小值)" if p("direction") == "higher" else "(最大值−x)÷(最大值−最小值)"
        return f"功效系数=60+40×{x}，得分=功效系数÷100×{w}分；各单位数值相同时功效系数均为100"
    if item.kind == TASKS:
        return (
            f"按期办结率×{w}分；每项逾期扣{p('per_overdue')}分，每次催办扣{p('per_urge')}分，"
            f"每份督办单扣{p('per_notice')}分，每项复核未通过扣{p('per_failed')}分；不低于0分；"
            "按期办结率=按期办结数÷到期任务数，无到期任务按100%计"
        )
    if item.kind == REPORTING:
        late = f"，每次迟报扣{p('per_late')}分" if item.dparam("per_late") else ""
        return f"按时报送率×{w}分；每次被退回扣{p('per_returned')}分{late}；不低于0分；无应报任务按100%计"
    if item.kind == MANUAL:
        return f"经审批的加减分事项合计：加分最多{p('max_bonus')}分，扣分最多{p('max_penalty')}分"
    return f"发生即定为“{p('grade')}”，不论得分"


def missing_rule_text(item: Item) -> str:
    if item.missing == MISSING_EXCLUDE:
        return "缺数时本项不计，其余权重项按比例折算"
    return "缺数时本项按0分计，并标注“缺数”"


def rules_text(scheme: Scheme) -> dict[str, str]:
    if scheme.tie_rule == "shared":
        tie = "总分相同名次并列，下一名次顺延（如1、1、3）"
    else:
        code = scheme.tie_rule.removeprefix("item:")
        name = next(i.name for i in scheme.items if i.code == code)
        tie = f"总分相同时按“{name}”得分高者在前；仍相同则名次并列，下一名次顺延"
    grading = scheme.grading
    if grading["mode"] == "thresholds":
        bands = "；".join(f"{fmt(dec(s))}分及以上为{g}" for s, g in grading["bands"])
        grade = f"{bands}；其余为较差"
    else:
        grade = "；".join(f"前{pct(dec(s), 0)}为{g}" for s, g in grading["bands"]) + "；其余为较差"
    return {
        "rounding": "各项得分四舍五入保留2位小数，总分为各项得分之和",
        "tie": tie,
        "grade": grade + "；触发一票否决的单位直接定为否决项规定的等次",
    }


# --- Scoring --------------------------------------------------------------------------------


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
