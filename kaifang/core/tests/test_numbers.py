"""How numbers leave the API (issue 15, finding 2): figures with their indicator's decimals, ratios
with a documented precision, and no float noise or 28-digit strings anywhere."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kaifang.core.numbers import RATIO_PLACES, figure_text, number_text, ratio_text


def test_a_figure_carries_its_indicators_decimals():
    assert figure_text(Decimal("400.5"), 2) == "400.50"
    assert figure_text(Decimal("188400.0000"), 0) == "188400"
    assert figure_text(Decimal("0.125"), 2) == "0.13"  # half up, as the statistics office rounds
    assert figure_text(None, 2) is None


def test_a_float_sum_leaks_no_noise():
    # SQLite sums DecimalFields as REAL: 0.52 + 0.02 came back as 0.540000000000000 (15 digits).
    assert figure_text(Decimal("0.540000000000000"), 2) == "0.54"
    assert number_text(Decimal("0.860000000000000")) == "0.86"
    assert number_text(0.1 + 0.2) == "0.3"  # 0.30000000000000004 as a double
    assert number_text(Decimal("115.120000000000")) == "115.12"


def test_a_ratio_has_the_documented_precision():
    assert RATIO_PLACES == 6
    # 95457 / 188400 = 0.50667197452229299… → 0.506672 (the 7th place, 9, rounds the 6th up)
    assert ratio_text(Decimal("0.5066719745222929936305732484")) == "0.506672"
    assert ratio_text(Decimal(1) / 3) == "0.333333"
    assert ratio_text(Decimal("1")) == "1.000000"


@pytest.mark.parametrize("value", ["NaN", "Infinity", "x", None, True])
def test_what_is_not_a_number_gives_none(value):
    assert number_text(value) is None and ratio_text(value) is None
