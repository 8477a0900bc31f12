"""The scoring engine's rules one by one: ties and tie-breaks, grade shares, efficacy and growth,
parameter checks, no floats, step items (hand-worked numbers, as a person applies the rule text)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from kaifang.assessment import engine as e
from kaifang.assessment.tests.test_engine import tasks


def completion_only(values, tie_rule="shared", grading=None):
    scheme = e.Scheme(
        "TIE",
        "并列",
        (
            e.Item("x", "完成率", e.COMPLETION, D(90)),
            e.Item("t", "任务", e.TASKS, D(10)),
        ),
        tie_rule=tie_rule,
        **({"grading": grading} if grading else {}),
    )
    units = [
        e.UnitData(
            code,
            code,
            {"x": {"actual": actual, "target": "100", "time_progress": "1"}, "t": tasks(2, on_time)},
        )
        for code, actual, on_time in values
    ]
    return e.score(scheme, units)


def test_equal_totals_share_a_rank_and_the_next_rank_skips():
    # P and Q: 90 × 90% + 10 × 2/2 = 91; R: 90 × 80% + 10 = 82; S: 90 + 10 = 100.
    outcome = completion_only([("P", "90", 2), ("Q", "90", 2), ("R", "80", 2), ("S", "100", 2)])
    assert [(u.code, u.total, u.rank) for u in outcome.units] == [
        ("S", D("100.00"), 1),
        ("P", D("91.00"), 2),
        ("Q", D("91.00"), 2),
        ("R", D("82.00"), 4),
    ]


def test_a_named_tie_break_item_puts_the_better_item_score_first():
    scheme = e.Scheme(
        "TB",
        "并列",
        (e.Item("x", "完成率", e.COMPLETION, D(50)), e.Item("t", "任务", e.TASKS, D(50))),
        tie_rule="item:t",
    )

    def u(code, actual, on_time):
        data = {"x": {"actual": actual, "target": "100", "time_progress": "1"}, "t": tasks(2, on_time)}
        return e.UnitData(code, code, data)

    # P: 50 × 100% + 50 × 1/2 = 75; Q: 50 × 50% + 50 × 2/2 = 75; R equals P on both → shares its rank.
    outcome = e.score(scheme, [u("P", "100", 1), u("Q", "50", 2), u("R", "100", 1)])
    assert [(x.code, x.total, x.rank) for x in outcome.units] == [
        ("Q", D("75.00"), 1),
        ("P", D("75.00"), 2),
        ("R", D("75.00"), 2),
    ]
    assert "按“任务”得分高者在前" in outcome.rules["tie"]
    # Each unit whose place the tie rule decided says so; an untied unit carries no such flag.
    assert all("同分按“任务”排序" in x.flags for x in outcome.units)
    alone = e.score(scheme, [u("P", "100", 1), u("Q", "50", 1)])  # 75 and 50: nothing to break
    assert not any("同分按“任务”排序" in x.flags for x in alone.units)


def test_grades_by_rank_shares_count_ranks_against_the_group_size():
    grading = {"mode": "shares", "bands": [["0.25", "优秀"], ["0.25", "良好"], ["0.25", "一般"]]}
    outcome = completion_only([("P", "90", 2), ("Q", "90", 2), ("R", "80", 2), ("S", "70", 2)], grading=grading)
    # Ranks 1, 1, 3, 4 of 4: 优秀 up to rank 1, 良好 up to 2, 一般 up to 3.
    assert [(u.code, u.rank, u.grade) for u in outcome.units] == [
        ("P", 1, "优秀"),
        ("Q", 1, "优秀"),
        ("R", 3, "一般"),
        ("S", 4, "较差"),
    ]


def test_efficacy_coefficient_is_100_for_everyone_when_all_values_are_equal():
    scheme = e.Scheme("EF", "功效", (e.Item("v", "内资", e.EFFICACY, D(10)),))
    outcome = e.score(scheme, [e.UnitData(c, c, {"v": {"value": "5"}}) for c in "XYZ"])
    assert {u.total for u in outcome.units} == {D("10.00")}
    assert "功效系数均为100" in outcome.units[0].item("v").formula


def test_growth_against_last_year_alone_is_current_over_base():
    scheme = e.Scheme("G", "增速", (e.Item("g", "进出口", e.GROWTH, D(10)),))
    outcome = e.score(scheme, [e.UnitData("x", "x", {"g": {"current": "125", "base": "100"}})])
    assert outcome.units[0].total == D("12.00")  # +25% → 125% capped at 120%


@pytest.mark.parametrize(
    ("kind", "params", "weight", "message"),
    [
        ("nonsense", {}, D(10), "未知的考核项类型"),
        (e.COMPLETION, {"speed": "1"}, D(10), "不支持参数"),
        (e.COMPLETION, {"cap": "-1"}, D(10), "不能为负数"),
        (e.THRESHOLD, {}, D(10), "门槛值"),
        (e.MANUAL, {}, D(5), "不占权重"),
        (e.VETO, {"grade": "很差"}, D(0), "否决后的等次"),
        (e.TASKS, {}, D(0), "权重应大于0"),
    ],
)
def test_bad_item_parameters_are_refused_with_a_chinese_message(kind, params, weight, message):
    with pytest.raises(e.SchemeError, match=message):
        e.validate_params(kind, params, weight=weight)


def test_floats_never_enter_the_arithmetic():
    with pytest.raises(TypeError):
        e.dec(0.1)


STEP = e.Item(
    "cbec",
    "跨境电商交易额",
    e.STEP,
    D(5),
    {"up_step": "10", "up_points": "1", "max_up": "2", "down_step": "5", "down_points": "1", "max_down": "3"},
)


def _step_points(actual, target, time_progress):
    outcome = e.score(
        e.Scheme("S", "步进", (STEP,)),
        [e.UnitData("u", "单位", {"cbec": {"actual": actual, "target": target, "time_progress": time_progress}})],
    )
    return outcome.units[0].items[0]


@pytest.mark.parametrize(
    ("actual", "target", "progress", "expected"),
    [
        # June (time progress 6/12 = 50%): 600/1000 = 60% is 60 − 50 = 10 points above: one step, +1.
        # The old rule counted (60% ÷ 50% − 1) × 100 = 20 "points", two steps: +2.
        ("600", "1000", "0.5", "6.00"),
        # 440/1000 = 44%: 50 − 44 = 6 points below: one step of 5, −1 (old rule: 12 "points", two steps).
        ("440", "1000", "0.5", "4.00"),
        # March (25%): 300/1000 = 30%: 5 points above, under one step of 10: +0 (old rule: 20 → +2).
        ("300", "1000", "0.25", "5.00"),
        # 150/1000 = 15%: 10 points below: two steps of 5, −2 (old rule: 40 → 8 steps, capped −3).
        ("150", "1000", "0.25", "3.00"),
        # Year end: 1,250/1,000 = 125%: 25 points above: two steps, +2 (the cap).
        ("1250", "1000", "1", "7.00"),
        # Exactly at time progress: 500/1000 at 50%: 0 points, the weight.
        ("500", "1000", "0.5", "5.00"),
    ],
)
def test_step_items_count_percentage_points_as_completion_minus_time_progress(actual, target, progress, expected):
    assert _step_points(actual, target, progress).points == D(expected)


def test_step_rule_text_is_what_a_person_applies():
    """Read the generated rule text as a clerk would and apply it to random cases: same points."""
    from hypothesis import given
    from hypothesis import strategies as st

    text = e.describe(STEP)
    assert "完成率每超过时序进度10个百分点加1分（最多加2分）" in text
    assert "每低于时序进度5个百分点扣1分（最多扣3分）" in text
    assert "按整档计、不足一档不计，不低于0分" in text

    @given(
        actual=st.integers(min_value=0, max_value=3000),
        target=st.integers(min_value=1, max_value=3000),
        month=st.integers(min_value=1, max_value=12),
    )
    def check(actual, target, month):
        progress = D(month) / D(12)
        points_vs_progress = (D(actual) / D(target) - progress) * 100  # (完成率−时序进度)×100
        if points_vs_progress >= 0:
            change = min(int(points_vs_progress // 10) * 1, 2)
        else:
            change = -min(int(-points_vs_progress // 5) * 1, 3)
        expected = max(D(5) + change, D(0)).quantize(D("0.01"))
        assert _step_points(str(actual), str(target), progress).points == expected

    check()


def test_grade_shares_round_up_as_the_rule_text_says():
    # 14 units, distinct totals. 20% of 14 = 2.8 → 3 优秀; 50% = 7 → ranks 4-7 良好;
    # 80% = 11.2 → 12 → ranks 8-12 一般; ranks 13-14 较差.
    scheme = e.Scheme(
        "G",
        "等次",
        tuple(e.Item(f"i{n}", f"项{n}", e.THRESHOLD, D(1), {"threshold": str(n)}) for n in range(1, 15)),
        grading={"mode": "shares", "bands": [["0.2", "优秀"], ["0.3", "良好"], ["0.3", "一般"]]},
    )
    units = [
        e.UnitData(f"U{n:02d}", f"单位{n}", {f"i{k}": {"value": str(15 - n)} for k in range(1, 15)})
        for n in range(1, 15)
    ]
    outcome = e.score(scheme, units)
    grades = [u.grade for u in sorted(outcome.units, key=lambda u: u.rank)]
    assert grades == ["优秀"] * 3 + ["良好"] * 4 + ["一般"] * 5 + ["较差"] * 2
    assert outcome.rules["grade"].startswith(
        "名次在前20%（14×20%=2.8，向上取整为3，即第3名及以前）为优秀；"
        "其后至累计50%（14×50%=7，即第7名及以前）为良好；"
        "其后至累计80%（14×80%=11.2，向上取整为12，即第12名及以前）为一般；其余为较差；"
        "名次比例按单位数×比例向上取整；名次并列的单位等次相同"
    )


def test_units_tied_at_a_band_boundary_share_the_better_grade():
    # Totals 14, 13, 12, 12, 10 … : ranks 1, 2, 3, 3, 5 …; both units ranked 3rd are within "第3名及以前".
    scheme = e.Scheme(
        "G",
        "等次",
        (e.Item("x", "得分", e.RANKING, D(100), {"step": "1", "floor": "0"}),),
        grading={"mode": "shares", "bands": [["0.2", "优秀"], ["0.3", "良好"], ["0.3", "一般"]]},
    )
    values = [14, 13, 12, 12, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    units = [e.UnitData(f"U{n:02d}", f"单位{n}", {"x": {"value": str(v)}}) for n, v in enumerate(values, 1)]
    outcome = e.score(scheme, units)
    by_code = {u.code: (u.rank, u.grade) for u in outcome.units}
    assert by_code["U03"] == (3, "优秀") and by_code["U04"] == (3, "优秀")
    assert by_code["U05"] == (5, "良好")
