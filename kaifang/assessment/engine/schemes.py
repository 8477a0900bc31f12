"""Assessment schemes as data: item kinds, their parameters and defaults, validation, and the plain
Chinese description of every rule (shown on result pages and in bulletins). Pure Python, Decimal.
Part of `kaifang.assessment.engine` (see its docstring for the rules)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
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

# Time progress as every completion-based rule text states it (DESIGN: m/12 for a flow, 1 for a stock).
PROGRESS_TEXT = "完成率=累计完成÷全年目标；时序进度=月份数÷12（存量指标为100%）"

# Which submissions a unit answers for in a reporting item ("answers_for").
OWN = "own"
OWN_AND_APPROVED = "own_and_approved"
ANSWERS_FOR_TEXT = {OWN: "本单位", OWN_AND_APPROVED: "本单位及由本单位审核的下级单位"}

DEFAULT_PARAMS: dict[str, dict[str, Any]] = {
    COMPLETION: {"cap": "1.2"},
    STEP: {"up_step": "10", "up_points": "1", "max_up": "5", "down_step": "5", "down_points": "1", "max_down": "10"},
    RANKING: {"direction": "higher", "step": "1", "floor": "0"},
    GROWTH: {"target_growth": "0", "cap": "1.2"},
    THRESHOLD: {"basis": "absolute", "else_points": "0"},
    EFFICACY: {"direction": "higher"},
    TASKS: {"per_overdue": "1", "per_urge": "0.2", "per_notice": "0.5", "per_failed": "1", "per_extension": "0"},
    REPORTING: {"per_returned": "0.5", "per_late": "0", "answers_for": OWN},
    MANUAL: {"max_bonus": "3", "max_penalty": "3"},
    VETO: {"grade": "较差"},
}


def extension_rule_text(per_extension: Decimal) -> str:
    """How the task item counts approved extensions (延期): the one parameter `per_extension` decides
    both this sentence and the deduction in `kinds._tasks`."""
    text = "截止日期以批准延期后的时限为准"
    if per_extension > 0:
        return f"{text}，到期任务每批准延期一次扣{fmt(per_extension)}分"
    return f"{text}，延期不扣分"


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
        if key in {"direction", "basis", "grade", "answers_for"}:
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
    if kind == REPORTING and clean["answers_for"] not in ANSWERS_FOR_TEXT:
        raise SchemeError("报送质量项的责任范围只能是 own（本单位）或 own_and_approved（本单位及由其审核的下级单位）")
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
            f"完成率÷时序进度×{w}分，最高按{pct(cap, 0)}计（最多{fmt(r2(item.weight * cap))}分），不低于0分；"
            f"{PROGRESS_TEXT}"
        )
    if item.kind == STEP:
        return (
            f"达到时序进度得{w}分；完成率每超过时序进度{p('up_step')}个百分点加{p('up_points')}分（最多加{p('max_up')}分），"
            f"每低于时序进度{p('down_step')}个百分点扣{p('down_points')}分（最多扣{p('max_down')}分），按整档计、不足一档不计，"
            f"不低于0分；超过或低于的百分点数=(完成率−时序进度)×100；{PROGRESS_TEXT}"
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
            f"即本期累计÷{basis}；同比增速=(本年累计−上年同期累计)÷上年同期累计；上年同期为0、负数或缺数时不可比"
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
            "按期办结率=按期办结数÷到期任务数；到期任务=本单位牵头、已下发、截止日期在本年1月1日至本期末"
            "（且不晚于计算当日）之间的任务；按期办结=已销号且在截止日期前申报办结；逾期=截止日期后申报办结，"
            "或截止日期已过仍未申报办结；催办、督办单、复核未通过按同一期间计；无到期任务按100%计；"
            + extension_rule_text(item.dparam("per_extension"))
        )
    if item.kind == REPORTING:
        late = f"，每次迟报扣{p('per_late')}分" if item.dparam("per_late") else ""
        whose = ANSWERS_FOR_TEXT[str(p("answers_for"))]
        return (
            f"按时报送率×{w}分；每次被退回扣{p('per_returned')}分{late}；不低于0分；"
            f"按时报送率=按时报送次数÷应报次数，宽限期内报送按按时计；应报次数={whose}在本年截至本期、"
            "截止时间加宽限期已过的报送批次中应报的次数（未到期的批次不计）；无应报任务按100%计"
        )
    if item.kind == MANUAL:
        return f"经审批的加减分事项合计：加分最多{p('max_bonus')}分，扣分最多{p('max_penalty')}分"
    return f"发生即定为“{p('grade')}”，不论得分"


def missing_rule_text(item: Item) -> str:
    if item.missing == MISSING_EXCLUDE:
        return "缺数时本项不计，其余计权重各项的得分×(总权重÷其余各项权重之和)折算；加减分、一票否决项不折算"
    return "缺数时本项按0分计，并标注“缺数”"


def share_cutoffs(bands: Any, count: int) -> list[tuple[int, str]]:
    """Grades by rank share: the last rank of each band, count × cumulative share rounded UP (a group
    of 14 with 20% 优秀 has ranks 1-3 优秀: 14 × 20% = 2.8 → 3). Used by the engine and its rule text."""
    cutoffs, cumulative = [], ZERO
    for share, grade in bands:
        cumulative += dec(share)
        cutoffs.append((math.ceil(cumulative * count), str(grade)))
    return cutoffs


def rules_text(scheme: Scheme, count: int | None = None) -> dict[str, str]:
    """The scheme-wide rules in plain Chinese; with the group's size, the grade bands' rank cut-offs."""
    if scheme.tie_rule == "shared":
        tie = "总分相同名次并列，下一名次顺延（如1、1、3）"
    else:
        code = scheme.tie_rule.removeprefix("item:")
        name = next(i.name for i in scheme.items if i.code == code)
        tie = f"总分相同时按“{name}”得分高者在前；仍相同则名次并列，下一名次顺延（如1、1、3）"
    grading = scheme.grading
    if grading["mode"] == "thresholds":
        bands = "；".join(f"总分{fmt(dec(s))}分及以上为{g}" for s, g in grading["bands"])
        grade = f"{bands}；其余为较差"
    else:
        parts, cumulative = [], ZERO
        cutoffs = share_cutoffs(grading["bands"], count) if count else []
        for index, (share, g) in enumerate(grading["bands"]):
            cumulative += dec(share)
            where = f"名次在前{pct(cumulative, 0)}" if index == 0 else f"其后至累计{pct(cumulative, 0)}"
            if cutoffs:
                exact = cumulative * count  # type: ignore[operator]
                last = cutoffs[index][0]
                worked = f"{count}×{pct(cumulative, 0)}={fmt(exact)}" + ("" if exact == last else f"，向上取整为{last}")
                where += f"（{worked}，即第{last}名及以前）"
            parts.append(f"{where}为{g}")
        grade = "；".join(parts) + "；其余为较差；名次比例按单位数×比例向上取整；名次并列的单位等次相同"
    return {
        "rounding": "各项得分四舍五入保留2位小数，总分为各项得分之和（不再另行取舍）",
        "tie": tie,
        "grade": grade + "；触发一票否决的单位直接定为否决项规定的等次",
    }


# --- Scoring --------------------------------------------------------------------------------
