"""撤回: a reporter takes a submitted report back until the level above acts; audited, notified, and
the figures reopen for the unit only (the lock itself is decided in indicators' write path)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kaifang.audit.models import AuditEvent
from kaifang.indicators.figures import FiguresRefused
from kaifang.indicators.models import DataValue, FigureWindow
from kaifang.notifications.models import Notification
from kaifang.reporting.models import SubmissionStatus as S
from kaifang.reporting.models import Timeliness
from kaifang.reporting.services import close_round, save_submission_values, transition
from kaifang.reporting.tests.conftest import JUNE, at, entries

pytestmark = pytest.mark.django_db


def window(unit_code: str = "210112") -> tuple[str, str]:
    w = FigureWindow.objects.get(unit__code=unit_code, indicator__code="EXPORT", period=JUNE)
    return w.state, w.reason


def test_a_reporter_withdraws_corrects_and_resubmits(sub_of, hunnan, shenyang, clock):
    sub = sub_of("210112")
    clock(at(9))
    save_submission_values(actor=hunnan, submission=sub, entries=entries())  # EXPORT 600
    transition(actor=hunnan, submission=sub, action="submit")
    assert window() == ("locked", "浑南区报送已提交")
    clock(at(12))  # after the deadline (10 July): the withdrawal does not make the report late
    transition(actor=hunnan, submission=sub, action="withdraw", reason="出口额多填了一位")
    sub.refresh_from_db()
    assert sub.status == S.DRAFT and sub.timeliness == Timeliness.ON_TIME and sub.reviewed_by is None
    assert window() == ("open", "浑南区报送已撤回修改")
    assert window("210103")[1] == "报送批次“2018年6月开放指标”"  # 沈河区 untouched
    assert Notification.objects.filter(recipient=shenyang, kind="reporting.withdrawn").count() == 1
    audit = AuditEvent.objects.get(object_id=str(sub.pk), action="reporting.submission.withdraw")
    assert audit.before["status"] == S.SUBMITTED and audit.after["status"] == S.DRAFT
    assert audit.after["reason"] == "出口额多填了一位"
    save_submission_values(actor=hunnan, submission=sub, entries=entries({"EXPORT": "60"}, versions={"EXPORT": 1}))
    transition(actor=hunnan, submission=sub, action="submit")
    sub.refresh_from_db()
    assert sub.status == S.SUBMITTED and sub.timeliness == Timeliness.ON_TIME
    assert DataValue.objects.get(unit__code="210112", indicator__code="EXPORT", period=JUNE).reported == Decimal("60")
    assert list(sub.events.values_list("action", flat=True)) == ["submit", "withdraw", "submit"]


@pytest.mark.parametrize("reviewer_action", ["approve", "return"])
def test_once_the_city_has_acted_the_reporter_can_no_longer_withdraw(reviewer_action, sub_of, hunnan, shenyang, clock):
    sub = sub_of("210112")
    save_submission_values(actor=hunnan, submission=sub, entries=entries())
    transition(actor=hunnan, submission=sub, action="submit")
    transition(actor=shenyang, submission=sub, action=reviewer_action, reason="请核对")
    with pytest.raises(ValidationError) as caught:
        transition(actor=hunnan, submission=sub, action="withdraw")
    assert caught.value.code == "state" and "不能“撤回”" in caught.value.messages[0]


def test_only_the_reporting_unit_withdraws(sub_of, hunnan, shenyang, personas, clock):
    sub = sub_of("210112")
    save_submission_values(actor=hunnan, submission=sub, entries=entries())
    transition(actor=hunnan, submission=sub, action="submit")
    for name in ("shenyang", "shenhe", "province", "ganjingzi"):
        with pytest.raises(PermissionDenied):
            transition(actor=personas[name], submission=sub, action="withdraw")
    sub.refresh_from_db()
    assert sub.status == S.SUBMITTED and window()[0] == "locked"


def test_no_withdrawal_once_the_round_is_closed(sub_of, hunnan, june_round, province, clock):
    sub = sub_of("210112")
    save_submission_values(actor=hunnan, submission=sub, entries=entries())
    transition(actor=hunnan, submission=sub, action="submit")
    close_round(actor=province, round_=june_round)
    with pytest.raises(ValidationError) as caught:
        transition(actor=hunnan, submission=sub, action="withdraw")
    assert caught.value.code == "closed"
    sub.refresh_from_db()
    assert sub.status == S.SUBMITTED and window()[0] == "locked"
    with pytest.raises(FiguresRefused):
        save_submission_values(actor=hunnan, submission=sub, entries=entries({"EXPORT": "1"}, versions={"EXPORT": 1}))
