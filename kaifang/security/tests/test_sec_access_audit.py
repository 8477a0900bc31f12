"""SEC-20 as issue 15 found it missing: every refusal of a signed-in user and every download is in
the audit trail (who, what, filter, row count), and identical refusals within a minute are one row
with a count. SEC-49: a CSRF failure and OPTIONS answer like the rest of the app."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

import kaifang.urls  # noqa: F401  (the API's schemas are built before a test freezes the time)
from kaifang.accounts.services import create_token
from kaifang.audit.models import AuditEvent, DenialWindow
from kaifang.audit.services import flush_denials
from kaifang.core.actors import SystemActor
from kaifang.ledgers.tests.conftest import new_project

pytestmark = pytest.mark.django_db


def denials() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="access.denied").order_by("id"))


def bearer(user) -> Client:  # type: ignore[no-untyped-def]
    return Client(headers={"Authorization": f"Bearer {create_token(actor=SystemActor('test'), user=user)[1]}"})


# --- SEC-20: denials --------------------------------------------------------------------------------


def test_sec_20_another_countys_project_refused_through_the_api_is_audited(hunnan, dalian):
    project = new_project(dalian, unit_code="210211")
    response = bearer(hunnan).get(f"/api/v1/projects/{project.pk}")
    assert response.status_code == 404
    assert denials() == []  # counted for a minute first …
    flush_denials(everything=True)
    (event,) = denials()
    assert event.actor_username == "hunnan" and event.actor_unit_code == "210112"
    assert event.after["path"] == f"/api/v1/projects/{project.pk}" and event.after["status"] == 404
    assert event.after["count"] == 1 and event.channel == "api"
    assert DenialWindow.objects.count() == 0


def test_sec_20_a_refused_page_is_audited_with_its_query(client_for, hunnan):
    client_for(hunnan).get("/audit/", {"actor": "province"})  # the trail is not for a county reporter
    flush_denials(everything=True)
    (event,) = denials()
    assert event.after["status"] == 403 and event.after["query"] == "actor=province"


def test_sec_20_identical_denials_within_a_minute_are_one_row_with_a_count(hunnan, dalian):
    project = new_project(dalian, unit_code="210211")
    client = bearer(hunnan)
    start = timezone.now()
    with freeze_time(start):
        for _ in range(5):
            assert client.get(f"/api/v1/projects/{project.pk}").status_code == 404
        client.get("/api/v1/projects/999999")  # another address: its own row
    with freeze_time(start + datetime.timedelta(seconds=59)):
        assert flush_denials() == 0  # the minute is not over
    with freeze_time(start + datetime.timedelta(seconds=61)):
        client.get(f"/api/v1/projects/{project.pk}")  # a new minute; writes the finished ones first
        counts = sorted(e.after["count"] for e in denials())
        assert counts == [1, 5]  # 5 identical refusals → one row counting 5; the other address 1
        assert flush_denials(everything=True) == 1
    assert sorted(e.after["count"] for e in denials()) == [1, 1, 5]


def test_sec_20_anonymous_requests_are_not_counted_as_a_users_denials(client):
    client.get("/api/v1/projects/1")
    client.get("/audit/")
    flush_denials(everything=True)
    assert denials() == []


# --- SEC-20: downloads ------------------------------------------------------------------------------


def exports(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def test_sec_20_the_project_export_is_audited_with_filter_and_row_count(client_for, shenyang, hunnan, dalian):
    new_project(hunnan, unit_code="210112", name="浑南一号")
    new_project(hunnan, unit_code="210112", name="浑南二号")
    new_project(dalian, unit_code="210211", name="大连项目")
    response = client_for(shenyang).get("/ledgers/projects/export.xlsx", {"q": "浑南"})
    assert response.status_code == 200
    (event,) = exports("export.ledgers.projects")
    # 沈阳市 sees its two 浑南区 projects (the 大连 one is outside its city): 2 rows
    assert event.after["rows"] == 2 and "浑南" in str(event.after["filters"])
    assert event.actor_username == "shenyang"
    # Another county exports only its own: 大连's officer sees the one 大连 project, none of 沈阳's.
    client_for(dalian).get("/ledgers/projects/export.xlsx")
    assert sorted(e.after["rows"] for e in exports("export.ledgers.projects")) == [1, 2]


def test_sec_20_the_talent_and_board_exports_are_audited(client_for, province):
    c = client_for(province)
    assert c.get("/ledgers/talents/export.xlsx").status_code == 200
    assert c.get("/supervision/board.xlsx").status_code == 200
    assert exports("export.ledgers.talents")[0].after["rows"] == 0
    assert exports("export.supervision.tasks")[0].after["rows"] == 0


def test_sec_20_the_reporting_template_download_is_audited(client_for, hunnan):
    from kaifang.reporting.tests.conftest import make_catalogue, make_round

    june = make_round(make_catalogue())
    response = client_for(hunnan).get(f"/reporting/{june.pk}/template.xlsx")
    assert response.status_code == 200, response.status_code
    (event,) = AuditEvent.objects.filter(action__startswith="export.reporting")
    assert event.actor_username == "hunnan"


def test_sec_20_an_export_the_view_audits_itself_is_not_written_twice(client_for, auditor):
    client_for(auditor).get("/audit/export.csv")
    assert AuditEvent.objects.filter(action__startswith="export.").count() == 1


# --- SEC-49: CSRF, OPTIONS, absurd ids ----------------------------------------------------------------


def test_sec_49_a_csrf_failure_shows_the_apps_page_with_a_request_id(hunnan):
    client = Client(enforce_csrf_checks=True)
    client.force_login(hunnan)
    response = client.post("/accounts/password/", {"old_password": "x"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "CSRF verification failed" not in body and "页面已过期" in body
    assert response["X-Request-ID"] in body


def test_sec_49_options_answers_with_allow_only(client_for, hunnan):
    c = client_for(hunnan)
    page = c.options("/supervision/")
    assert page.status_code == 200 and page.content == b"" and "GET" in page["Allow"]
    api = c.options("/api/v1/projects")
    assert api.status_code == 200 and api.content == b""
    assert api["Allow"] == "GET, OPTIONS, POST"


def test_sec_49_an_id_larger_than_any_record_is_a_404_on_pages_too(client_for, province):
    c = client_for(province)
    assert c.get("/reporting/9223372036854775808/210112/").status_code == 404
    assert c.get("/ledgers/projects/9223372036854775808/").status_code == 404
