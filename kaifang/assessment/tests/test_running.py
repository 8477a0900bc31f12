"""Running scores at lookup speed: a stored running score is served while nothing changed, and after
every write (a figure, an approved and locked month, a correction into it) the score read is the one a
fresh full assessment gives — worked out by hand from the rule for two cities.

KH-TWO (conftest `two_cities`), June 2018, time progress 6/12 = 50%: 实际利用外资 completion, weight 60,
capped at 120% of time progress; 督办任务 40 (no tasks due: 100%, 40 points).
"""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest

from kaifang.assessment import selectors
from kaifang.assessment.models import RunningScore
from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.models import Indicator
from kaifang.indicators.services import save_many
from kaifang.indicators.services.windows import lock_windows
from kaifang.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db

JUNE = datetime.date(2018, 6, 1)


def rank(scheme, code):  # type: ignore[no-untyped-def]
    found = selectors.running_rank(scheme, JUNE, code)
    assert found is not None
    return D(found.total), found.rank


def fresh(scheme):  # type: ignore[no-untyped-def]
    return selectors.assess(scheme=scheme, period=JUNE).results()


def write(actor, code: str, figure: str, version: int, correction: str = "") -> None:  # type: ignore[no-untyped-def]
    entry = ValueEntry("T_FDI", D(figure), expected_version=version)
    save_many(actor=actor, period=JUNE, batches=[(OrgUnit.objects.get(code=code), [entry])], correction=correction)


def test_a_stored_running_score_is_a_lookup_until_something_changes(two_cities, monkeypatch):
    # 沈阳 450 ÷ 1000 = 45%, ÷ 50% = 90%, × 60 = 54.00, + 40 = 94.00;
    # 大连 700 ÷ 1200 = 58.33%, ÷ 50% = 116.67%, × 60 = 70.00, + 40 = 110.00 → 大连 first.
    assert rank(two_cities, "210100") == (D("94.00"), 2)
    assert rank(two_cities, "210200") == (D("110.00"), 1)
    assert RunningScore.objects.filter(scheme=two_cities, period=JUNE).count() == 1

    def no_scoring(**_kw):  # type: ignore[no-untyped-def]
        raise AssertionError("scored again although nothing changed")

    monkeypatch.setattr(selectors, "assess", no_scoring)
    assert rank(two_cities, "210100") == (D("94.00"), 2)  # served from the store
    assert selectors.running_results(two_cities, JUNE)["units"][0]["code"] == "210200"


def test_after_each_write_the_running_score_equals_a_fresh_assessment(two_cities, province):
    assert rank(two_cities, "210100") == (D("94.00"), 2)
    # 沈阳 reports 550: 55% ÷ 50% = 110% × 60 = 66.00 + 40 = 106.00 (大连 still first with 110.00).
    write(province, "210100", "550", version=1)
    assert rank(two_cities, "210100") == (D("106.00"), 2)
    assert selectors.running_results(two_cities, JUNE) == fresh(two_cities)
    # 大连's June is approved and locked; an approved correction (数据更正) sets it to 480:
    # 480 ÷ 1200 = 40% ÷ 50% = 80% × 60 = 48.00 + 40 = 88.00 → 沈阳 first.
    lock_windows(
        actor=province,
        units=[OrgUnit.objects.get(code="210200")],
        indicators=[Indicator.objects.get(code="T_FDI")],
        period=JUNE,
        reason="大连市报送已审核",
    )
    write(province, "210200", "480", version=1, correction="GZ-2018-0009")
    assert rank(two_cities, "210200") == (D("88.00"), 2)
    assert rank(two_cities, "210100") == (D("106.00"), 1)
    assert selectors.running_results(two_cities, JUNE) == fresh(two_cities)
    assert RunningScore.objects.get(scheme=two_cities, period=JUNE).ranks == {
        "210100": ["106.00", 1, "优秀"],
        "210200": ["88.00", 2, "良好"],
    }


def test_an_approved_entry_reaches_the_running_score_at_once(two_cities, shenyang, province):
    from kaifang.assessment import services

    assert rank(two_cities, "210100") == (D("94.00"), 2)
    entry = services.propose_adjustment(
        actor=shenyang, scheme_code="KH-TWO", item_code="bonus", unit=OrgUnit.objects.get(code="210100"),
        period=JUNE, points=D(2), reason="引进世界500强项目", evidence="省商务厅确认函",
    )  # fmt: skip
    assert rank(two_cities, "210100") == (D("94.00"), 2)  # proposed, not approved: no points yet
    services.decide_adjustment(actor=province, adjustment=entry, action="approve")
    assert rank(two_cities, "210100") == (D("96.00"), 2)  # 94.00 + 2 加分
    assert selectors.running_results(two_cities, JUNE) == fresh(two_cities)
