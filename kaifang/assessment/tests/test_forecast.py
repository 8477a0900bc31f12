"""Early warning and year-end forecast on the DESIGN.md worked example."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest

from kaifang.assessment.forecast import OWN_CURVE, PROVINCE_CURVE, forecasts, warnings
from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.models import Target
from kaifang.indicators.services import save_values
from kaifang.indicators.tests.factories import make_indicator, open_figures
from kaifang.orgs.models import OrgUnit

MARCH = datetime.date(2018, 3, 1)


@pytest.fixture
def exports(db, province):
    indicator = make_indicator("T_EXPORT")
    hunnan, shenhe = OrgUnit.objects.get(code="210112"), OrgUnit.objects.get(code="210103")
    months = [datetime.date(y, m, 1) for y, m in ((2017, 3), (2017, 12), (2018, 1), (2018, 2), (2018, 3))]
    open_figures([indicator], [hunnan, shenhe], *months)  # the rounds these figures were typed in
    for period, ytd in (
        ("2017-03", "320"),
        ("2017-12", "1600"),
        ("2018-01", "120"),
        ("2018-02", "250"),
        ("2018-03", "400"),
    ):
        day = datetime.date.fromisoformat(period + "-01")
        save_values(actor=province, unit=hunnan, period=day, entries=[ValueEntry("T_EXPORT", D(ytd))])
    save_values(actor=province, unit=shenhe, period=MARCH, entries=[ValueEntry("T_EXPORT", D("100"))])
    Target.objects.create(indicator=indicator, unit=hunnan, year=2018, annual=D("1800"))
    Target.objects.create(indicator=indicator, unit=shenhe, year=2018, annual=D("1000"))
    return indicator, hunnan, shenhe


def test_the_worked_example_forecasts_2000_and_111_percent(exports):
    indicator, hunnan, _shenhe = exports
    row = forecasts(indicator, [hunnan], MARCH)[0]
    assert row.ytd == D("400")
    assert row.share == D("0.2")  # 320 of 1,600 was done by March last year
    assert row.curve == OWN_CURVE
    assert row.forecast == D("2000")  # 400 ÷ 0.20
    assert f"{row.forecast_completion * 100:.0f}%" == "111%"
    assert row.light == "yellow"  # 22.2% against 25% time progress, 2.8 points behind
    assert not row.will_miss


def test_a_unit_without_history_uses_the_province_curve_and_is_listed_with_its_gap(exports):
    indicator, hunnan, shenhe = exports
    row = forecasts(indicator, [shenhe], MARCH)[0]
    assert row.curve == PROVINCE_CURVE  # the province's 2017 curve is 320/1600 too (only 浑南区 reported)
    assert row.forecast == D("500")
    assert row.gap == D("500")
    assert [r.unit.code for r in warnings([indicator], [hunnan, shenhe], MARCH)] == ["210103"]
