"""The demo rounds: the history months through closed historical rounds (locked, never counted for
timeliness), and the June 2018 round with plausible fates and actionable persona submissions;
idempotent."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.models import DataValue, Indicator
from kaifang.indicators.selectors import aggregate, ranking
from kaifang.indicators.services import save_values
from kaifang.orgs.models import OrgUnit
from kaifang.reporting.models import ReportingRound, RoundKind, Timeliness
from kaifang.reporting.models import SubmissionStatus as S

pytestmark = pytest.mark.django_db

MAY, JUNE = datetime.date(2018, 5, 1), datetime.date(2018, 6, 1)


@pytest.fixture
def demo(db):
    from kaifang.indicators.demo import load_indicators_demo
    from kaifang.reporting.demo import load_reporting_demo

    load_indicators_demo()
    first = load_reporting_demo()
    assert load_reporting_demo() == first  # idempotent
    return first


def test_the_demo_round_has_late_missing_returned_explained_and_actionable_submissions(demo):
    from kaifang.reporting.demo import OUTLIER_NOTE

    round_ = ReportingRound.objects.get(pk=demo["round"])
    subs = {s.unit.code: s for s in round_.submissions.select_related("unit")}
    assert subs["210112"].status == S.DRAFT
    assert DataValue.objects.filter(unit__code="210112", period=round_.period).count() == 4
    assert subs["210103"].status == S.SUBMITTED and subs["210211"].status == S.SUBMITTED
    assert subs["210114"].status == S.RETURNED and "海关" in subs["210114"].return_reason
    # The demo lives on 2018-07-05, before the 07-10 deadline: nobody can be late yet. 法库县 and
    # 新民市 have typed their figures but not submitted; everyone who submitted did so on time.
    for code in ("210124", "210181"):
        assert subs[code].status == S.DRAFT and DataValue.objects.filter(unit__code=code, period=round_.period).exists()
    submitted = [s for s in subs.values() if s.first_submitted_at is not None]
    assert submitted and {s.timeliness for s in submitted} == {Timeliness.ON_TIME}
    assert subs["210123"].status == S.DRAFT and subs["SWT"].status == S.DRAFT
    assert (
        DataValue.objects.get(unit__code="210213", indicator__code="FIE_NEW", period=round_.period).comment
        == OUTLIER_NOTE
    )
    approved = sum(1 for s in subs.values() if s.status == S.APPROVED)
    assert approved > len(subs) * 0.6


def test_the_history_months_come_through_closed_historical_rounds_that_lock_them(demo, hunnan):
    history = ReportingRound.objects.filter(kind=RoundKind.HISTORICAL)
    assert history.count() == 17  # 2017-01 … 2018-05
    assert not history.exclude(status="closed").exists() and not history.filter(submissions__isnull=False).exists()
    assert not ReportingRound.objects.counted().filter(period__lt=JUNE).exists()
    may = DataValue.objects.get(unit=hunnan.unit, period=MAY, indicator__code="FDI")
    with pytest.raises(ValidationError) as refused:
        save_values(
            actor=hunnan,
            unit=hunnan.unit,
            period=MAY,
            entries=[ValueEntry("FDI", may.reported + 1, expected_version=may.version)],
        )
    assert refused.value.code == "locked" and "2018年5月已锁定" in refused.value.messages[0]


def test_the_typed_history_is_consistent_with_the_published_province_totals(demo, province):
    december = datetime.date(2017, 12, 1)
    figure = aggregate(
        user=province,
        indicator=Indicator.objects.get(code="TRADE"),
        unit=province.unit,
        period_from=december,
        period_to=december,
    )
    assert abs(figure.ytd_value - D("998.1") * D("6.75")) <= D("0.01")  # 6,737.18 亿元  # type: ignore[operator]
    # Some cities report their own figures (大连), the others are the sum of their counties (沈阳).
    fdi = Indicator.objects.get(code="FDI")
    rows = {r.unit.code: r for r in ranking(user=province, indicator=fdi, group_or_parent=province.unit, period=MAY)}
    assert rows["210200"].basis == "reported" and rows["210100"].basis == "sum_of_children"
    assert rows["210200"].rank in (1, 2) and rows["210100"].rank in (1, 2)
    # A year's month values add up to its December YTD, which is what was typed.
    hunnan = OrgUnit.objects.get(code="210112")
    year = list(DataValue.objects.filter(unit=hunnan, indicator__code="EXPORT", period__year=2017).order_by("period"))
    assert len(year) == 12 and sum(r.month_value for r in year) == year[-1].ytd_value == year[-1].reported
