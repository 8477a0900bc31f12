"""Every workflow action, allowed and forbidden, for every persona; state rules; idempotency; timeliness."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kaifang.accounts.models import User
from kaifang.audit.models import AuditEvent
from kaifang.notifications.models import Notification
from kaifang.reporting.models import SubmissionStatus as S
from kaifang.reporting.models import Timeliness
from kaifang.reporting.services import save_submission_values, transition
from kaifang.reporting.tests.conftest import at, entries

pytestmark = pytest.mark.django_db

PERSONAS = ["province", "admin", "shenyang", "hunnan", "shenhe", "dalian", "ganjingzi", "swt", "leader", "auditor"]
FROM_STATE = {
    "submit": S.DRAFT,
    "approve": S.SUBMITTED,
    "return": S.SUBMITTED,
    "unapprove": S.APPROVED,
    "lock": S.APPROVED,
    "withdraw": S.SUBMITTED,
}
# unit → action → the only personas allowed
ALLOWED = {
    "210112": {
        "submit": {"hunnan"},
        "approve": {"shenyang"},
        "return": {"shenyang"},
        "unapprove": {"shenyang"},
        "lock": {"province"},
        "withdraw": {"hunnan"},
    },
    "210100": {
        "submit": {"shenyang"},
        "approve": {"province"},
        "return": {"province"},
        "unapprove": {"province"},
        "lock": {"province"},
        "withdraw": {"shenyang"},
    },
    "SWT": {
        "submit": {"swt"},
        "approve": {"province"},
        "return": {"province"},
        "unapprove": {"province"},
        "lock": {"province"},
        "withdraw": {"swt"},
    },
}


@pytest.mark.parametrize("unit_code", list(ALLOWED))
@pytest.mark.parametrize("action", list(FROM_STATE))
def test_each_action_is_allowed_only_for_the_right_part(unit_code, action, sub_of, clock):
    sub = sub_of(unit_code)
    owner = User.objects.get(username=next(iter(ALLOWED[unit_code]["submit"])))
    save_submission_values(actor=owner, submission=sub, entries=entries())
    for username in PERSONAS:
        type(sub).objects.filter(pk=sub.pk).update(status=FROM_STATE[action])
        sub.refresh_from_db()
        user = User.objects.get(username=username)
        if username in ALLOWED[unit_code][action]:
            outcome = transition(actor=user, submission=sub, action=action, reason="数据有误")
            assert outcome.applied, (username, action)
        else:
            with pytest.raises(PermissionDenied):
                transition(actor=user, submission=sub, action=action, reason="数据有误")


@pytest.mark.parametrize(
    ("state", "action", "actor"),
    [
        (S.DRAFT, "approve", "shenyang"),
        (S.DRAFT, "return", "shenyang"),
        (S.SUBMITTED, "unapprove", "shenyang"),
        (S.SUBMITTED, "lock", "province"),
        (S.RETURNED, "approve", "shenyang"),
        (S.APPROVED, "submit", "hunnan"),
        (S.LOCKED, "unapprove", "shenyang"),
        (S.LOCKED, "submit", "hunnan"),
        (S.APPROVED, "withdraw", "hunnan"),
        (S.RETURNED, "withdraw", "hunnan"),
        (S.DRAFT, "withdraw", "hunnan"),
    ],
)
def test_actions_the_table_does_not_allow_from_a_state_are_refused_in_chinese(state, action, actor, sub_of, personas):
    sub = sub_of("210112")
    type(sub).objects.filter(pk=sub.pk).update(status=state)
    with pytest.raises(ValidationError) as caught:
        transition(actor=personas[actor], submission=sub, action=action, reason="x")
    assert caught.value.code == "state" and "不能" in caught.value.messages[0]


def test_the_full_path_submit_return_resubmit_approve_unapprove_is_audited_and_notified(
    sub_of, hunnan, shenyang, clock
):
    sub = sub_of("210112")
    save_submission_values(actor=hunnan, submission=sub, entries=entries())
    transition(actor=hunnan, submission=sub, action="submit", key="k1")
    with pytest.raises(ValidationError) as caught:
        transition(actor=shenyang, submission=sub, action="return")
    assert caught.value.code == "reason"
    transition(actor=shenyang, submission=sub, action="return", reason="出口额与海关数据不符")
    sub.refresh_from_db()
    assert sub.status == S.RETURNED and sub.return_reason == "出口额与海关数据不符"
    assert Notification.objects.filter(recipient=hunnan, kind="reporting.returned").exists()
    save_submission_values(actor=hunnan, submission=sub, entries=entries({"EXPORT": "590"}, versions={"EXPORT": 1}))
    transition(actor=hunnan, submission=sub, action="submit", key="k2")
    transition(actor=shenyang, submission=sub, action="approve")
    assert Notification.objects.filter(recipient=hunnan, kind="reporting.approved").exists()
    transition(actor=shenyang, submission=sub, action="unapprove", reason="补充说明")
    sub.refresh_from_db()
    assert sub.status == S.DRAFT
    actions = list(
        AuditEvent.objects.filter(object_id=str(sub.pk), action__startswith="reporting.submission.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [f"reporting.submission.{a}" for a in ["submit", "return", "submit", "approve", "unapprove"]]
    assert list(sub.events.values_list("action", flat=True)) == ["submit", "return", "submit", "approve", "unapprove"]


def test_approved_data_is_read_only_until_unapproved(sub_of, hunnan, shenyang, clock):
    sub = sub_of("210112")
    save_submission_values(actor=hunnan, submission=sub, entries=entries())
    transition(actor=hunnan, submission=sub, action="submit")
    for actor in (hunnan, shenyang):
        with pytest.raises(ValidationError) as caught:
            save_submission_values(
                actor=actor, submission=sub, entries=entries({"EXPORT": "1"}, versions={"EXPORT": 1})
            )
        assert caught.value.code == "locked"
    transition(actor=shenyang, submission=sub, action="approve")
    with pytest.raises(ValidationError):
        save_submission_values(actor=hunnan, submission=sub, entries=entries({"EXPORT": "1"}, versions={"EXPORT": 1}))


def test_a_double_clicked_submit_applies_once(sub_of, hunnan, clock):
    sub = sub_of("210112")
    save_submission_values(actor=hunnan, submission=sub, entries=entries())
    first = transition(actor=hunnan, submission=sub, action="submit", key="form-123")
    second = transition(actor=hunnan, submission=sub, action="submit", key="form-123")
    retry_without_key = transition(actor=hunnan, submission=sub, action="submit", expected_version=1)
    assert first.applied and not second.applied and not retry_without_key.applied
    assert sub.events.count() == 1
    assert AuditEvent.objects.filter(action="reporting.submission.submit", object_id=str(sub.pk)).count() == 1


def test_a_stale_expected_version_is_refused(sub_of, hunnan, shenyang, clock):
    sub = sub_of("210112")
    save_submission_values(actor=hunnan, submission=sub, entries=entries())
    transition(actor=hunnan, submission=sub, action="submit")
    with pytest.raises(ValidationError) as caught:
        transition(actor=shenyang, submission=sub, action="return", reason="x", expected_version=1)
    assert caught.value.code == "stale"


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(10, 23), Timeliness.ON_TIME),  # the deadline day itself, 23:00
        (at(11, 9), Timeliness.GRACE),  # the day after: within the 2 grace days
        (at(12, 23), Timeliness.GRACE),
        (at(13, 0), Timeliness.LATE),
        (at(20), Timeliness.LATE),
    ],
)
def test_timeliness_is_decided_by_server_time_at_commit(moment, expected, sub_of, hunnan, clock):
    clock(moment)
    sub = sub_of("210112")
    save_submission_values(actor=hunnan, submission=sub, entries=entries())
    sub = transition(actor=hunnan, submission=sub, action="submit").submission
    assert sub.timeliness == expected and sub.first_submitted_at == moment


def test_a_returned_and_resubmitted_report_keeps_its_first_timeliness(sub_of, hunnan, shenyang, clock):
    sub = sub_of("210112")
    save_submission_values(actor=hunnan, submission=sub, entries=entries())
    transition(actor=hunnan, submission=sub, action="submit")
    transition(actor=shenyang, submission=sub, action="return", reason="请核对")
    clock(at(25))
    sub = transition(actor=hunnan, submission=sub, action="submit").submission
    assert sub.timeliness == Timeliness.ON_TIME and sub.submitted_at == at(25)


def test_submit_is_blocked_by_errors_and_by_unexplained_warnings(sub_of, hunnan, clock):
    sub = sub_of("210112")
    save_submission_values(actor=hunnan, submission=sub, entries=entries({"TRADE": "1000", "EXPORT": "1200"}))
    with pytest.raises(ValidationError) as caught:
        transition(actor=hunnan, submission=sub, action="submit")
    text = " ".join(caught.value.messages)
    assert "出口额（累计 1,200）应 ≤ 进出口总额（累计 1,000）" in text and "进口额：必填" in text
    sub.refresh_from_db()
    assert sub.status == S.DRAFT
