"""The catalogue and targets file API: the import services with their dry run, for those who may."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kaifang.core.testing import xlsx_bytes
from kaifang.indicators.models import Indicator, Target
from kaifang.indicators.services.catalogue_files import STARTER, adopt_starter_catalogue
from kaifang.indicators.services.target_files import COLUMNS, SHEET

pytestmark = pytest.mark.django_db


def test_the_catalogue_imports_through_the_api_after_a_dry_run(client_for, admin_user, hunnan):
    api = client_for(admin_user)
    dry = api.post("/api/v1/indicators/catalogue/import", {"file": SimpleUploadedFile("s.json", STARTER.read_bytes())})
    assert dry.status_code == 200 and dry.json()["committed"] is False and not Indicator.objects.exists()
    upload = SimpleUploadedFile("s.json", STARTER.read_bytes())
    refused = client_for(hunnan).post("/api/v1/indicators/catalogue/import", {"file": upload, "commit": "true"})
    assert refused.status_code == 403 and not Indicator.objects.exists()
    upload = SimpleUploadedFile("s.json", STARTER.read_bytes())
    done = api.post("/api/v1/indicators/catalogue/import", {"file": upload, "commit": "true"}).json()
    assert done["committed"] and len(done["created"]) == 17
    assert len(client_for(hunnan).get("/api/v1/indicators/catalogue/export").json()["indicators"]) == 17


def test_targets_import_through_the_api_and_the_other_city_is_refused_by_row(client_for, admin_user, shenyang, dalian):
    adopt_starter_catalogue(actor=admin_user)
    rows = [[2019, "210112", "", "FDI", "", "", 1200]]

    def upload():
        return SimpleUploadedFile("t.xlsx", xlsx_bytes({SHEET: [COLUMNS, *rows]}))

    refused = client_for(dalian).post("/api/v1/targets/import", {"file": upload(), "commit": "true"}).json()
    assert refused["committed"] is False and refused["problems"][0]["row"] == 2
    assert refused["problems"][0]["column"] == "B" and not Target.objects.exists()
    done = client_for(shenyang).post("/api/v1/targets/import", {"file": upload(), "commit": "true"}).json()
    assert done["committed"] and done["created"] == ["2019/210112/FDI"]
