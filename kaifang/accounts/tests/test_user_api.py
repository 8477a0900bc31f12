"""The user administration API: the same services and guards as the pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kaifang.accounts.models import User
from kaifang.accounts.tests.workbooks import accounts_bytes

pytestmark = pytest.mark.django_db

ROWS = [["api.one", "甲", "210112", "", "填报员", ""], ["api.two", "乙", "210103", "", "填报员", ""]]


def _upload(rows):
    return SimpleUploadedFile("accounts.xlsx", accounts_bytes(rows))


def test_import_checks_then_commits_and_the_other_county_is_refused(client_for, admin_user, ganjingzi):
    api = client_for(admin_user)
    checked = api.post("/api/v1/users/import", {"file": _upload(ROWS)})
    assert checked.status_code == 200 and checked.json()["committed"] is False
    assert not User.objects.filter(username__startswith="api.").exists()
    done = api.post("/api/v1/users/import", {"file": _upload(ROWS), "commit": "true"}).json()
    assert done["committed"] and done["created"] == ["api.one", "api.two"]
    refused = client_for(ganjingzi).post("/api/v1/users/import", {"file": _upload(ROWS), "commit": "true"})
    assert refused.status_code == 403


def test_import_problems_come_back_by_row_and_column(client_for, admin_user):
    body = (
        client_for(admin_user)
        .post(
            "/api/v1/users/import", {"file": _upload([["api.x", "甲", "000000", "", "填报员", ""]]), "commit": "true"}
        )
        .json()
    )
    assert body["committed"] is False
    assert body["problems"][0]["row"] == 2 and body["problems"][0]["column"] == "C"
    assert "000000" in body["problems"][0]["message"]


def test_passwords_are_issued_by_the_security_admin_only(client_for, admin_user, secadmin, hunnan):
    client_for(admin_user).post("/api/v1/users/import", {"file": _upload(ROWS), "commit": "true"})
    payload = {"usernames": ["api.one"], "grant": True}
    for who in (admin_user, hunnan):
        response = client_for(who).post("/api/v1/users/passwords", payload, content_type="application/json")
        assert response.status_code in (403, 404), who.username
    issued = client_for(secadmin).post("/api/v1/users/passwords", payload, content_type="application/json").json()
    account = User.objects.get(username="api.one")
    assert account.check_password(issued[0]["password"]) and account.scope_granted_at is not None


def test_the_list_is_for_the_three_administrators(client_for, auditor, hunnan):
    assert len(client_for(auditor).get("/api/v1/users?limit=5").json()) == 5
    assert client_for(hunnan).get("/api/v1/users").json() == []
