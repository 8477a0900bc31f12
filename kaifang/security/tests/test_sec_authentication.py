"""Checklist section A: identification, authentication and sessions (SEC-01 … SEC-11)."""

from __future__ import annotations

import datetime
import logging
from unittest import mock

import pyotp
import pytest
from django.conf import global_settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.test import Client, override_settings
from django.utils import timezone
from freezegun import freeze_time

from kaifang.accounts import twofactor
from kaifang.accounts.demo import DEMO_PASSWORD
from kaifang.accounts.jobs import disable_stale_accounts
from kaifang.accounts.models import RecoveryCode, Role, TotpDevice, User
from kaifang.accounts.services import create_user, lifecycle
from kaifang.audit.models import AuditEvent
from kaifang.core.actors import SystemActor
from kaifang.jobs import scheduled_jobs
from kaifang.orgs.models import OrgUnit
from kaifang.security.tests.helpers import error_text, login, production_settings

pytestmark = pytest.mark.django_db

GOOD = "Blue-river-47!"


def make_user(username: str, *, role: str = Role.REPORTER, code: str = "210112", password: str = GOOD, **kw) -> User:
    return create_user(
        actor=SystemActor("test"),
        username=username,
        password=password,
        unit=OrgUnit.objects.get(code=code),
        role=role,
        must_change_password=kw.pop("must_change_password", False),
        grant=kw.pop("grant", True),
        **kw,
    )


# --- SEC-01 ---------------------------------------------------------------------------------------


def test_sec_01_usernames_are_unique_after_case_and_whitespace_normalisation():
    unit = OrgUnit.objects.get(code="210112")
    User.objects.create(username="Alice", unit=unit)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="alice ", unit=unit)
    with pytest.raises(ValidationError, match="已存在"):
        make_user(" ALICE")
    assert make_user(" bob ").username == "bob"


def test_sec_01_the_account_check_lists_shared_names_and_phones_and_demo_accounts():
    make_user("zhang1", display_name="张三", phone="13800000000")
    make_user("zhang2", display_name="张三", phone="13800000000")
    with pytest.raises(CommandError):
        call_command("check_accounts")
    from kaifang.accounts.management.commands.check_accounts import findings

    found = findings(passwords=False)
    assert any("姓名重复（张三）" in line and "zhang1" in line and "zhang2" in line for line in found)
    assert any("电话重复" in line for line in found)
    assert "演示账号：hunnan" in found


# --- SEC-02 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password, code",
    [
        ("Ab1!xyz", "password_too_short"),
        ("lowercaseonly-words", "password_classes"),
        ("Shenyang-2018!x", "password_context_word"),
        ("浑南区Abc-12345", "password_context_word"),
        ("Kaifang#2018xy", "password_context_word"),
        ("Admin-Welcome-9", "password_context_word"),
        ("Qx-123456-Zz", "password_context_word"),
        ("x" * 120 + "Ab1!" + "y" * 10, "password_too_long"),
    ],
)
def test_sec_02_weak_passwords_are_rejected(password, code, hunnan):
    with pytest.raises(ValidationError) as caught:
        validate_password(password, hunnan)
    assert code in [error.code for error in caught.value.error_list]


def test_sec_02_common_passwords_and_the_username_are_rejected(hunnan):
    with pytest.raises(ValidationError):
        validate_password("Password123", hunnan)  # in Django's common-password list, lower-cased
    with pytest.raises(ValidationError):
        validate_password("Hunnan-Reporter-1", hunnan)


def test_sec_02_a_64_character_pass_phrase_is_accepted_whole_and_signs_in(client):
    phrase = "Correct horse battery staple, 47 times over the Liao river!!"[:50] + "-Zz9" + "q" * 10
    assert len(phrase) == 64
    make_user("longpass", password=phrase)
    assert login(client, "longpass", phrase).status_code == 302
    assert login(Client(), "longpass", phrase[:-1]).status_code == 200  # not truncated


def test_sec_02_the_policy_is_configurable_three_of_four_classes_by_default():
    module = production_settings(KAIFANG_PASSWORD_MIN_CLASSES="4", KAIFANG_PASSWORD_MIN_LENGTH="12")
    options = {v["NAME"].rsplit(".", 1)[-1]: v.get("OPTIONS", {}) for v in module.AUTH_PASSWORD_VALIDATORS}
    assert options["CharacterClassValidator"] == {"min_classes": 4}
    assert options["MinimumLengthValidator"] == {"min_length": 12}
    defaults = {v["NAME"].rsplit(".", 1)[-1]: v.get("OPTIONS") for v in production_settings().AUTH_PASSWORD_VALIDATORS}
    assert defaults["CharacterClassValidator"] == {"min_classes": 3}
    assert defaults["MinimumLengthValidator"] == {"min_length": 10}


# --- SEC-03 ---------------------------------------------------------------------------------------


def test_sec_03_a_password_older_than_90_days_must_be_changed_before_anything_else(client):
    with freeze_time("2026-01-01 08:00"):
        user = make_user("oldpass")
    with freeze_time("2026-04-02 08:00"):  # 91 days later
        assert login(client, "oldpass", GOOD).status_code == 302
        for url in ("/", "/orgs/"):
            response = client.get(url)
            assert response.status_code == 302 and response["Location"].startswith("/accounts/password/")
        assert client.get("/api/v1/me").status_code == 403
        new = "Green-hill-58?"
        response = client.post("/accounts/password/", {"old_password": GOOD, "new_password": new, "new_password2": new})
        assert response.status_code == 302
        assert client.get("/").status_code == 200
    user.refresh_from_db()
    assert user.password_changed_at.date() == datetime.date(2026, 4, 2)


def test_sec_03_an_admin_reset_issues_a_random_short_lived_password_that_must_be_changed(secadmin, client):
    user = make_user("resetme")
    issued = lifecycle.reset_password(actor=secadmin, user=user)
    validate_password(issued, user)  # random, and passes the policy itself
    assert login(client, "resetme", issued).status_code == 302
    assert client.get("/").headers["Location"].startswith("/accounts/password/")
    assert AuditEvent.objects.filter(action="accounts.user.reset_password", object_id=str(user.pk)).exists()
    with freeze_time(timezone.now() + datetime.timedelta(hours=73)):
        response = login(Client(), "resetme", issued)
        assert response.status_code == 200 and "初始密码已过期" in response.content.decode()


def test_sec_03_changing_the_password_needs_the_current_one(client_for, hunnan):
    c = client_for(hunnan)
    response = c.post("/accounts/password/", {"old_password": "wrong", "new_password": GOOD, "new_password2": GOOD})
    assert response.status_code == 400
    hunnan.refresh_from_db()
    assert hunnan.check_password(DEMO_PASSWORD)


def test_sec_03_new_accounts_change_their_password_at_first_sign_in(client):
    make_user("firsttime", must_change_password=True)
    login(client, "firsttime", GOOD)
    assert client.get("/").headers["Location"].startswith("/accounts/password/")


# --- SEC-04 ---------------------------------------------------------------------------------------


def test_sec_04_lockout_after_five_failures_then_open_again_after_thirty_minutes():
    start = timezone.now()
    with freeze_time(start):
        for _ in range(5):
            assert "账号或密码不正确" in login(Client(), "shenhe", "Wrong-password-1").content.decode()
        response = login(Client(), "shenhe", DEMO_PASSWORD)
        # Refused with the very answer of a wrong password (issue 15: no hint that the account exists).
        wrong = login(Client(), "hunnan", "Wrong-password-1")
        assert response.status_code == 200 and error_text(response) == error_text(wrong) != ""
        assert User.objects.get(username="shenhe").is_locked()
        assert AuditEvent.objects.filter(action="auth.login_locked", object_repr__contains="沈河区").exists()
    with freeze_time(start + datetime.timedelta(minutes=31)):
        assert login(Client(), "shenhe", DEMO_PASSWORD).status_code == 302


def test_sec_04_an_unknown_user_gets_exactly_the_wrong_password_answer():
    unknown = login(Client(), "nobody-here", "Wrong-password-1")
    wrong = login(Client(), "hunnan", "Wrong-password-1")
    assert unknown.status_code == wrong.status_code == 200
    assert error_text(unknown) == error_text(wrong) != ""


def hashes_per_sign_in(username: str, password: str) -> int:
    """How many times the password hasher runs for one sign-in attempt."""
    from django.contrib.auth.hashers import MD5PasswordHasher

    calls = []
    original = MD5PasswordHasher.encode

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return original(self, *args, **kwargs)

    with mock.patch.object(MD5PasswordHasher, "encode", counting):
        login(Client(), username, password)
    return len(calls)


def test_sec_04_locked_unknown_and_wrong_password_take_the_same_work_and_the_same_words():
    """The lock-out answered in 48 ms against 500 ms for a wrong password (issue 15, finding 6): every
    refusal now hashes the password exactly once, and says the same thing."""
    for _ in range(5):
        login(Client(), "shenhe", "Wrong-password-1")
    assert User.objects.get(username="shenhe").is_locked()
    assert hashes_per_sign_in("shenhe", DEMO_PASSWORD) == 1  # locked, even with the right password
    assert hashes_per_sign_in("nobody-here", "Wrong-password-1") == 1  # unknown account
    assert hashes_per_sign_in("hunnan", "Wrong-password-1") == 1  # wrong password
    texts = {
        error_text(login(Client(), name, pw))
        for name, pw in [("shenhe", DEMO_PASSWORD), ("nobody", "x"), ("hunnan", "x")]
    }
    assert len(texts) == 1


@override_settings(KAIFANG_LOGIN_MAX_FAILURES_PER_IP=3)
def test_sec_04_one_address_is_throttled_across_accounts():
    for name in ("ghost1", "ghost2", "ghost3"):
        login(Client(), name, "Wrong-password-1", REMOTE_ADDR="10.9.9.9")
    response = login(Client(), "hunnan", DEMO_PASSWORD, REMOTE_ADDR="10.9.9.9")
    unknown = login(Client(), "nobody-here", "Wrong-password-1", REMOTE_ADDR="10.9.9.10")
    assert response.status_code == 200 and error_text(response) == error_text(unknown)
    assert login(Client(), "hunnan", DEMO_PASSWORD, REMOTE_ADDR="10.9.9.10").status_code == 302


# --- SEC-05 ---------------------------------------------------------------------------------------


def test_sec_05_idle_timeout_is_thirty_minutes_and_removes_the_server_session():
    start = timezone.now()
    c = Client()
    with freeze_time(start):
        login(c, "hunnan")
        key = c.cookies["sessionid"].value
    with freeze_time(start + datetime.timedelta(minutes=29)):
        assert c.get("/").status_code == 200
    with freeze_time(start + datetime.timedelta(minutes=29 + 31)):
        response = c.get("/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        assert not Session.objects.filter(session_key=key).exists()


def test_sec_05_absolute_timeout_ends_an_active_session_after_twelve_hours():
    start = timezone.now()
    c = Client()
    with freeze_time(start):
        login(c, "hunnan")
    for minutes in range(10, 12 * 60, 10):
        with freeze_time(start + datetime.timedelta(minutes=minutes)):
            assert c.get("/healthz").status_code == 200 and c.get("/").status_code == 200
    with freeze_time(start + datetime.timedelta(hours=12, minutes=5)):
        assert c.get("/").status_code == 302


# --- SEC-06 ---------------------------------------------------------------------------------------


def test_sec_06_logout_destroys_the_session_and_a_replayed_cookie_is_anonymous(client):
    login(client, "hunnan")
    key = client.cookies["sessionid"].value
    assert 'action="/accounts/logout/"' in client.get("/").content.decode()  # every page has logout
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    replay = Client()
    replay.cookies["sessionid"] = key
    assert replay.get("/").status_code == 302


def test_sec_06_a_password_change_ends_the_other_sessions():
    a, b = Client(), Client()
    login(a, "shenhe")
    login(b, "shenhe")
    new = "Green-hill-58?"
    a.post("/accounts/password/", {"old_password": DEMO_PASSWORD, "new_password": new, "new_password2": new})
    assert a.get("/").status_code == 200
    assert b.get("/").status_code == 302


def test_sec_06_deactivation_and_forced_logout_end_live_sessions(admin_user, secadmin):
    c, d = Client(), Client()
    user = make_user("leaving")
    login(c, "leaving", GOOD)
    assert c.get("/").status_code == 200
    lifecycle.set_active(actor=admin_user, user=user, active=False)
    assert c.get("/").status_code == 302
    login(d, "ganjingzi")
    assert lifecycle.force_logout(actor=secadmin, user=User.objects.get(username="ganjingzi")) == 1
    assert d.get("/").status_code == 302


# --- SEC-07 ---------------------------------------------------------------------------------------


@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_sec_07_a_new_session_key_at_login_and_cookies_are_secure_httponly_samesite(client, caplog):
    session = client.session
    session["before"] = 1
    session.save()
    before = session.session_key
    client.cookies["sessionid"] = before
    with caplog.at_level(logging.DEBUG):
        response = login(client, "hunnan", secure=True)
    cookie = response.cookies["sessionid"]
    assert cookie.value != before
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie.value not in caplog.text and "sessionid=" + cookie.value not in response["Location"]
    assert production_settings().SESSION_COOKIE_SECURE is True


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
