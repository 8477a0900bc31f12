"""模拟测算: a draft version scored beside the version in use, with hand-worked numbers.

The fixture `sim_versions` (conftest.py) has five cities at June 2018 (time progress 6/12 = 50%).
Version 1 (in use): 实际利用外资 completion ×20 (cap 120%), 出口额 completion ×40, 督办任务 ×40.
Version 2 (draft):  实际利用外资 ×30, 出口额 ×30, 报送质量 ×40 (督办任务 dropped).
No task is due and no round was to be reported, so 督办任务 and 报送质量 score 100% of their
weight by their rule texts ("无到期任务按100%计", "无应报任务按100%计"): 40 points each.

                 利用外资 ratio  v1 ×20  v2 ×30 | 出口额 ratio  v1 ×40  v2 ×30 | v1 total  v2 total
沈阳 210100  600/1000÷50%=120%  24.00  36.00 | 500/2000÷50%=50%   20.00  15.00 | 84.00     91.00
大连 210200  300/1000÷50%=60%   12.00  18.00 | 1000/2000÷50%=100% 40.00  30.00 | 92.00     88.00
鞍山 210300  360/800÷50%=90%    18.00  27.00 | 675/1500÷50%=90%   36.00  27.00 | 94.00     94.00
抚顺 210400  100/500÷50%=40%     8.00  12.00 | 250/1000÷50%=50%   20.00  15.00 | 68.00     67.00
本溪 210500  700/1000÷50%=140%→120% (cap) 24.00 36.00 | 400/1000÷50%=80% 32.00 24.00 | 96.00 100.00

v1 ranking: 本溪 96 (1), 鞍山 94 (2), 大连 92 (3), 沈阳 84 (4), 抚顺 68 (5)
v2 ranking: 本溪 100 (1), 鞍山 94 (2), 沈阳 91 (3), 大连 88 (4), 抚顺 67 (5)
Grades (≥90 优秀, ≥80 良好, ≥60 一般): 沈阳 良好 → 优秀, 大连 优秀 → 良好, the others unchanged.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from kaifang.assessment.models import AssessmentScheme, AssessmentSnapshot
from kaifang.assessment.simulation import simulate
from kaifang.assessment.tests.conftest import JUNE
from kaifang.audit.models import AuditEvent

# code: (v1 total, rank, grade), (v2 total, rank, grade), worked out in the module docstring
EXPECTED = {
    "210500": (("96.00", 1, "优秀"), ("100.00", 1, "优秀")),
    "210300": (("94.00", 2, "优秀"), ("94.00", 2, "优秀")),
    "210100": (("84.00", 4, "良好"), ("91.00", 3, "优秀")),
    "210200": (("92.00", 3, "优秀"), ("88.00", 4, "良好")),
    "210400": (("68.00", 5, "一般"), ("67.00", 5, "一般")),
}


def _side(row):
    return (row["total"], row["rank"], row["grade"])


def test_every_unit_is_scored_under_both_versions_with_hand_worked_totals_ranks_and_grades(sim_versions, province):
    result = simulate(actor=province, scheme=sim_versions[1], period=JUNE)
    assert (result.base.number, result.candidate.number) == (1, 2)
    # listed in the draft's ranking order
    assert [u.code for u in result.units] == ["210500", "210300", "210100", "210200", "210400"]
    assert {u.code: (_side(u.base), _side(u.candidate)) for u in result.units} == EXPECTED
    deltas = {u.code: (u.total_delta, u.rank_delta) for u in result.units}
    # 91−84 = +7 and up one place; 88−92 = −4 and down one; 94−94 = 0; 67−68 = −1; 100−96 = +4
    assert deltas == {
        "210100": (D("7.00"), 1),
        "210200": (D("-4.00"), -1),
        "210300": (D("0.00"), 0),
        "210400": (D("-1.00"), 0),
        "210500": (D("4.00"), 0),
    }
    for unit in result.units:
        for side in (unit.base, unit.candidate):
            assert D(side["total"]) == sum(D(i["points"]) for i in side["items"])


def test_only_the_units_whose_rank_or_grade_changes_are_flagged(sim_versions, province):
    result = simulate(actor=province, scheme=sim_versions[1], period=JUNE)
    assert [(u.code, u.rank_changed, u.grade_changed) for u in result.flagged] == [
        ("210100", True, True),  # 4th 良好 → 3rd 优秀
        ("210200", True, True),  # 3rd 优秀 → 4th 良好
    ]
    anshan = next(u for u in result.units if u.code == "210300")
    assert not anshan.flagged and anshan.total_delta == 0  # same total and place, though its items moved


def test_each_item_shows_its_points_and_arithmetic_under_both_versions(sim_versions, province):
    result = simulate(actor=province, scheme=sim_versions[1], period=JUNE)
    benxi = next(u for u in result.units if u.code == "210500")
    items = {i.code: i for i in benxi.items}
    assert [i.code for i in benxi.items] == ["fdi", "exp", "rpt", "tasks"]  # the draft's order, then dropped items
    fdi = items["fdi"]
    # 700/1000 = 70% ÷ 50% = 140%, capped at 120%: ×20 = 24.00 under v1, ×30 = 36.00 under v2
    assert (fdi.base["points"], fdi.candidate["points"], fdi.delta) == ("24.00", "36.00", D("12.00"))
    assert fdi.base["detail"].endswith("（已封顶）；×20=24.00")
    assert fdi.candidate["detail"].endswith("（已封顶）；×30=36.00")
    assert "×30分" in fdi.candidate["formula"] and "×20分" in fdi.base["formula"]
    assert {"type": "value", "indicator": "T_FDI", "unit": "210500"}.items() <= fdi.candidate["sources"][0].items()
    # 400/1000 = 40% ÷ 50% = 80%: ×40 = 32.00 → ×30 = 24.00
    assert (items["exp"].base["points"], items["exp"].candidate["points"], items["exp"].delta) == (
        "32.00",
        "24.00",
        D("-8.00"),
    )
    assert (items["rpt"].only_in, items["rpt"].base, items["rpt"].candidate["points"]) == ("candidate", None, "40.00")
    assert (items["tasks"].only_in, items["tasks"].candidate, items["tasks"].base["points"]) == ("base", None, "40.00")
    assert all(i.changed for i in benxi.items)


def test_a_simulation_publishes_nothing_changes_no_scheme_and_writes_one_audit_event(sim_versions, province):
    v2 = sim_versions[1]
    states = list(AssessmentScheme.objects.filter(code="KH-SIM").values_list("number", "status", "version"))
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    simulate(actor=province, scheme=v2, period=JUNE)
    assert not AssessmentSnapshot.objects.exists()
    assert list(AssessmentScheme.objects.filter(code="KH-SIM").values_list("number", "status", "version")) == states
    assert states == [(2, "draft", 1), (1, "active", 2)]
    event = AuditEvent.objects.get(id__gt=last)
    assert (event.action, event.actor_username) == ("assessment.scheme.simulate", "province")
    assert event.object_id == str(v2.pk)
    assert event.after == {
        "scheme": "KH-SIM",
        "base": 1,
        "candidate": 2,
        "period": "2018-06",
        "units": 5,
        "flagged_units": 2,
    }


@pytest.mark.parametrize("persona", ["shenyang", "hunnan", "dalian", "leader"])
def test_only_province_admins_and_supervisors_may_simulate(sim_versions, personas, persona):
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    with pytest.raises(PermissionDenied):
        simulate(actor=personas[persona], scheme=sim_versions[1], period=JUNE)
    assert not AuditEvent.objects.filter(id__gt=last, action="assessment.scheme.simulate").exists()
    simulate(actor=personas["admin"], scheme=sim_versions[1], period=JUNE)  # the province admin may


def test_any_two_versions_compare_and_a_version_needs_another_to_compare_with(sim_versions, province):
    v1, v2 = sim_versions
    reverse = simulate(actor=province, scheme=v1, period=JUNE, base=v2)
    shenyang = next(u for u in reverse.units if u.code == "210100")
    assert (shenyang.base["total"], shenyang.candidate["total"], shenyang.total_delta) == ("91.00", "84.00", D("-7.00"))
    with pytest.raises(ValidationError, match="没有可对比的其他版本"):
        simulate(actor=province, scheme=v1, period=JUNE)  # the version in use, replacing none
    with pytest.raises(ValidationError, match="另一个版本"):
        simulate(actor=province, scheme=v2, period=JUNE, base=v2)


def test_the_period_must_lie_in_the_schemes_year(sim_versions, province):
    with pytest.raises(ValidationError, match="2018年内"):
        simulate(actor=province, scheme=sim_versions[1], period=datetime.date(2017, 6, 1))


def test_after_activation_the_new_version_is_compared_with_the_one_it_replaced(sim_versions, province):
    from kaifang.assessment.services import activate_scheme

    v2 = activate_scheme(actor=province, scheme=sim_versions[1])
    result = simulate(actor=province, scheme=v2, period=JUNE)
    assert (result.base.number, result.base.status, result.candidate.number) == (1, "retired", 2)


# --- kaifang simulate_scheme ------------------------------------------------------------------------


def run(*args):
    out = io.StringIO()
    call_command("simulate_scheme", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_a_summary_line_and_the_changed_units(sim_versions):
    lines = run("KH-SIM", "2", "--period", "2018-06").splitlines()
    assert lines[0].startswith("模拟测算（不发布、不生效）五市考核")
    assert "第2版对比第1版，5 个单位，2 个单位名次或等次有变化" in lines[0]
    assert lines[1:] == [
        "  210100 沈阳市：84.00 第4名 良好 → 91.00 第3名 优秀（上升1位）",
        "  210200 大连市：92.00 第3名 优秀 → 88.00 第4名 良好（下降1位）",
    ]
    assert not AssessmentSnapshot.objects.exists()
    assert AuditEvent.objects.filter(action="assessment.scheme.simulate", channel="cli").count() == 1


def test_the_command_names_a_missing_version_or_a_bad_period(sim_versions):
    with pytest.raises(CommandError, match="没有考核方案 KH-SIM 第9版"):
        run("KH-SIM", "9", "--period", "2018-06")
    with pytest.raises(CommandError, match="2018年内"):
        run("KH-SIM", "2", "--period", "2017-06")
    with pytest.raises(CommandError):
        run("KH-SIM", "2", "--period", "June")
