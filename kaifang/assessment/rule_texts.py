"""The scoring rules in the reader's language, from the same parameters the engine scores with.

Chinese is the engine's own text (`engine.describe`, `engine.missing_rule_text`, `engine.rules_text`),
which published results and documents keep. In English the same parameters are read here, kind by
kind, so a rule's numbers can never differ between the two: a change of a parameter changes both,
and `tests/test_rule_texts.py` checks every kind's numbers appear in both renderings.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import get_language

from kaifang.assessment import engine
from kaifang.assessment.engine.schemes import (
    COMPLETION,
    EFFICACY,
    GROWTH,
    MANUAL,
    MISSING_EXCLUDE,
    OWN,
    RANKING,
    REPORTING,
    STEP,
    TASKS,
    THRESHOLD,
    dec,
    fmt,
    pct,
    r2,
    share_cutoffs,
)
from kaifang.core.catalogue_words import catalogue_name

PROGRESS = "completion = cumulative ÷ annual target; time progress = months ÷ 12 (100% for a stock indicator)"
GRADES = {"优秀": "Excellent", "良好": "Good", "一般": "Fair", "较差": "Poor"}


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def in_english() -> bool:
    return (get_language() or "").startswith("en")


def formula(item: Any) -> str:
    """An item's formula (as shown beside every score)."""
    return sentence(describe_en(item)) if in_english() else engine.describe(item)


def missing(item: Any) -> str:
    """How an item counts when its figure is missing."""
    return sentence(missing_en(item)) if in_english() else engine.missing_rule_text(item)


def missing_en(item: Any) -> str:
    if item.missing == MISSING_EXCLUDE:
        return (
            "with no figure the item is left out and the other weighted items' points are scaled by "
            "total weight ÷ their weights (bonus/penalty and veto items are not scaled)"
        )
    return 'with no figure the item scores 0 and is flagged "No figure"'


def describe_en(item: Any) -> str:
    w = fmt(item.weight)
    p = item.param
    if item.kind == COMPLETION:
        cap = item.dparam("cap")
        return (
            f"completion ÷ time progress × {w} points, counted up to {pct(cap, 0)} (at most "
            f"{fmt(r2(item.weight * cap))} points), not below 0; {PROGRESS}"
        )
    if item.kind == STEP:
        return (
            f"{w} points for reaching time progress; +{p('up_points')} for every {p('up_step')} percentage points "
            f"above it (at most +{p('max_up')}), −{p('down_points')} for every {p('down_step')} points below it "
            f"(at most −{p('max_down')}), whole steps only, not below 0; points above or below = "
            f"(completion − time progress) × 100; {PROGRESS}"
        )
    if item.kind == RANKING:
        order = "highest first" if p("direction") == "higher" else "lowest first"
        if item.params.get("points"):
            pts = ", ".join(f"rank {n}: {v}" for n, v in enumerate(item.params["points"], start=1))
            rule = f"{pts}, then {fmt(dec(p('rest') or 0))}"
        else:
            rule = f"rank 1: {w} points, {p('step')} less for each rank below, at least {p('floor')}"
        return f"ranked in the group by value, {order}: {rule}; equal values share a rank"
    if item.kind == GROWTH:
        tg = item.dparam("target_growth")
        basis = "same period last year" if tg == 0 else f"same period last year × (1 + target growth {pct(tg, 1)})"
        return (
            f"(1 + growth) ÷ (1 + target growth {pct(tg, 1)}) × {w} points, counted up to "
            f"{pct(item.dparam('cap'), 0)}, i.e. cumulative ÷ {basis}; growth = (cumulative this year − "
            "same period last year) ÷ same period last year; not comparable when last year is 0, negative or missing"
        )
    if item.kind == THRESHOLD:
        target = "annual target × time progress" if p("basis") == "target" else fmt(dec(p("threshold")))
        return f"{w} points for reaching {target}, otherwise {fmt(item.dparam('else_points'))}"
    if item.kind == EFFICACY:
        x = "(x − min) ÷ (max − min)" if p("direction") == "higher" else "(max − x) ÷ (max − min)"
        return f"efficacy = 60 + 40 × {x}; points = efficacy ÷ 100 × {w}; equal values all get efficacy 100"
    if item.kind == TASKS:
        return (
            f"on-time completion rate × {w} points; −{p('per_overdue')} per overdue task, −{p('per_urge')} per "
            f"urging, −{p('per_notice')} per supervision notice, −{p('per_failed')} per failed review; not below 0; "
            "on-time rate = tasks closed on time ÷ tasks due (tasks the unit leads, issued, with a deadline "
            "from 1 January to the period's end and not after today); no tasks due counts as 100%; "
            + extension_en(item.dparam("per_extension"))
        )
    if item.kind == REPORTING:
        late = f", −{p('per_late')} per late report" if item.dparam("per_late") else ""
        whose = "the unit" if str(p("answers_for")) == OWN else "the unit and the units it approves"
        return (
            f"on-time reporting rate × {w} points; −{p('per_returned')} per return{late}; not below 0; "
            f"on-time rate = reports on time ÷ reports due from {whose} in rounds whose deadline and grace "
            "period have passed this year (a report within the grace period is on time); none due counts as 100%"
        )
    if item.kind == MANUAL:
        return f"approved bonus and penalty items: at most +{p('max_bonus')} and at most −{p('max_penalty')} points"
    return f'if it occurs the grade is "{GRADES.get(str(p("grade")), p("grade"))}" whatever the score'


def extension_en(per_extension: Decimal) -> str:
    text = "the deadline is the one after approved extensions"
    if per_extension > 0:
        return f"{text}; −{fmt(per_extension)} per approved extension of a task due"
    return f"{text}; extensions cost nothing"


def rules(scheme: Any, count: int | None = None) -> dict[str, str]:
    """The scheme-wide rules (rounding, ties, grades) in the reader's language."""
    return rules_en(scheme, count) if in_english() else engine.rules_text(scheme, count)


def rules_en(scheme: Any, count: int | None = None) -> dict[str, str]:
    if scheme.tie_rule == "shared":
        tie = "Equal totals share a rank and the next rank is skipped (1, 1, 3)"
    else:
        code = scheme.tie_rule.removeprefix("item:")
        name = next(i.name for i in scheme.items if i.code == code)
        tie = (
            f'Equal totals are ordered by the points of "{catalogue_name(name)}"; '
            "still equal, they share a rank (1, 1, 3)"
        )
    grading = scheme.grading
    if grading["mode"] == "thresholds":
        bands = "; ".join(f"{fmt(dec(s))} points or more: {GRADES.get(str(g), g)}" for s, g in grading["bands"])
        grade = f"{bands}; otherwise Poor"
    else:
        cutoffs = share_cutoffs(grading["bands"], count) if count else []
        parts, cumulative = [], Decimal(0)
        for index, (share, g) in enumerate(grading["bands"]):
            cumulative += dec(share)
            where = f"the first {pct(cumulative, 0)}" if index == 0 else f"the next ranks up to {pct(cumulative, 0)}"
            if cutoffs:
                where += f" (ranks 1–{cutoffs[index][0]})"
            parts.append(f"{where}: {GRADES.get(str(g), g)}")
        grade = "; ".join(parts) + "; otherwise Poor; shares of the group are rounded up; tied units share a grade"
    return {
        "rounding": "Each item's points are rounded to 2 decimal places; the total is their sum",
        "tie": tie,
        "grade": sentence(grade) + "; a unit that triggers a veto item gets the grade that item sets",
    }
