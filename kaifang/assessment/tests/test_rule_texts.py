"""The rules in English come from the same parameters as the Chinese ones (and as the scoring):
every parameter's number appears in both renderings, and no Chinese is left in the English one."""

import re
from decimal import Decimal as D

import pytest
from django.utils import translation

from kaifang.assessment import rule_texts
from kaifang.assessment.engine.schemes import DEFAULT_PARAMS, THRESHOLD, VETO, Item

PERCENT_PARAMS = {"cap", "target_growth"}  # shown as percentages: kept at their defaults
CJK = re.compile(r"[\u4e00-\u9fff]")


def item_of(kind):
    """An item whose every numeric parameter is a distinct number (2.35, 3.35, …), so a parameter
    left out of a rendering is missed by the test."""
    params, n = {}, 2
    for key, value in DEFAULT_PARAMS[kind].items():
        if re.fullmatch(r"[\d.]+", str(value)) and key not in PERCENT_PARAMS:
            value, n = f"{n}.35", n + 1
        params[key] = value
    if kind == THRESHOLD:
        params["threshold"] = "2018"
    return Item(code="X", name="进出口总额", kind=kind, weight=D("17"), params=params)


@pytest.mark.parametrize("kind", sorted(set(DEFAULT_PARAMS) - {VETO}))
def test_every_parameter_is_in_both_languages(kind):
    item = item_of(kind)
    numbers = [v for k, v in item.params.items() if re.fullmatch(r"[\d.]+", str(v)) and k not in PERCENT_PARAMS]
    with translation.override("zh-hans"):
        chinese = rule_texts.formula(item)
    with translation.override("en"):
        english = rule_texts.formula(item)
    for number in [*numbers, "17"] if kind not in ("manual",) else numbers:
        assert number in chinese and number in english, (kind, number, english)
    assert not CJK.search(english), english
    assert CJK.search(chinese)


def test_a_veto_names_its_grade_in_english():
    item = Item(code="V", name="一票否决事项", kind=VETO, weight=D(0), params={"grade": "较差"})
    with translation.override("en"):
        assert rule_texts.formula(item) == 'If it occurs the grade is "Poor" whatever the score'
        assert "scores 0" in rule_texts.missing(item_of("completion"))
