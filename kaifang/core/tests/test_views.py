"""The shell pages per persona, the audit page, and bad input answered with 4xx in Chinese."""

import pytest
from django.test import Client

from kaifang.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_home_shows_my_unit_and_only_my_part_of_the_tree(client_for, shenyang, hunnan):
    page = client_for(shenyang).get("/").content.decode()
    assert "沈阳市" in page and "浑南区" in page and "甘井子区" not in page
    page = client_for(hunnan).get("/").content.decode()
    assert "浑南区" in page and "沈河区" not in page


def test_tree_page_lists_only_the_visible_units(client_for, hunnan, dalian):
    page = client_for(hunnan).get("/orgs/").content.decode()
    assert "浑南区" in page and "沈阳市" not in page
    page = client_for(dalian).get("/orgs/").content.decode()
    assert "甘井子区" in page and "浑南区" not in page


def test_anonymous_users_are_sent_to_login(client):
    response = client.get("/orgs/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_audit_page_is_for_supervisors_and_auditors_only(client_for, province, auditor, hunnan):
    AuditEvent.objects.create(at="2018-06-01T00:00:00+08:00", action="test.event", object_repr="样例")
    assert client_for(hunnan).get("/audit/").status_code == 403
    page = client_for(auditor).get("/audit/?action=test.").content.decode()
    assert "样例" in page
    assert client_for(province).get("/audit/?date_from=not-a-date").status_code == 200


def test_unknown_and_malformed_codes_are_a_chinese_404_not_a_500(client_for, province):
    c = client_for(province)
    for path in ["/orgs/999999/", "/orgs/%E2%80%AE%00/", "/orgs/" + "9" * 500 + "/"]:
        response = c.get(path)
        assert response.status_code == 404
    assert "不在您的权限范围内" in c.get("/orgs/999999/").content.decode()
    api = c.get("/api/v1/orgunits/" + "x" * 300)
    assert api.status_code == 404 and "detail" in api.json()


def test_bad_api_filters_are_a_422_with_json(client_for, province):
    response = client_for(province).get("/api/v1/orgunits?kind=galaxy")
    assert response.status_code == 422 and "detail" in response.json()


def test_oversized_post_is_a_400(client_for, province, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client_for(province).post("/accounts/password/", {"old_password": "x" * 5000})
    assert response.status_code == 400


def test_csrf_is_enforced_on_forms():
    c = Client(enforce_csrf_checks=True)
    assert c.post("/accounts/login/", {"username": "hunnan", "password": "x"}).status_code == 403


def test_english_is_available(client_for, hunnan):
    c = client_for(hunnan)
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert 'lang="en"' in c.get("/").content.decode()
