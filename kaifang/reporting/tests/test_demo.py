"""The June 2018 demo round: plausible fates, actionable persona submissions, idempotent."""

from __future__ import annotations

import pytest

from kaifang.indicators.models import DataValue
from kaifang.reporting.models import ReportingRound, Timeliness
from kaifang.reporting.models import SubmissionStatus as S

pytestmark = pytest.mark.django_db


def test_the_demo_round_has_drafts_missing_returned_explained_and_actionable_submissions():
    from kaifang.indicators.demo import load_indicators_demo
    from kaifang.reporting.demo import OUTLIER_NOTE, load_reporting_demo

    load_indicators_demo()
    first = load_reporting_demo()
    assert load_reporting_demo() == first  # idempotent
    round_ = ReportingRound.objects.get(pk=first["round"])
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
