"""Attendance statistics by a hand-worked example."""

from decimal import Decimal

from kaifang.meetings.stats import VenueFact, attendance, rate


def test_city_rows_aggregate_their_own_venue_and_their_counties_and_the_total_adds_up():
    # 沈阳: 4 venues — the city on time, 浑南 late, 沈河 on leave, 和平 absent.
    # 大连: 3 venues — the city on time, 甘井子 on time, 金州 late (its leave request does not count: it came).
    facts = [
        VenueFact("210100", "沈阳市", checked_in=True),
        VenueFact("210100", "沈阳市", checked_in=True, late=True),
        VenueFact("210100", "沈阳市", checked_in=False, on_leave=True),
        VenueFact("210100", "沈阳市", checked_in=False),
        VenueFact("210200", "大连市", checked_in=True),
        VenueFact("210200", "大连市", checked_in=True),
        VenueFact("210200", "大连市", checked_in=True, late=True, on_leave=True),
    ]
    total, (shenyang, dalian) = attendance(facts)
    # 沈阳: 应到 4, 实到 2, 请假 1, 迟到 1, 缺席 1, 参会率 2/4 = 50.0%
    assert (shenyang.name, shenyang.expected, shenyang.present, shenyang.leave, shenyang.late, shenyang.absent) == (
        "沈阳市",
        4,
        2,
        1,
        1,
        1,
    )
    assert shenyang.rate == Decimal("50.0")
    # 大连: 应到 3, 实到 3, 请假 0, 迟到 1, 缺席 0, 参会率 100.0%
    assert (dalian.expected, dalian.present, dalian.leave, dalian.late, dalian.absent) == (3, 3, 0, 1, 0)
    assert dalian.rate == Decimal("100.0")
    # 合计: 应到 7, 实到 5, 请假 1, 迟到 2, 缺席 1, 参会率 5/7 = 71.428…% → 71.4%
    assert (total.expected, total.present, total.leave, total.late, total.absent) == (7, 5, 1, 2, 1)
    assert total.rate == Decimal("71.4")


def test_rate_rounds_half_up_and_has_no_value_without_venues():
    assert rate(1, 8) == Decimal("12.5")
    assert rate(1, 16) == Decimal("6.3")  # 6.25 → 6.3, half up
    assert rate(2, 3) == Decimal("66.7")
    assert rate(0, 0) is None
    total, rows = attendance([])
    assert total.expected == 0 and total.rate is None and rows == []
