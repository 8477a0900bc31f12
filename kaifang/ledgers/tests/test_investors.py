"""Investor names: width folding, legal forms stripped, similar names warned about (never blocked)."""

from __future__ import annotations

import datetime

import pytest

from kaifang.ledgers.investors import normalize_investor_name
from kaifang.ledgers.selectors import stage_durations
from kaifang.ledgers.services import get_or_create_investor
from kaifang.ledgers.tests.conftest import move, new_project


def test_names_fold_width_and_drop_legal_forms():
    assert normalize_investor_name("大连万达集团股份有限公司") == "大连万达"
    assert normalize_investor_name("大连万达（集团）") == "大连万达"
    assert normalize_investor_name("ＳＡＭＰＬＥ　Ｔｒａｄｉｎｇ Co., Ltd.") == "sampletrading"
    assert normalize_investor_name("某某电子（中国）有限公司") == "某某电子"


@pytest.mark.django_db
def test_the_same_investor_typed_differently_is_reused_and_a_similar_one_is_warned_about():
    first, warnings = get_or_create_investor(name="大连万达集团股份有限公司", origin="CN-LN")
    same, same_warnings = get_or_create_investor(name="大连万达（集团）有限公司", origin="CN-LN")
    other, other_warnings = get_or_create_investor(name="大连万达商业集团", origin="CN-LN")
    assert warnings == [] and same.pk == first.pk and same_warnings == []
    assert other.pk != first.pk  # warned, not blocked
    assert len(other_warnings) == 1 and "大连万达集团股份有限公司" in other_warnings[0]


@pytest.mark.django_db
def test_time_in_each_stage_is_counted_from_the_history():
    # Lead 1 March, 在谈 5 March, 签约 20 March; today 16 July: 4, 15 and 118 days.
    project = move(new_project(), ("negotiate", "2018-03-05"), ("sign", "2018-03-20"))
    visits = stage_durations(list(project.stage_changes.order_by("effective_on", "id")), datetime.date(2018, 7, 16))
    assert [(v["label"], v["days"]) for v in visits] == [("线索", 4), ("在谈", 15), ("签约", 118)]
