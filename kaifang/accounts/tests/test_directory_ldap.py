"""LDAP sign-in against a real slapd started by the test (issue 16 item 1)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from kaifang.accounts.directory import add_rule, resolve
from kaifang.accounts.models import DirectoryRule, Role, User
from kaifang.accounts.tests.slapd_server import PASSWORD, running_slapd
from kaifang.audit.models import AuditEvent
from kaifang.core.actors import SystemActor
from kaifang.orgs.models import OrgUnit

BACKENDS = ["kaifang.accounts.backends.LockoutModelBackend", "kaifang.accounts.ldap_backend.DirectoryLdapBackend"]
ADMIN = SystemActor("test")


@pytest.fixture(scope="module")
def slapd():  # type: ignore[no-untyped-def]
    with running_slapd() as server:
        yield server


@pytest.fixture
def ldap_on(slapd, settings):  # type: ignore[no-untyped-def]
    for name, value in slapd.settings().items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = BACKENDS
    return slapd


@pytest.fixture
def rules(db):  # type: ignore[no-untyped-def]
    """Unit from departmentNumber (the unit code), role from the group."""
    add_rule(actor=ADMIN, source="attribute", attribute="departmentNumber", value="*", priority=10)
    add_rule(actor=ADMIN, source="group", value="reporters", role=Role.REPORTER, priority=20)
    add_rule(actor=ADMIN, source="group", value="cn=city-officers,ou=groups,dc=ln,dc=gov,dc=cn", role=Role.CITY_OFFICER)


def login(username: str, password: str = PASSWORD) -> tuple[Client, object]:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return client, response


def test_a_mapped_county_reporter_signs_in_with_the_directory_password(ldap_on, rules):  # type: ignore[no-untyped-def]
    client, response = login("zhang.hn")
    assert response.status_code == 302, response.content.decode()[:500]
    user = User.objects.get(username="zhang.hn")
    assert (user.unit.code, user.role, user.directory) == ("210112", Role.REPORTER, "ldap")
    assert user.display_name == "浑南区 张目录"
    assert user.has_scope and not user.has_usable_password()
    assert user.assignments.get(until__isnull=True).unit.code == "210112"
    sync = AuditEvent.objects.get(action="accounts.user.directory_sync", object_repr="浑南区 张目录")
    assert sync.actor_username == "directory.ldap" and sync.after["unit"] == "210112"
    # in scope: its own county's page, not the neighbour's
    home = client.get("/")
    assert home.status_code == 200


def test_a_city_officer_gets_the_city_from_the_group_given_by_full_dn(ldap_on, rules):  # type: ignore[no-untyped-def]
    _, response = login("li.sy")
    assert response.status_code == 302
    user = User.objects.get(username="li.sy")
    assert (user.unit.code, user.role) == ("210100", Role.CITY_OFFICER)


def test_a_wrong_directory_password_is_the_usual_refusal(ldap_on, rules):  # type: ignore[no-untyped-def]
    _, response = login("zhang.hn", "wrong-password")
    assert response.status_code == 200
    assert "账号或密码不正确" in response.content.decode()
    assert not User.objects.filter(username="zhang.hn").exists()


@pytest.mark.parametrize("username", ["wang.xx", "zhao.hn"])
def test_an_unmapped_directory_person_gets_no_access_and_a_clear_message(ldap_on, rules, username):  # type: ignore[no-untyped-def]
    # wang.xx: unit code 999999 is no unit; zhao.hn: in no group, so no role
    client, response = login(username)
    assert response.status_code == 200
    page = response.content.decode()
    assert "尚未对应到本系统的单位和角色" in page and "目录映射" in page
    assert not User.objects.filter(username=username).exists()
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action="auth.directory_unmapped")
    assert event.after["username"] == username


def test_no_rules_at_all_means_nobody_from_the_directory_gets_in(ldap_on, db):  # type: ignore[no-untyped-def]
    _, response = login("zhang.hn")
    assert "尚未对应到本系统的单位和角色" in response.content.decode()


def test_a_local_account_of_the_same_name_is_not_taken_over(ldap_on, rules, hunnan):  # type: ignore[no-untyped-def]
    # the directory's "hunnan" has its own password; the local break-glass account keeps its own
    _, response = login("hunnan", PASSWORD)
    assert response.status_code == 200
    hunnan.refresh_from_db()
    assert hunnan.directory == "" and hunnan.has_usable_password()
    _, response = login("hunnan", "Demo-2018!open")
    assert response.status_code == 302


def test_local_break_glass_accounts_still_need_their_second_factor(ldap_on, rules, province, settings):  # type: ignore[no-untyped-def]
    settings.KAIFANG_REQUIRE_2FA = True
    client, response = login("province", "Demo-2018!open")
    assert response.status_code == 302 and "/accounts/2fa/" in response["Location"]
    assert client.get("/").status_code == 302  # nothing but the second-factor page until it is done


def test_a_changed_mapping_moves_the_person_at_the_next_sign_in(ldap_on, rules):  # type: ignore[no-untyped-def]
    login("zhang.hn")
    DirectoryRule.objects.filter(value="*").delete()
    shenhe = OrgUnit.objects.get(code="210103")
    add_rule(actor=ADMIN, source="attribute", attribute="departmentNumber", value="210112", unit=shenhe)
    login("zhang.hn")
    user = User.objects.get(username="zhang.hn")
    assert user.unit.code == "210103"
    assert [a.unit.code for a in user.assignments.order_by("since", "id")] == ["210112", "210103"]


def test_ldap_and_cas_are_off_by_default(monkeypatch):  # type: ignore[no-untyped-def]
    from importlib import reload

    import kaifang.settings as module

    monkeypatch.delenv("KAIFANG_LDAP_URL", raising=False)
    monkeypatch.delenv("KAIFANG_CAS_URL", raising=False)
    assert reload(module).AUTHENTICATION_BACKENDS == ["kaifang.accounts.backends.LockoutModelBackend"]


def test_the_dry_run_lists_who_gets_which_unit_and_role(ldap_on, rules):  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command("ldap_mapping", "--dry-run", stdout=out)
    lines = {line.split()[0]: line for line in out.getvalue().splitlines() if line.strip() and not line.startswith("#")}
    assert "浑南区" in lines["zhang.hn"] and "填报员" in lines["zhang.hn"]
    assert "沈阳市" in lines["li.sy"] and "市级管理员" in lines["li.sy"]
    assert "不能登录" in lines["wang.xx"] and "不能登录" in lines["zhao.hn"]
    assert "同名" in lines["hunnan"]  # maps, but a local account of that name signs in locally only
    assert "合计 5 人：可登录 2 人，不能登录 3 人" in out.getvalue()
    assert not User.objects.filter(username__in=["zhang.hn", "li.sy"]).exists()  # a dry run writes nothing


def test_resolve_takes_the_first_matching_rule_for_each_of_unit_and_role(db):  # type: ignore[no-untyped-def]
    hunnan, shenhe = OrgUnit.objects.get(code="210112"), OrgUnit.objects.get(code="210103")
    rules = [
        DirectoryRule(source="attribute", attribute="ou", value="浑南", unit=hunnan, priority=1),
        DirectoryRule(source="attribute", attribute="ou", value="浑南", unit=shenhe, role=Role.LEADER, priority=2),
        DirectoryRule(source="group", value="reporters", role=Role.REPORTER, priority=3),
    ]
    result = resolve({"OU": [b"\xe6\xb5\x91\xe5\x8d\x97"]}, ["CN=Reporters,OU=groups,DC=x"], rules)
    assert (result.unit, result.role, result.mapped) == (hunnan, Role.LEADER, True)
    result = resolve({"ou": ["沈河"]}, ["cn=reporters,ou=groups"], rules)
    assert result.unit is None and not result.mapped


def test_the_security_administrator_edits_the_mapping_on_its_page(client_for, secadmin, admin_user, hunnan):  # type: ignore[no-untyped-def]
    page = client_for(secadmin)
    unit = OrgUnit.objects.get(code="210112")
    response = page.post(
        "/accounts/directory/",
        {"source": "attribute", "attribute": "ou", "value": "浑南区", "unit": unit.pk, "role": "", "priority": 5},
    )
    assert response.status_code == 302
    rule = DirectoryRule.objects.get()
    assert (rule.attribute, rule.value, rule.unit, rule.role) == ("ou", "浑南区", unit, "")
    event = AuditEvent.objects.get(action="accounts.directory_rule.add")
    assert event.actor_username == "secadmin" and event.after["unit"] == "210112"
    missing = page.post("/accounts/directory/", {"source": "attribute", "value": "x", "priority": 1})
    assert missing.status_code == 400 and "请填写属性名" in missing.content.decode()
    # the system administrator reads it but cannot change it; a reporter cannot even read it
    assert "浑南区" in client_for(admin_user).get("/accounts/directory/").content.decode()
    assert client_for(admin_user).post(f"/accounts/directory/{rule.pk}/delete").status_code == 403
    assert client_for(hunnan).get("/accounts/directory/").status_code == 403
    assert page.post(f"/accounts/directory/{rule.pk}/delete").status_code == 302
    assert not DirectoryRule.objects.exists()
    assert AuditEvent.objects.filter(action="accounts.directory_rule.delete").count() == 1
