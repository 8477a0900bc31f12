"""CAS single sign-on against the test-only CAS 3.0 server the tests start (issue 16 item 2)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.test import Client

from kaifang.accounts.directory import add_rule
from kaifang.accounts.models import Role, User
from kaifang.accounts.tests.cas_server import PASSWORD, running_cas
from kaifang.audit.models import AuditEvent
from kaifang.core.actors import SystemActor

BACKENDS = ["kaifang.accounts.backends.LockoutModelBackend", "kaifang.accounts.cas_backend.DirectoryCasBackend"]
ADMIN = SystemActor("test")


@pytest.fixture(scope="module")
def cas():  # type: ignore[no-untyped-def]
    with running_cas() as server:
        yield server


@pytest.fixture
def cas_on(cas, settings):  # type: ignore[no-untyped-def]
    settings.CAS_SERVER_URL = cas.url
    settings.AUTHENTICATION_BACKENDS = BACKENDS
    return cas


@pytest.fixture
def rules(db):  # type: ignore[no-untyped-def]
    add_rule(actor=ADMIN, source="attribute", attribute="departmentNumber", value="*", priority=10)
    add_rule(actor=ADMIN, source="group", value="reporters", role=Role.REPORTER, priority=20)
    add_rule(actor=ADMIN, source="group", value="city-officers", role=Role.CITY_OFFICER, priority=30)


def sign_in_through_cas(client: Client, cas, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    """What the browser does: Kaifang → CAS login form → back to Kaifang with a ticket."""
    first = client.get("/accounts/cas/login/?next=/")
    assert first.status_code == 302 and first["Location"].startswith(cas.url + "login?service=")
    service = parse_qs(urlparse(first["Location"]).query)["service"][0]
    answer = requests.post(
        cas.url + "login", data={"service": service, "username": username, "password": password}, allow_redirects=False
    )
    assert answer.status_code == 302, answer.text
    back = urlparse(answer.headers["Location"])
    return client.get(back.path + "?" + back.query)


def test_a_county_reporter_signs_in_once_and_lands_in_the_county_scope(cas_on, rules):  # type: ignore[no-untyped-def]
    client = Client()
    response = sign_in_through_cas(client, cas_on, "zhang.hn")
    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(username="zhang.hn")
    assert (user.unit.code, user.role, user.directory) == ("210112", Role.REPORTER, "cas")
    assert user.display_name == "浑南区 张统一"
    assert not user.has_usable_password()
    assert cas_on.state.validations[-1] == "/cas/p3/serviceValidate"  # CAS 3.0: attributes from p3
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.login", actor_username="zhang.hn").exists()


def test_a_ticket_works_once(cas_on, rules):  # type: ignore[no-untyped-def]
    client = Client()
    first = client.get("/accounts/cas/login/?next=/")
    service = parse_qs(urlparse(first["Location"]).query)["service"][0]
    form = {"service": service, "username": "li.sy", "password": PASSWORD}
    answer = requests.post(cas_on.url + "login", data=form, allow_redirects=False)
    back = urlparse(answer.headers["Location"])
    assert client.get(back.path + "?" + back.query).status_code == 302
    replay = Client().get(back.path + "?" + back.query)
    assert replay.status_code == 403 and "票据无效或已过期" in replay.content.decode()
    assert User.objects.get(username="li.sy").role == Role.CITY_OFFICER


def test_an_unmapped_person_gets_no_access_and_a_clear_message(cas_on, rules):  # type: ignore[no-untyped-def]
    client = Client()
    response = sign_in_through_cas(client, cas_on, "wang.xx")
    assert response.status_code == 403
    assert "尚未对应到本系统的单位和角色" in response.content.decode()
    assert not User.objects.filter(username="wang.xx").exists()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.get(action="auth.directory_unmapped").after["source"] == "cas"


def test_the_login_page_offers_single_sign_on_only_when_configured(cas, settings, db):  # type: ignore[no-untyped-def]
    assert "统一身份认证登录" not in Client().get("/accounts/login/").content.decode()
    settings.CAS_SERVER_URL = cas.url
    assert "统一身份认证登录" in Client().get("/accounts/login/").content.decode()


def test_sso_users_skip_the_local_second_factor_but_local_accounts_keep_it(cas_on, rules, settings):  # type: ignore[no-untyped-def]
    settings.KAIFANG_REQUIRE_2FA = True
    settings.KAIFANG_2FA_ROLES = [Role.REPORTER, Role.CITY_OFFICER]
    client = Client()
    sign_in_through_cas(client, cas_on, "zhang.hn")
    assert client.get("/").status_code == 200
    local = Client()
    assert (
        "/accounts/2fa/"
        in local.post("/accounts/login/", {"username": "hunnan", "password": "Demo-2018!open"})["Location"]
    )


def test_logout_ends_the_cas_session_too(cas_on, rules):  # type: ignore[no-untyped-def]
    client = Client()
    sign_in_through_cas(client, cas_on, "zhang.hn")
    response = client.get("/accounts/cas/logout/")
    assert response.status_code == 302 and response["Location"].startswith(cas_on.url + "logout")
    assert client.get("/").status_code == 302
