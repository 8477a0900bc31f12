"""A unit without accounts is not left out: the nearest unit above it with users hears instead,
told that it relays; the read-only roles and the administrators never relay."""

import pytest

from kaifang.accounts.models import Role, User
from kaifang.notifications.models import Notification
from kaifang.notifications.services import notify_unit, recipients_for
from kaifang.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db


def test_a_unit_with_users_hears_itself(hunnan):
    users, relay = recipients_for(hunnan.unit)
    assert users == [hunnan] and relay is None


def test_a_county_without_accounts_is_relayed_to_its_city_once(shenyang, hunnan):
    heping = OrgUnit.objects.get(code="210102")  # 和平区: no account in the demo
    assert not User.objects.filter(unit=heping).exists()
    users, relay = recipients_for(heping)
    assert relay == shenyang.unit and shenyang in users and hunnan not in users
    reminder = dict(unit=heping, kind="task_overdue", title="超期提醒：某任务", dedup_key="t:1", relay=True)
    assert notify_unit(**reminder, body="请尽快办理") >= 1
    assert notify_unit(**reminder) == 0  # once
    note = Notification.objects.get(recipient=shenyang, dedup_key="t:1")
    assert note.unit == heping
    assert note.body.startswith("和平区尚未开通系统账号，本通知转沈阳市") and note.body.endswith("请尽快办理")


def test_the_relay_skips_leaders_auditors_and_administrators(province, leader):
    city = OrgUnit.objects.get(code="210300")  # 鞍山市: no account; the province relays
    users, relay = recipients_for(city)
    assert relay is not None and relay.code == "210000"
    assert province in users
    assert all(u.role not in (Role.LEADER, Role.AUDITOR, Role.PROVINCE_ADMIN, Role.SECURITY_ADMIN) for u in users)
    assert leader not in users


def test_a_notice_that_follows_an_action_is_not_relayed(shenyang):
    heping = OrgUnit.objects.get(code="210102")
    assert notify_unit(unit=heping, kind="reporting.approved", title="已审核通过", dedup_key="a:1") == 0
    assert not Notification.objects.filter(dedup_key="a:1").exists()


def test_the_reminder_job_relays_an_overdue_task_of_a_unit_without_accounts(province, shenyang):
    import datetime

    from kaifang.supervision.jobs import send_task_reminders
    from kaifang.supervision.models import TaskState
    from kaifang.supervision.tests.factories import make_task

    task = make_task(lead="210102", state=TaskState.IN_PROGRESS, deadline=datetime.date(2018, 6, 30))
    counts = send_task_reminders(today=datetime.date(2018, 7, 5))
    assert counts.overdue >= 1
    note = Notification.objects.get(recipient=shenyang, dedup_key__startswith=f"task:{task.pk}:overdue")
    assert "和平区尚未开通系统账号，本通知转沈阳市" in note.body
