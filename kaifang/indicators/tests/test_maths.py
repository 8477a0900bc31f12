"""The exact rules, with hand-worked numbers (DESIGN.md "Rules that must be exact")."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaifang.indicators.maths import (
    NOT_COMPARABLE,
    completion,
    forecast_year_end,
    last_year_share,
    light,
    monthly_from_ytd,
    percent,
    points_behind,
    progress_ratio,
    signed_percent,
    time_progress,
    yoy_growth,
    ytd_from_monthly,
)


class TestWorkedExample:
    """A county reports 出口额 year to date: 120, 250, 400 (万美元); annual target 1,800."""

    def test_ytd_gives_monthly_120_130_150(self):
        assert monthly_from_ytd([D(120), D(250), D(400)]) == [D(120), D(130), D(150)]

    def test_monthly_gives_back_the_ytd(self):
        assert ytd_from_monthly([D(120), D(130), D(150)]) == [D(120), D(250), D(400)]

    def test_completion_at_march_is_22_2_percent(self):
        assert percent(completion(D(400), D(1800))) == "22.2%"

    def test_time_progress_at_march_is_25_percent(self):
        assert time_progress(3, "flow") == D("0.25")

    def test_progress_ratio_is_0_889(self):
        ratio = progress_ratio(completion(D(400), D(1800)), time_progress(3))
        assert isinstance(ratio, D)
        assert ratio.quantize(D("0.001")) == D("0.889")

    def test_2_8_points_behind_is_yellow_with_a_10_point_margin(self):
        done, progress = completion(D(400), D(1800)), time_progress(3)
        assert points_behind(done, progress).quantize(D("0.1")) == D("2.8")  # type: ignore[union-attr]
        assert light(done, progress, red_margin=10) == "yellow"

    def test_it_would_be_red_with_a_2_point_margin(self):
        assert light(completion(D(400), D(1800)), time_progress(3), red_margin=2) == "red"

    def test_year_on_year_against_320_is_plus_25_percent(self):
        assert yoy_growth(D(400), D(320)) == D("0.25")
        assert signed_percent(yoy_growth(D(400), D(320))) == "+25.0%"

    @pytest.mark.parametrize("base", [D(0), None])
    def test_a_zero_or_missing_base_is_not_comparable(self, base):
        assert yoy_growth(D(400), base) is NOT_COMPARABLE
        assert signed_percent(yoy_growth(D(400), base)) == "不可比"

    def test_forecast_from_last_years_share_is_2000_and_111_percent(self):
        share = last_year_share(D(320), D(1600))
        assert share == D("0.2")
        forecast = forecast_year_end(D(400), share)
        assert forecast == D(2000)
        assert percent(completion(forecast, D(1800)), 0) == "111%"  # type: ignore[arg-type]


class TestTimeProgressAndLights:
    @pytest.mark.parametrize(
        ("month", "expected"), [(1, "8.3%"), (3, "25.0%"), (6, "50.0%"), (9, "75.0%"), (12, "100.0%")]
    )
    def test_flow_time_progress_is_m_over_12(self, month, expected):
        assert percent(time_progress(month, "flow")) == expected

    @pytest.mark.parametrize("month", [1, 6, 12])
    def test_a_stock_is_always_fully_due(self, month):
        assert time_progress(month, "stock") == D(1)

    def test_month_outside_1_to_12_is_refused(self):
        with pytest.raises(ValueError):
            time_progress(13)

    def test_june_with_52_4_percent_done_is_green(self):
        # Liaoning H1 2018: 32.1亿美元 of about 61.3 → 52.4% against 50% time progress.
        done = completion(D("32.1"), D("61.3"))
        assert percent(done) == "52.4%"
        assert light(done, time_progress(6)) == "green"

    def test_exactly_the_margin_behind_is_still_yellow(self):
        assert light(D("0.40"), time_progress(6), red_margin=10) == "yellow"
        assert light(D("0.3999"), time_progress(6), red_margin=10) == "red"

    def test_exactly_on_time_progress_is_green(self):
        assert light(D("0.5"), time_progress(6)) == "green"

    def test_no_target_gives_a_grey_light(self):
        assert completion(D(100), None) is NOT_COMPARABLE
        assert completion(D(100), D(0)) is NOT_COMPARABLE
        assert light(completion(D(100), D(0)), time_progress(6)) == "grey"
        assert progress_ratio(NOT_COMPARABLE, time_progress(6)) is NOT_COMPARABLE

    def test_december_completion_of_105_percent(self):
        done = completion(D(1890), D(1800))
        assert percent(done) == "105.0%"
        assert progress_ratio(done, time_progress(12)) == D("1.05")


class TestConversionsWithGaps:
    def test_missing_months_leave_the_ytd_carrying_on(self):
        assert ytd_from_monthly([D(5), None, D(7)]) == [D(5), D(5), D(12)]

    def test_nothing_reported_yet_is_no_ytd(self):
        assert ytd_from_monthly([None, D(3)]) == [None, D(3)]

    def test_a_missing_ytd_makes_the_next_month_unknown(self):
        assert monthly_from_ytd([D(10), None, D(30), D(31)]) == [D(10), None, None, D(1)]

    def test_a_falling_ytd_gives_a_negative_month_not_an_error(self):
        assert monthly_from_ytd([D(10), D(8)]) == [D(10), D(-2)]

    def test_decimal_cents_never_drift(self):
        months = [D("0.1")] * 12
        assert ytd_from_monthly(months)[-1] == D("1.2")


figures = st.decimals(min_value=-(10**9), max_value=10**12, places=4, allow_nan=False, allow_infinity=False)


@given(st.lists(figures, min_size=1, max_size=12))
def test_monthly_to_ytd_and_back_never_drifts(months):
    assert monthly_from_ytd(ytd_from_monthly(months)) == months


@given(st.lists(figures, min_size=1, max_size=12))
def test_ytd_to_monthly_and_back_never_drifts(ytd):
    assert ytd_from_monthly(monthly_from_ytd(ytd)) == ytd
