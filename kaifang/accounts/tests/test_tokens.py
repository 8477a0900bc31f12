"""API tokens (issue 15, finding 7): they expire, may be read-only, record their last use, are refused
for an account that is inactive, locked or must change its password, are listed by `kaifang tokens`,
and their owners are warned in the inbox before they end."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone
from freezegun import freeze_time

import kaifang.urls  # noqa: F401  (the API's schemas are built before a test freezes the time)
from kaifang.accounts.jobs import warn_expiring_tokens
from kaifang.accounts.models import ApiToken, User
from kaifang.accounts.services import create_token
from kaifang.core.actors import SystemActor
from kaifang.ledgers.models import InvestmentProject
from kaifang.ledgers.tests.conftest import new_project
from kaifang.notifications.models import Notification

pytestmark = pytest.mark.django_db

PROJECT = {
    "name": "只读令牌试录项目",
    "investor_name": "某公司",
    "origin": "JP",
    "industry": "C",
    "unit_code": "210112",
    "agreed_amount": "100",
}


def api(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


def me(token: str) -> int:
    return api(token).get("/api/v1/me").status_code


@override_settings(KAIFANG_TOKEN_DAYS=90, KAIFANG_PASSWORD_MAX_AGE_DAYS=0)  # the password does not age here
def test_sec_05_a_token_works_for_ninety_days_by_default_and_not_after(hunnan):
    start = timezone.now()
    with freeze_time(start):
        row, token = create_token(actor=SystemActor("test"), user=hunnan)
    # 90 days after creation to the second: valid one second before, refused one second after.
    assert row.expires_at == start + datetime.timedelta(days=90)
    with freeze_time(start + datetime.timedelta(days=90, seconds=-1)):
        assert me(token) == 200
    with freeze_time(start + datetime.timedelta(days=90, seconds=1)):
        assert me(token) == 401


@override_settings(KAIFANG_TOKEN_DAYS=30)
def test_the_validity_comes_from_the_setting_or_the_command(hunnan):
    start = timezone.now()
    with freeze_time(start):
        assert create_token(actor=SystemActor("test"), user=hunnan)[0].expires_at == start + datetime.timedelta(days=30)
        assert create_token(actor=SystemActor("test"), user=hunnan, days=7)[0].expires_at == start + datetime.timedelta(
            days=7
        )


@pytest.mark.parametrize(
    "change",
    [
        {"is_active": False},
        {"locked_until": timezone.now() + datetime.timedelta(minutes=30)},
        {"must_change_password": True},
    ],
    ids=["inactive", "locked", "must-change-password"],
)
def test_sec_06_a_token_is_refused_while_its_account_may_not_sign_in(hunnan, change):
    _row, token = create_token(actor=SystemActor("test"), user=hunnan)
    assert me(token) == 200
    User.objects.filter(pk=hunnan.pk).update(**change)
    assert me(token) == 401
    assert api(token).post("/api/v1/projects", PROJECT, content_type="application/json").status_code == 401
    assert not InvestmentProject.objects.filter(name=PROJECT["name"]).exists()


def test_a_read_only_token_reads_in_scope_and_changes_nothing(hunnan, dalian):
    mine = new_project(hunnan, unit_code="210112")
    theirs = new_project(dalian, unit_code="210211")
    _row, token = create_token(actor=SystemActor("test"), user=hunnan, read_only=True)
    client = api(token)
    assert client.get(f"/api/v1/projects/{mine.pk}").status_code == 200
    assert client.get(f"/api/v1/projects/{theirs.pk}").status_code == 404  # another county's: nothing
    refused = client.post("/api/v1/projects", PROJECT, content_type="application/json")
    assert refused.status_code == 403 and "只读" in refused.json()["detail"]
    assert not InvestmentProject.objects.filter(name=PROJECT["name"]).exists()
    # The same account with a read-write token may.
    _row, writer = create_token(actor=SystemActor("test"), user=hunnan)
    assert api(writer).post("/api/v1/projects", PROJECT, content_type="application/json").status_code == 201


def test_the_last_use_is_recorded(hunnan):
    row, token = create_token(actor=SystemActor("test"), user=hunnan)
    assert row.last_used_at is None
    moment = timezone.now()
    with freeze_time(moment):
        me(token)
    row.refresh_from_db()
    assert row.last_used_at == moment


def test_kaifang_tokens_lists_owner_scope_expiry_and_state(hunnan, shenyang):
    create_token(actor=SystemActor("test"), user=hunnan, name="统计接口", read_only=True, days=30)
    revoked, _token = create_token(actor=SystemActor("test"), user=shenyang, name="旧程序")
    ApiToken.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    out = io.StringIO()
    call_command("tokens", stdout=out)
    text = out.getvalue()
    assert "hunnan" in text and "只读" in text and "有效期至" in text and "从未使用" in text and "统计接口" in text
    assert "shenyang" not in text and "共 1 个令牌" in text
    out = io.StringIO()
    call_command("tokens", "--all", stdout=out)
    assert "已吊销" in out.getvalue() and "共 2 个令牌" in out.getvalue()


@override_settings(KAIFANG_TOKEN_WARN_DAYS=14)
def test_the_owner_is_warned_in_the_inbox_once_before_the_token_ends(hunnan, shenhe):
    soon, _t = create_token(actor=SystemActor("test"), user=hunnan, days=10)  # ends in 10 days ≤ 14: warned
    create_token(actor=SystemActor("test"), user=shenhe, days=30)  # 30 > 14: not yet
    assert warn_expiring_tokens() == 1
    (notice,) = Notification.objects.filter(kind="token_expiry")
    assert notice.recipient == hunnan and soon.prefix in notice.title
    assert warn_expiring_tokens() == 0  # once per token, however often the job runs
    assert not Notification.objects.filter(recipient=shenhe, kind="token_expiry").exists()
