"""Talent breakdowns and the pipeline board, hand-worked."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from kaifang.core.actors import SystemActor
from kaifang.ledgers.selectors import pipeline, talent_breakdowns
from kaifang.ledgers.services.talents import TalentInput, create_talent
from kaifang.ledgers.tests.conftest import move, new_project, unit

pytestmark = pytest.mark.django_db


def talent(name: str, day: str, kind: str = "person", n: int = 1, code: str = "210211") -> None:
    create_talent(
        actor=SystemActor("test"),
        data=TalentInput(
            name=name,
            kind=kind,
            headcount=n,
            field="海洋工程",
            level="national",
            employer="某所",
            unit=unit(code),
            introduced_on=datetime.date.fromisoformat(day),
            source_region="JP",
        ),
    )


def test_talents_count_people_and_compare_with_the_same_months_last_year(dalian):
    # 2017-03: 1 person. 2018-03: a team of 4; 2018-04: 1 person → 5 people, Jan–Apr last year 1 → +400%.
    talent("甲", "2017-03-10")
    talent("乙团队", "2018-03-02", kind="team", n=4)
    talent("丙", "2018-04-20")
    data = talent_breakdowns(dalian, 2018)
    assert (data["total"], data["records"], data["months_done"], data["same_period_last_year"]) == (5, 2, 4, 1)
    assert data["growth"] == "+400.0%"
    assert data["by_month"][2:4] == [4, 1] and data["by_month_previous"][2] == 1
    assert data["by_city"] == [("甘井子区", 5)]  # a city officer sees its districts


def test_the_board_counts_amounts_days_and_conversion_per_stage(dalian):
    # Two leads received 1 March; one moved to 在谈 on 5 March and signed 20 March (1.2亿 and 0.8亿).
    # Today is 16 July: the lead has waited 137 days, the signed project 118 days.
    new_project(amount="8000", name="留在线索")
    move(new_project(amount="12000", name="已签约"), ("negotiate", "2018-03-05"), ("sign", "2018-03-20"))
    board = pipeline(dalian)
    columns = {c.stage: c for c in board["columns"]}
    lead, signed = columns["lead"], columns["signed"]
    assert (lead.count, lead.amount_yi, lead.avg_days) == (1, Decimal("0.80"), 137)
    assert (signed.count, signed.amount_yi, signed.avg_days) == (1, Decimal("1.20"), 118)
    assert columns["lead"].conversion == "50%"  # 2 leads, 1 reached 在谈
    assert columns["negotiating"].conversion == "100%"


def test_breakdowns_follow_the_counting_rules_and_the_viewers_level(dalian, province, hunnan, rates):
    from kaifang.ledgers.selectors import breakdowns

    # 1,600万美元 from Singapore (一带一路) signed in March 2018 at 甘井子区 = 10,400万元 = 1.04亿元.
    move(new_project(amount="1600", currency="USD", origin="SG"), ("negotiate", "2018-03-01"), ("sign", "2018-03-02"))
    city, whole, other = breakdowns(dalian, 2018), breakdowns(province, 2018), breakdowns(hunnan, 2018)
    assert [(r["key"], r["amount_yi"], r["big"]) for r in city["by_city"]] == [("甘井子区", Decimal("1.04"), 1)]
    assert [(r["key"], r["code"]) for r in whole["by_city"]] == [("大连市", "210200")]
    assert [r["key"] for r in whole["by_tag"]] == ["一带一路"]
    assert (city["map_code"], whole["map_code"]) == ("210200", "210000")
    assert other["by_city"] == [] and other["signed_big"] == 0
