"""The derived-indicator expression language: parsed, never eval'd; division by zero is 不可比."""

from decimal import Decimal as D

import pytest

from kaifang.indicators.expressions import ExpressionError, check, evaluate, parse, references, uses_last_year
from kaifang.indicators.maths import NOT_COMPARABLE

THIS_YEAR = {"EXPORT": D(400), "IMPORT": D(600), "TRADE": D(1000), "ZERO": D(0)}
LAST_YEAR = {"EXPORT": D(320), "TRADE": D(800), "ZERO": D(0)}


def lookup(code, years_back):
    return (THIS_YEAR if years_back == 0 else LAST_YEAR).get(code)


def run(text):
    return evaluate(parse(text), lookup)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("EXPORT + IMPORT", D(1000)),
        ("EXPORT + IMPORT * 2", D(1600)),
        ("(EXPORT + IMPORT) * 2", D(2000)),
        ("EXPORT - IMPORT - 100", D(-300)),
        ("-EXPORT + 1", D(-399)),
        ("EXPORT × 2 ÷ 4", D(200)),
        ("EXPORT − 1.5", D("398.5")),
        ("share(EXPORT, TRADE)", D("0.4")),
        ("ratio(EXPORT, IMPORT) * 3", D(2)),
        ("yoy(EXPORT)", D("0.25")),
        ("yoy(share(EXPORT, TRADE))", D(0)),  # 0.4 both years
        ("max(EXPORT, IMPORT, 5)", D(600)),
        ("min(EXPORT, IMPORT)", D(400)),
        ("abs(EXPORT - IMPORT)", D(200)),
    ],
)
def test_formulas_evaluate_exactly(text, expected):
    assert run(text) == expected


@pytest.mark.parametrize("text", ["EXPORT / ZERO", "share(EXPORT, ZERO)", "yoy(ZERO)", "yoy(IMPORT)", "1 + 1/0"])
def test_division_by_zero_or_missing_base_is_not_comparable(text):
    assert run(text) is NOT_COMPARABLE


def test_a_missing_operand_is_no_value():
    assert run("EXPORT + MISSING") is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "EXPORT +",
        "(EXPORT",
        "EXPORT)",
        "__import__('os')",
        "EXPORT ** 2",
        "EXPORT; IMPORT",
        "open(EXPORT)",
        "share(EXPORT)",
        "EXPORT.real",
        "1 " + "+ (" * 100 + "1" + ")" * 100,
        "x" * 600,
    ],
)
def test_hostile_or_broken_formulas_are_refused_with_a_message(text):
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert str(caught.value)


def test_references_and_last_year_use_are_known_without_evaluating():
    node = parse("share(EXPORT, TRADE) + yoy(IMPORT)")
    assert references(node) == {"EXPORT", "TRADE", "IMPORT"}
    assert uses_last_year(node)
    assert not uses_last_year(parse("EXPORT / 2"))


def test_check_refuses_unknown_codes_and_self_reference():
    assert check("share(EXPORT, TRADE)", {"EXPORT", "TRADE"}) == {"EXPORT", "TRADE"}
    with pytest.raises(ExpressionError, match="不存在"):
        check("share(EXPORT, NOPE)", {"EXPORT"})
    with pytest.raises(ExpressionError, match="自身"):
        check("SHARE_X * 2", {"SHARE_X"}, own_code="SHARE_X")
