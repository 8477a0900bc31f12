"""The worked example of the design brief, closed and published, ready to be corrected.

浑南区 (210112) reports 出口额 T_EXPORT (a flow, year to date, 万美元): January 120, February 250,
March 400 → month values 120, 130, 150. 沈河区 (210103) reports 150, 300, 450. Both have an annual
target of 1,800. February's round is closed and 浑南区's submission approved: the month is locked.
A scheme ranks the two counties on completion (weight 20, cap 120%); its February results are
published by the province before anyone asks for a correction.
"""

from __future__ import annotations

import datetime
from decimal import Decimal as D
from typing import Any

import pytest

from kaifang.assessment import services as assessment_services
from kaifang.assessment.models import AssessmentScheme, AssessmentSnapshot
from kaifang.core.actors import SystemActor
from kaifang.corrections.models import CorrectionRequest
from kaifang.corrections.services import FigureChange, create_correction
from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.models import Indicator, Target
from kaifang.indicators.services import save_many
from kaifang.indicators.services.windows import lock_windows, open_windows
from kaifang.indicators.tests.factories import make_indicator
from kaifang.orgs.models import OrgUnit, UnitGroup
from kaifang.reporting.models import ReportingRound, RoundStatus, Submission

JAN, FEB, MAR = (datetime.date(2018, m, 1) for m in (1, 2, 3))
HUNNAN, SHENHE = "210112", "210103"


@pytest.fixture(autouse=True)
def demo_today(settings: Any, tmp_path: Any) -> None:
    """The demo's today (references are numbered within 2018); uploads go to a throwaway folder."""
    settings.KAIFANG_DEMO_TODAY = "2018-07-05"
    settings.MEDIA_ROOT = tmp_path / "media"


def seed(unit_code: str, period: datetime.date, figures: dict[str, str], *, version: int | None = None) -> None:
    """Store figures the way the demo loader stores history: through the one door, in a window opened for
    the month and locked again afterwards; `version` is the stored version being replaced (None: none)."""
    unit = OrgUnit.objects.get(code=unit_code)
    actor = SystemActor("test")
    indicators = list(Indicator.objects.filter(code__in=figures))
    entries = [ValueEntry(code, D(value), "", version) for code, value in figures.items()]
    if version is not None:  # someone changed a locked figure since: only an approved correction can
        save_many(actor=actor, period=period, batches=[(unit, entries)], correction="GZ-TEST-0000")
        return
    where = dict(actor=actor, units=[unit], indicators=indicators, period=period)
    open_windows(**where, reason="测试：历史数据")  # type: ignore[arg-type]
    save_many(actor=actor, period=period, batches=[(unit, entries)])
    lock_windows(**where, reason="测试：历史数据已锁定")  # type: ignore[arg-type]


@pytest.fixture
def export(db: Any) -> Indicator:
    indicator = make_indicator("T_EXPORT", name="出口额")
    for code, ytd in ((HUNNAN, ("120", "250", "400")), (SHENHE, ("150", "300", "450"))):
        for period, value in zip((JAN, FEB, MAR), ytd, strict=True):
            seed(code, period, {"T_EXPORT": value})
        Target.objects.create(indicator=indicator, unit=OrgUnit.objects.get(code=code), year=2018, annual=D("1800"))
    return indicator


@pytest.fixture
def february_approved(export: Indicator) -> Submission:
    """February's round is closed and 浑南区's submission approved: the month is locked."""
    round_ = ReportingRound.objects.create(
        period=FEB,
        name="2018年2月开放指标",
        opens_at=datetime.datetime(2018, 3, 1, tzinfo=datetime.UTC),
        deadline=datetime.datetime(2018, 3, 10, tzinfo=datetime.UTC),
        status=RoundStatus.CLOSED,
    )
    round_.indicators.add(export)
    round_.units.add(OrgUnit.objects.get(code=HUNNAN))
    return Submission.objects.create(round=round_, unit=OrgUnit.objects.get(code=HUNNAN), status="approved")


@pytest.fixture
def scheme(export: Indicator, province: Any) -> AssessmentScheme:
    group = UnitGroup.objects.create(code="G-SY-2", name="沈阳两区")
    group.members.set(OrgUnit.objects.filter(code__in=[HUNNAN, SHENHE]))
    created = assessment_services.create_scheme(
        actor=province,
        code="KH-SY",
        name="沈阳两区开放考核",
        year=2018,
        group=group,
        items=[
            {"code": "export", "name": "出口额完成率", "kind": "completion", "weight": "20", "indicator": "T_EXPORT"}
        ],
    )
    assessment_services.activate_scheme(actor=province, scheme=created)
    created.refresh_from_db()
    return created


@pytest.fixture
def published(scheme: AssessmentScheme, province: Any, february_approved: Submission) -> AssessmentSnapshot:
    """February's results, published before any correction.

    浑南区: 250 / 1,800 = 13.89% ÷ time progress 2/12 = 83.33% × 20 = 16.67.
    沈河区: 300 / 1,800 = 16.67% ÷ 16.67% = 100% × 20 = 20.00 → rank 1, 浑南区 rank 2.
    """
    return assessment_services.publish_assessment(actor=province, scheme=scheme, period=FEB)


@pytest.fixture
def request_feb(hunnan: Any, february_approved: Submission) -> CorrectionRequest:
    """浑南区 asks: February 出口额 250 → 260 (version 1 when asked)."""
    return create_correction(
        actor=hunnan,
        unit=hunnan.unit,
        period=FEB,
        figures=[FigureChange("T_EXPORT", "260", seen_version=1)],
        reason="海关数据复核，2月出口额少报10万美元",
    )
