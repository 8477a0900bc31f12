"""Figures in a submitted or approved submission are read-only on every write path, not only the form."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.models import Indicator
from kaifang.indicators.services import save_values
from kaifang.reporting.models import ReportingRound, Submission

pytestmark = pytest.mark.django_db


def test_figures_of_a_submitted_submission_cannot_be_changed_through_save_values(hunnan):
    indicator = Indicator.objects.create(code="T_LOCK", name="锁定测试指标", unit_of_measure="个")
    period = datetime.date(2019, 3, 1)
    round_ = ReportingRound.objects.create(
        period=period,
        name="测试批次",
        opens_at=datetime.datetime(2019, 4, 1, tzinfo=datetime.UTC),
        deadline=datetime.datetime(2019, 4, 10, tzinfo=datetime.UTC),
    )
    round_.indicators.add(indicator)
    submission = Submission.objects.create(round=round_, unit=hunnan.unit, status="submitted")

    with pytest.raises(ValidationError, match="已提交或已审核"):
        save_values(actor=hunnan, unit=hunnan.unit, period=period, entries=[ValueEntry("T_LOCK", Decimal("1"))])

    Submission.objects.filter(pk=submission.pk).update(status="returned")
    saved = save_values(actor=hunnan, unit=hunnan.unit, period=period, entries=[ValueEntry("T_LOCK", Decimal("1"))])
    assert saved[0].reported == Decimal("1")
