"""The user administration pages: each of the three administrators does their own part and nothing
else; every other user (a county reporter of another county included) sees and changes nothing."""

from __future__ import annotations

import pytest

from kaifang.accounts.models import Role, User
from kaifang.accounts.services import create_user
from kaifang.accounts.tests.workbooks import accounts_workbook
from kaifang.audit.models import AuditEvent
from kaifang.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db


def _pending(admin_user) -> User:
    return create_user(
        actor=admin_user,
        username="li.new",
        unit=OrgUnit.objects.get(code="210112"),
        role=Role.REPORTER,
        display_name="李新",
    )


def test_only_the_three_administrators_open_the_pages(client_for, admin_user, secadmin, auditor, province, hunnan):
    account = _pending(admin_user)
    for who in (admin_user, secadmin, auditor):
        c = client_for(who)
        assert c.get("/accounts/users/").status_code == 200
        assert "li.new" in c.get(f"/accounts/users/{account.pk}/").content.decode()
    for who in (province, hunnan):
        c = client_for(who)
        assert c.get("/accounts/users/").status_code == 403
        assert c.get(f"/accounts/users/{account.pk}/").status_code == 403


def test_the_system_admin_creates_an_account_that_waits_for_a_grant(client_for, admin_user):
    response = client_for(admin_user).post(
        "/accounts/users/new/",
        {"username": "zhao.new", "display_name": "赵新", "unit": "210103", "role": "reporter", "phone": ""},
    )
    assert response.status_code == 302
    account = User.objects.get(username="zhao.new")
    assert account.unit.code == "210103" and account.scope_granted_at is None


def test_granting_is_the_security_admins_and_a_refusal_changes_nothing(
    client_for, admin_user, secadmin, auditor, ganjingzi
):
    account = _pending(admin_user)
    post = {"action": "grant", "role": "reporter", "unit": "210112", "version": account.version}
    for who in (admin_user, auditor, ganjingzi):
        status = client_for(who).post(f"/accounts/users/{account.pk}/act", post).status_code
        assert status == 403, who.username
    account.refresh_from_db()
    assert account.scope_granted_at is None
    assert client_for(secadmin).post(f"/accounts/users/{account.pk}/act", post).status_code == 302
    account.refresh_from_db()
    assert account.scope_granted_at is not None and account.unit.code == "210112"


def test_the_security_admin_prints_one_time_passwords_and_nobody_else_can(client_for, admin_user, secadmin, hunnan):
    account = _pending(admin_user)
    for who in (admin_user, hunnan):
        response = client_for(who).post("/accounts/users/passwords/", {"ids": [account.pk], "grant": "1"})
        assert response.status_code == 403
    account.refresh_from_db()
    assert not account.has_usable_password()
    response = client_for(secadmin).post("/accounts/users/passwords/", {"ids": [account.pk], "grant": "1"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    account.refresh_from_db()
    page = response.content.decode()
    shown = page.split('class="mono secret">')[1].split("<")[0]
    assert account.check_password(shown) and account.scope_granted_at is not None


def test_a_bulk_import_dry_runs_then_applies_the_checked_file(client_for, admin_user, secadmin):
    rows = [
        ["imp.one", "甲", "210112", "浑南区", "填报员", "13900000001"],
        ["imp.two", "乙", "210100", "", "市级管理员", ""],
    ]
    upload = accounts_workbook(rows)
    c = client_for(admin_user)
    checked = c.post("/accounts/users/import/", {"file": upload})
    assert checked.status_code == 200 and "新建 2 个账号" in checked.content.decode()
    assert not User.objects.filter(username__startswith="imp.").exists()
    token = checked.context["token"]
    applied = c.post("/accounts/users/import/", {"token": token})
    assert applied.status_code == 302
    assert set(User.objects.filter(username__startswith="imp.").values_list("username", flat=True)) == {
        "imp.one",
        "imp.two",
    }
    assert AuditEvent.objects.filter(action="accounts.user.import").count() == 1
    # The security administrator may not import; nor may the other county.
    assert client_for(secadmin).post("/accounts/users/import/", {"file": accounts_workbook(rows)}).status_code == 403


def test_an_import_with_problems_lists_them_by_row_and_offers_no_apply(client_for, admin_user):
    upload = accounts_workbook([["bad.one", "甲", "999999", "", "填报员", ""]])
    response = client_for(admin_user).post("/accounts/users/import/", {"file": upload})
    page = response.content.decode()
    assert response.status_code == 400 and "第2行" in page and "999999" in page
    assert 'name="token"' not in page


def test_the_pages_speak_english_after_the_switch(client_for, secadmin):
    c = client_for(secadmin)
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = c.get("/accounts/users/").content.decode()
    assert ">Users<" in page and "Grant the selected accounts and issue one-time passwords" in page
    assert "用户管理" not in page
