"""The scoring engine on hand-worked numbers (every figure below was worked out on paper first)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from kaifang.assessment import engine as e

ALL_KINDS_SCHEME = e.Scheme(
    code="T-2018",
    name="四单位手算方案",
    items=(
        e.Item("fdi", "实际利用外资完成率", e.COMPLETION, D(20), {"cap": "1.2"}, indicator="FDI"),
        e.Item(
            "trade",
            "进出口超欠加减分",
            e.STEP,
            D(10),
            {"up_step": "10", "up_points": "1", "max_up": "3", "down_step": "5", "down_points": "1", "max_down": "5"},
        ),
        e.Item("growth", "进出口增速", e.GROWTH, D(10), {"target_growth": "0.1", "cap": "1.2"}, missing="exclude"),
        e.Item("fie", "新设外资企业达标", e.THRESHOLD, D(10), {"threshold": "20"}),
        e.Item("domestic", "引进内资功效系数", e.EFFICACY, D(10)),
        e.Item("projects", "签约项目排名", e.RANKING, D(10), {"step": "2", "floor": "0"}),
        e.Item("tasks", "督办任务", e.TASKS, D(20)),
        e.Item("reporting", "报送质量", e.REPORTING, D(10)),
        e.Item("manual", "加减分", e.MANUAL, D(0), {"max_bonus": "3", "max_penalty": "2"}),
        e.Item("veto", "安全生产一票否决", e.VETO, D(0), {"grade": "较差"}),
    ),
)


def tasks(due, on_time, overdue=0, urged=0, notices=0, failed=0, ids=()):
    return {
        "due": due,
        "closed_on_time": on_time,
        "overdue": overdue,
        "urged": urged,
        "notices": notices,
        "failed": failed,
        "sources": [{"type": "task", "id": i} for i in ids],
    }


def unit(code, *, fdi, trade, growth, fie, domestic, projects, task, report, manual=(), veto=None):
    return e.UnitData(
        code,
        f"单位{code}",
        {
            "fdi": {
                "actual": fdi[0],
                "target": fdi[1],
                "time_progress": "0.5",
                "sources": [{"type": "value", "indicator": "FDI", "unit": code, "period": "2018-06"}],
            },
            "trade": {"actual": trade[0], "target": trade[1], "time_progress": "0.5"},
            "growth": {"current": growth[0], "base": growth[1]},
            "fie": {"value": fie},
            "domestic": {"value": domestic},
            "projects": {"value": projects},
            "tasks": task,
            "reporting": {"required": report[0], "on_time": report[1], "returned": report[2]},
            "manual": {"entries": [{"id": n, "points": p, "reason": f"事项{n}"} for n, p in enumerate(manual, 1)]},
            "veto": veto or {},
        },
    )


FOUR_UNITS = [
    unit(
        "A",
        fdi=("700", "1000"),
        trade=("280", "500"),
        growth=("110", "100"),
        fie="25",
        domestic="50",
        projects="8",
        task=tasks(4, 4, ids=(11, 12)),
        report=(6, 6, 0),
        manual=("2",),
    ),
    unit(
        "B",
        fdi=("450", "1000"),
        trade=("230", "500"),
        growth=("132", "100"),
        fie="20",
        domestic="30",
        projects="8",
        task=tasks(5, 4, overdue=1, urged=2),
        report=(6, 5, 1),
        veto={"triggered": True, "reason": "发生较大安全生产事故"},
    ),
    unit(
        "C",
        fdi=("500", "1200"),
        trade=("100", "500"),
        growth=("99", "110"),
        fie="19",
        domestic="10",
        projects="5",
        task=tasks(0, 0, urged=1),
        report=(6, 6, 2),
        manual=("2", "2"),
    ),
    unit(
        "D",
        fdi=(None, "1000"),  # the June figure was never reported
        trade=("400", "500"),
        growth=("50", "0"),  # last year's base is 0: not comparable, item excluded and re-weighted
        fie="30",
        domestic="90",
        projects="3",
        task=tasks(3, 1, overdue=2, urged=3, notices=1, failed=1),
        report=(6, 3, 0),
        manual=("-1",),
    ),
]


def points(outcome, code):
    return {i.code: i.points for i in outcome.unit(code).items}


@pytest.fixture(scope="module")
def outcome():
    return e.score(ALL_KINDS_SCHEME, FOUR_UNITS)


def test_unit_a_is_capped_at_120_percent_and_earns_its_bonus(outcome):
    assert points(outcome, "A") == {
        "fdi": D("24.00"),  # 700/1000 = 70% ÷ 50% = 140% → capped at 120% → 20 × 1.2
        "trade": D("10.00"),  # 280/500 = 56%, time progress 50%: 56 − 50 = 6 points above, under one step of 10 → +0
        "growth": D("10.00"),  # +10% against a +10% target → 1.1/1.1 × 10
        "fie": D("10.00"),  # 25 ≥ 20
        "domestic": D("8.00"),  # 60 + 40 × (50−10)/(90−10) = 80 → 80/100 × 10
        "projects": D("10.00"),  # 8 projects, first (shared with B)
        "tasks": D("20.00"),  # 4 of 4 closed on time
        "reporting": D("10.00"),
        "manual": D("2.00"),
        "veto": D("0.00"),
    }
    a = outcome.unit("A")
    assert a.total == D("104.00")  # 24 + 10 + 10 + 10 + 8 + 10 + 20 + 10 + 2
    assert "封顶" in a.item("fdi").flags
    assert a.item("fdi").sources == [{"type": "value", "indicator": "FDI", "unit": "A", "period": "2018-06"}]
    assert a.item("tasks").sources == [{"type": "task", "id": 11}, {"type": "task", "id": 12}]


def test_unit_b_scores_89_43_but_its_veto_sets_the_grade(outcome):
    assert points(outcome, "B") == {
        "fdi": D("18.00"),  # 45% ÷ 50% = 90% × 20
        "trade": D("10.00"),  # 230/500 = 46%: 50 − 46 = 4 points below, under one step of 5 → −0
        "growth": D("12.00"),  # +32%: 1.32/1.1 = 120% exactly the cap
        "fie": D("10.00"),  # 20 ≥ 20 (the threshold itself is met)
        "domestic": D("7.00"),  # 60 + 40 × 20/80 = 70
        "projects": D("10.00"),  # tie with A on 8 projects: both first
        "tasks": D("14.60"),  # 20 × 4/5 − 1 overdue − 2 urges × 0.2
        "reporting": D("7.83"),  # 10 × 5/6 − 1 returned × 0.5 = 7.8333
        "manual": D("0.00"),
        "veto": D("0.00"),
    }
    b = outcome.unit("B")
    assert b.total == D("89.43")  # 18 + 10 + 12 + 10 + 7 + 10 + 14.6 + 7.83
    assert b.rank == 2
    assert b.vetoed and b.grade == "较差"  # 89.43 would be 良好


def test_unit_c_is_floored_by_its_step_penalty_cap_and_capped_on_bonus(outcome):
    assert points(outcome, "C") == {
        "fdi": D("16.67"),  # 500/1200 = 41.67% ÷ 50% = 83.33% × 20 = 16.667
        "trade": D("5.00"),  # 100/500 = 20%: 50 − 20 = 30 points below → 6 steps of 5, penalty capped at 5
        "growth": D("8.18"),  # −10%: 0.9/1.1 × 10 = 8.1818
        "fie": D("0.00"),  # 19 < 20
        "domestic": D("6.00"),  # the minimum → 60
        "projects": D("6.00"),  # third (ranks 1, 1, 3) → 10 − 2 × 2
        "tasks": D("19.80"),  # no task due → 100%, one urge −0.2
        "reporting": D("9.00"),  # 6/6, two returns −1
        "manual": D("3.00"),  # 2 + 2 = 4, bonus cap 3
        "veto": D("0.00"),
    }
    c = outcome.unit("C")
    assert c.total == D("73.65")
    assert c.grade == "一般"
    assert "已达上限" in c.item("manual").flags


def test_unit_d_shows_its_missing_figure_and_is_reweighted_for_the_excluded_item(outcome):
    d = outcome.unit("D")
    fdi, growth = d.item("fdi"), d.item("growth")
    assert fdi.missing and fdi.points == D("0.00") and "缺数" in fdi.flags and not fdi.excluded
    assert growth.missing and growth.excluded and "不可比" in growth.flags
    # Growth (weight 10) is excluded, so the other weighted items are scaled by 100/90.
    assert points(outcome, "D") == {
        "fdi": D("0.00"),  # missing, rule "zero": not scaled
        "trade": D("14.44"),  # 400/500 = 80%: 80 − 50 = 30 above → 3 steps of 10 → +3 (cap 3) → 13 × 100/90
        "growth": D("0.00"),
        "fie": D("11.11"),  # 10 × 100/90
        "domestic": D("11.11"),  # the maximum → 100 → 10 × 100/90
        "projects": D("4.44"),  # fourth → 10 − 3 × 2 = 4 × 100/90
        "tasks": D("2.85"),  # 20 × 1/3 − 2 − 0.6 − 0.5 − 1 = 2.5667 × 100/90
        "reporting": D("5.56"),  # 10 × 3/6 = 5 × 100/90
        "manual": D("-1.00"),  # a penalty is never re-weighted
        "veto": D("0.00"),
    }
    assert d.total == D("48.51")
    assert d.rank == 4 and d.grade == "较差"
    assert "折算" in d.item("trade").detail


def test_totals_are_the_sum_of_rounded_items_and_ranks_follow_totals(outcome):
    for u in outcome.units:
        assert u.total == sum(i.points for i in u.items)
    assert [(u.code, u.rank, u.grade) for u in outcome.units] == [
        ("A", 1, "优秀"),
        ("B", 2, "较差"),
        ("C", 3, "一般"),
        ("D", 4, "较差"),
    ]


def test_every_item_explains_itself_in_plain_chinese(outcome):
    a = outcome.unit("A")
    assert a.item("fdi").formula.startswith("完成率÷时序进度×20分，最高按120%计")
    assert "700÷1000=70.00%" in a.item("fdi").detail
    assert "功效系数" in a.item("domestic").formula
    assert "完成率每超过时序进度10个百分点加1分" in a.item("trade").formula
    assert "超过或低于的百分点数=(完成率−时序进度)×100" in a.item("trade").formula
    assert a.item("trade").detail == (
        "完成率280÷500=56.00%，时序进度50.00%；超过时序进度6个百分点，0档，加0分；10+0=10.00"
    )
    assert "缺数时本项不计" in a.item("growth").formula
    assert outcome.rules["tie"].startswith("总分相同名次并列")
    d = outcome.to_dict()
    assert d["units"][0]["items"][0]["points"] == "24.00"


def test_the_design_worked_example_scores_17_78_mid_year_and_21_00_at_year_end():
    scheme = e.Scheme("W", "示例", (e.Item("x", "出口额", e.COMPLETION, D(20), {"cap": "1.2"}),))
    march = e.score(
        scheme, [e.UnitData("c", "县", {"x": {"actual": "400", "target": "1800", "time_progress": "0.25"}})]
    )
    assert march.units[0].total == D("17.78")
    year_end = e.score(
        scheme, [e.UnitData("c", "县", {"x": {"actual": "1890", "target": "1800", "time_progress": "1"}})]
    )
    assert year_end.units[0].total == D("21.00")
