"""The catalogue and targets file pages: export for everyone, imports with a dry run then a confirm
for those who may, and nothing for anyone else (the other county included)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kaifang.audit.models import AuditEvent
from kaifang.core.testing import xlsx_bytes
from kaifang.indicators.models import Indicator, Target
from kaifang.indicators.services.catalogue_files import adopt_starter_catalogue
from kaifang.indicators.services.target_files import COLUMNS, SHEET

pytestmark = pytest.mark.django_db


def test_everyone_exports_the_catalogue_and_the_export_is_audited(client_for, admin_user, hunnan):
    adopt_starter_catalogue(actor=admin_user)
    response = client_for(hunnan).get("/indicators/catalogue/export.json")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert len(json.loads(response.content)["indicators"]) == 17
    assert AuditEvent.objects.filter(action="export.indicators.catalogue", actor_username="hunnan").exists()
    assert client_for(hunnan).get("/indicators/catalogue/export.xlsx").status_code == 200


def test_the_admin_adopts_the_starter_catalogue_after_checking_it(client_for, admin_user):
    c = client_for(admin_user)
    checked = c.post("/indicators/catalogue/import/", {"starter": "1"})
    assert checked.status_code == 200 and "新增 17 个" in checked.content.decode()
    assert not Indicator.objects.exists()
    confirmed = c.post("/indicators/catalogue/import/", {"token": checked.context["token"]})
    assert confirmed.status_code == 302 and Indicator.objects.count() == 17


def test_nobody_else_imports_a_catalogue(client_for, province, hunnan):
    upload = SimpleUploadedFile("c.json", b'{"indicators": []}')
    for who in (province, hunnan):
        assert client_for(who).post("/indicators/catalogue/import/", {"file": upload}).status_code == 403


def _targets(rows):
    return SimpleUploadedFile("t.xlsx", xlsx_bytes({SHEET: [COLUMNS, *rows]}))


def test_a_city_imports_its_counties_targets_and_another_county_cannot(client_for, admin_user, shenyang, hunnan):
    adopt_starter_catalogue(actor=admin_user)
    c = client_for(shenyang)
    assert c.get("/indicators/targets/template.xlsx?unit=210100&year=2019").status_code == 200
    rows = [[2019, "210112", "", "FDI", "", "", 1200], [2019, "210103", "", "FDI", "", "", 900]]
    checked = c.post("/indicators/targets/import/?unit=210100&year=2019", {"file": _targets(rows)})
    page = checked.content.decode()
    assert checked.status_code == 200 and 'id="gaps"' in page and "2 / 13" in page
    assert not Target.objects.exists()
    done = c.post("/indicators/targets/import/", {"token": checked.context["token"], "unit": "210100", "year": "2019"})
    assert done.status_code == 302 and Target.objects.count() == 2
    changed = [[2019, "210103", "", "FDI", "", "", 1]]
    refused = client_for(hunnan).post("/indicators/targets/import/", {"file": _targets(changed)})
    assert refused.status_code == 400 and "您无权为“沈河区”下达目标" in refused.content.decode()
    assert Target.objects.get(unit__code="210103").annual == 900
    assert client_for(hunnan).get("/indicators/targets/template.xlsx?unit=210103&year=2019").status_code == 404
