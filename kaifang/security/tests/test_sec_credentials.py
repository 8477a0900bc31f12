"""Checklist section A, continued: the second factor, HTTPS, stored passwords and dormant and default
accounts (SEC-08 … SEC-11); SEC-01 … SEC-07 are in `test_sec_authentication.py`."""

from __future__ import annotations

import datetime
import logging

import pyotp
import pytest
from django.conf import global_settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone
from freezegun import freeze_time

from kaifang.accounts import twofactor
from kaifang.accounts.jobs import disable_stale_accounts
from kaifang.accounts.models import RecoveryCode, TotpDevice, User
from kaifang.audit.models import AuditEvent
from kaifang.jobs import scheduled_jobs
from kaifang.security.tests.helpers import GOOD, login, make_user, production_settings

pytestmark = pytest.mark.django_db


# --- SEC-08 ---------------------------------------------------------------------------------------


def enrol(client: Client, user: User) -> tuple[str, list[str]]:
    page = client.get("/accounts/2fa/setup/")
    assert page.status_code == 200 and client.get("/accounts/2fa/qr.svg")["Content-Type"] == "image/svg+xml"
    secret = client.session[twofactor.ENROL_SECRET]
    response = client.post("/accounts/2fa/setup/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    codes = response.context["codes"]
    return secret, codes


@override_settings(KAIFANG_REQUIRE_2FA=True)
def test_sec_08_province_users_must_enrol_and_nothing_works_until_they_do(client, province):
    start = timezone.now()
    with freeze_time(start):
        response = login(client, "province")
        assert response["Location"].startswith("/accounts/2fa/setup/")
        for url in ("/", "/orgs/", "/audit/"):
            assert client.get(url)["Location"].startswith("/accounts/2fa/setup/")
        assert client.get("/api/v1/me").status_code == 403
        secret, codes = enrol(client, province)
        assert len(codes) == 10 and client.get("/").status_code == 200
    assert RecoveryCode.objects.filter(user=province).count() == 10
    assert all(len(row.digest) == 64 and row.digest not in codes for row in RecoveryCode.objects.filter(user=province))
    assert AuditEvent.objects.filter(action="auth.2fa.enrol", actor_username="province").exists()

    with freeze_time(start + datetime.timedelta(seconds=90)):
        c = Client()
        assert login(c, "province")["Location"].startswith("/accounts/2fa/")
        assert c.get("/orgs/")["Location"].startswith("/accounts/2fa/?next=")
        code = pyotp.TOTP(secret).now()
        assert c.post("/accounts/2fa/", {"code": code})["Location"] == "/"
        assert c.get("/orgs/").status_code == 200
        again = Client()
        login(again, "province")
        reused = again.post("/accounts/2fa/", {"code": code})
        assert reused.status_code == 200 and "已使用过" in reused.content.decode()
    with freeze_time(start + datetime.timedelta(seconds=300)):
        stale = pyotp.TOTP(secret).at(start + datetime.timedelta(seconds=180))
        c = Client()
        login(c, "province")
        assert c.post("/accounts/2fa/", {"code": stale}).status_code == 200  # expired
        assert c.get("/").status_code == 302


@override_settings(KAIFANG_REQUIRE_2FA=True)
def test_sec_08_recovery_codes_work_once_and_code_guessing_locks_the_account(client, leader):
    _secret, codes = enrol_directly(leader)
    c = Client()
    login(c, "leader")
    assert c.post("/accounts/2fa/", {"code": codes[0].upper()})["Location"] == "/"
    c2 = Client()
    login(c2, "leader")
    assert c2.post("/accounts/2fa/", {"code": codes[0]}).status_code == 200
    for _ in range(3):
        c2.post("/accounts/2fa/", {"code": "000000"})
    response = c2.post("/accounts/2fa/", {"code": "000001"})
    assert response["Location"] == "/accounts/login/"
    assert User.objects.get(pk=leader.pk).is_locked()
    assert AuditEvent.objects.filter(action="auth.2fa.failed", actor_username="leader").count() == 5


@override_settings(KAIFANG_REQUIRE_2FA=True)
def test_sec_08_reporters_are_not_forced_but_an_enrolled_reporter_is_asked(client, hunnan, secadmin):
    assert login(client, "hunnan")["Location"] == "/"
    enrol_directly(hunnan)
    assert login(Client(), "hunnan")["Location"].startswith("/accounts/2fa/")
    twofactor.reset_second_factor(actor=secadmin, user=hunnan)
    assert not TotpDevice.objects.filter(user=hunnan).exists()
    assert login(Client(), "hunnan")["Location"] == "/"


def enrol_directly(user: User) -> tuple[str, list[str]]:
    secret = twofactor.new_secret()
    codes = twofactor.confirm_enrolment(user=user, secret=secret, code=pyotp.TOTP(secret).now())
    assert codes is not None
    return secret, codes


# --- SEC-09 ---------------------------------------------------------------------------------------


def test_sec_09_https_only_with_a_one_year_hsts_including_subdomains():
    prod = production_settings()
    assert prod.SECURE_SSL_REDIRECT is True
    assert prod.SECURE_HSTS_SECONDS >= 31536000 and prod.SECURE_HSTS_INCLUDE_SUBDOMAINS is True
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True):
        plain = Client().get("/accounts/login/")
        assert plain.status_code == 301 and plain["Location"].startswith("https://")
        secure = Client().get("/accounts/login/", secure=True)
        assert "max-age=31536000" in secure["Strict-Transport-Security"]
        assert "includeSubDomains" in secure["Strict-Transport-Security"]


# --- SEC-10 ---------------------------------------------------------------------------------------


def test_sec_10_passwords_are_stored_with_salted_pbkdf2_and_never_logged(caplog):
    assert not hasattr(production_settings(), "PASSWORD_HASHERS")  # Django's default list: PBKDF2 first
    with override_settings(PASSWORD_HASHERS=global_settings.PASSWORD_HASHERS):
        user = make_user("hashme")
        assert user.password.startswith("pbkdf2_sha256$")
        twin = make_user("hashme2")
        assert twin.password != user.password  # salted
    with caplog.at_level(logging.DEBUG):
        login(Client(), "hashme", "Secret-Never-Logged-9")
        login(Client(), "hashme", GOOD)
    assert "Secret-Never-Logged-9" not in caplog.text and GOOD not in caplog.text
    for event in AuditEvent.objects.filter(actor_username__startswith="hashme"):
        assert GOOD not in str(event.after) and GOOD not in str(event.before)


# --- SEC-11 ---------------------------------------------------------------------------------------


def test_sec_11_accounts_unused_for_90_days_are_disabled_by_the_daily_job():
    now = timezone.now()
    stale = make_user("stale")
    fresh = make_user("fresh")
    User.objects.filter(pk=stale.pk).update(last_login=now - datetime.timedelta(days=91))
    User.objects.filter(pk=fresh.pk).update(last_login=now - datetime.timedelta(days=89))
    assert "accounts_disable_stale" in {job.name for job in scheduled_jobs()}
    disable_stale_accounts(now=now)
    assert not User.objects.get(pk=stale.pk).is_active and User.objects.get(pk=fresh.pk).is_active
    event = AuditEvent.objects.get(action="accounts.user.deactivate", object_id=str(stale.pk))
    assert event.actor_username == "system" and "91" not in event.after["reason"]
    assert disable_stale_accounts(now=now) == 0  # idempotent
    assert User.objects.filter(pk=stale.pk).exists()  # deactivated, never deleted


def test_sec_11_default_passwords_are_found_and_admins_are_bootstrapped_with_a_one_time_password(capsys):
    from kaifang.accounts.management.commands.check_accounts import findings

    assert "默认密码：hunnan" in findings(passwords=True)
    call_command("create_admin", "sysadmin2", "--role", "province_admin")
    password = capsys.readouterr().out.strip()
    user = User.objects.get(username="sysadmin2")
    assert user.check_password(password) and user.must_change_password
    assert "默认密码：sysadmin2" not in findings(passwords=True)
