"""The validation rules with hand-worked numbers (the same function serves form, API and import)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.services import save_values
from kaifang.indicators.tests.factories import open_figures
from kaifang.reporting.tests.conftest import JUNE
from kaifang.reporting.validation import check_values

pytestmark = pytest.mark.django_db


def month(year: int, m: int) -> datetime.date:
    return datetime.date(year, m, 1)


@pytest.fixture(autouse=True)
def history_rounds(catalogue, hunnan):
    """The months these tests type 浑南区's history in are open (as their rounds once were)."""
    months = [month(2017, 6), month(2017, 12), *(month(2018, m) for m in range(1, 6))]
    open_figures([catalogue["FIRMS"], catalogue["EXPORT"]], [hunnan.unit], *months)


@pytest.fixture
def firms_history(catalogue, hunnan):
    """新设企业数 (a monthly flow) of 浑南区: June 2017 = 10; Dec 2017 – May 2018 = 8, 9, 10, 11, 12, 13."""
    save_values(actor=hunnan, unit=hunnan.unit, period=month(2017, 6), entries=[ValueEntry("FIRMS", Decimal(10))])
    for period, value in zip([month(2017, 12), *[month(2018, m) for m in range(1, 6)]], range(8, 14), strict=True):
        save_values(actor=hunnan, unit=hunnan.unit, period=period, entries=[ValueEntry("FIRMS", Decimal(value))])


def run(catalogue, unit, typed, comments=None, final=False):
    return check_values(unit=unit, period=JUNE, indicators=list(catalogue.values()), typed=typed,
                        comments=comments or {}, final=final)  # fmt: skip


def rules_of(result, code):
    return {(f.rule, f.severity, f.explained) for f in result.for_indicator(code)}


def test_a_figure_far_from_both_last_june_and_recent_months_is_a_warning_that_explains_itself(
    catalogue, hunnan, firms_history
):
    # 25 / 10 = 2.50 (last June) and 25 / median(8..13) = 25 / 10.5 = 2.38: both outside 0.5–2
    result = run(catalogue, hunnan.unit, {"FIRMS": "25"})
    [finding] = result.for_indicator("FIRMS")
    assert finding.rule == "seasonal" and finding.severity == "warning" and not finding.explained
    assert "去年同月 10 的 2.50 倍" in finding.message and "近6个月中位数 10.5 的 2.38 倍" in finding.message
    assert result.blocks_submission
    explained = run(catalogue, hunnan.unit, {"FIRMS": "25"}, {"FIRMS": "新引进一批外资企业集中注册"})
    assert rules_of(explained, "FIRMS") == {("seasonal", "warning", True)}
    assert not explained.unexplained_warnings


def test_a_figure_within_two_times_of_last_june_is_not_an_outlier(catalogue, hunnan, firms_history):
    assert run(catalogue, hunnan.unit, {"FIRMS": "18"}).for_indicator("FIRMS") == []  # 18 / 10 = 1.8
    assert run(catalogue, hunnan.unit, {"FIRMS": "5"}).for_indicator("FIRMS") == []  # 5 / 10 = 0.5, the edge


def test_a_seasonal_peak_matching_last_june_is_not_flagged_even_if_far_from_recent_months(catalogue, hunnan):
    # last June 40; recent months 8…13 (median 10.5); June typed 38: 0.95 × last June, 3.6 × recent
    save_values(actor=hunnan, unit=hunnan.unit, period=month(2017, 6), entries=[ValueEntry("FIRMS", Decimal(40))])
    for m, value in zip(range(1, 6), [9, 10, 11, 12, 13], strict=True):
        save_values(
            actor=hunnan, unit=hunnan.unit, period=month(2018, m), entries=[ValueEntry("FIRMS", Decimal(value))]
        )
    assert run(catalogue, hunnan.unit, {"FIRMS": "38"}).for_indicator("FIRMS") == []


def test_a_ytd_flow_falling_below_last_month_is_a_warning_that_blocks_until_explained(catalogue, hunnan):
    save_values(actor=hunnan, unit=hunnan.unit, period=month(2018, 5), entries=[ValueEntry("EXPORT", Decimal(500))])
    result = run(catalogue, hunnan.unit, {"EXPORT": "450"})
    [finding] = [f for f in result.for_indicator("EXPORT") if f.rule == "ytd_fall"]
    assert finding.severity == "warning" and not finding.explained
    assert "累计值 450 低于上月累计 500" in finding.message
    assert result.blocks_submission  # an unexplained warning still stops the submission
    explained = run(catalogue, hunnan.unit, {"EXPORT": "450"}, {"EXPORT": "海关更正5月数据"})
    assert ("ytd_fall", "warning", True) in rules_of(explained, "EXPORT") and not explained.errors


def test_cross_indicator_rules_stored_as_data_compare_year_to_date_figures(catalogue, hunnan):
    ok = run(catalogue, hunnan.unit, {"TRADE": "1000", "EXPORT": "600", "IMPORT": "400"})
    assert ok.errors == []
    bad = run(catalogue, hunnan.unit, {"TRADE": "1000", "EXPORT": "1000.01", "IMPORT": "1200"})
    crossed = [f for f in bad.errors if f.rule == "cross"]
    assert {f.indicator for f in crossed} == {"EXPORT", "IMPORT"}
    assert "出口额（累计 1,000.01）应 ≤ 进出口总额（累计 1,000）" in crossed[0].message


def test_type_range_decimals_and_required(catalogue, hunnan):
    result = run(catalogue, hunnan.unit, {"TRADE": "abc", "EXPORT": "-5", "FIRMS": "2.5"}, final=True)
    assert ("type", "error", False) in rules_of(result, "TRADE")
    assert ("range", "error", False) in rules_of(result, "EXPORT")
    assert ("decimals", "error", False) in rules_of(result, "FIRMS")
    assert ("required", "error", False) in rules_of(result, "IMPORT")
    assert rules_of(result, "TALENT") == set()  # ledger-sourced: not typed, not checked
    assert rules_of(run(catalogue, hunnan.unit, {}, final=False), "IMPORT") == set()


def test_no_history_means_no_outlier_warning(catalogue, hunnan):
    assert run(catalogue, hunnan.unit, {"FIRMS": "1000"}).findings == []


def test_a_negative_figure_is_an_error_unless_the_catalogue_allows_it(catalogue, hunnan):
    [finding] = run(catalogue, hunnan.unit, {"EXPORT": "-5"}).for_indicator("EXPORT")
    assert finding.severity == "error" and "不能为负数" in finding.message
    catalogue["EXPORT"].allow_negative = True
    catalogue["EXPORT"].save(update_fields=["allow_negative"])
    assert not [f for f in run(catalogue, hunnan.unit, {"EXPORT": "-5"}).for_indicator("EXPORT") if f.rule == "range"]


def test_no_error_ever_asks_for_an_explanation(catalogue, hunnan):
    """An error cannot be explained away; only a warning asks for 说明."""
    save_values(actor=hunnan, unit=hunnan.unit, period=month(2018, 5), entries=[ValueEntry("EXPORT", Decimal(500))])
    typed = {"TRADE": "100", "EXPORT": "450", "IMPORT": "-3", "FIRMS": "1.5"}
    result = run(catalogue, hunnan.unit, typed, final=True)
    assert {f.rule for f in result.errors} >= {"cross", "range", "decimals"}
    assert result.unexplained_warnings  # the fall of EXPORT is a warning
    for finding in result.errors:
        assert "说明" not in finding.message, finding.message
