"""The project and talent lists page on the server with the total, filters combine, the export is
exactly the filtered set (and audited), the API pages with limit/offset and a count; another
county sees and exports nothing of Dalian's."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest

from kaifang.audit.models import AuditEvent
from kaifang.core.actors import SystemActor
from kaifang.ledgers.services.talents import TalentInput, create_talent
from kaifang.ledgers.tests.conftest import new_project, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def dalian_projects(db):  # type: ignore[no-untyped-def]
    """45 projects of Dalian: 25 in 甘井子区 (Japan, manufacturing C), 20 in 旅顺口区 (Singapore,
    logistics G); lead dates one day apart from 2018-01-01 so the newest-first order is known."""
    start = datetime.date(2018, 1, 1)
    for i in range(25):
        new_project(name=f"甘井子制造{i:02d}", received=start + datetime.timedelta(days=i))
    for i in range(20):
        new_project(
            name=f"旅顺物流{i:02d}",
            unit_code="210212",
            origin="SG",
            industry="G",
            received=start + datetime.timedelta(days=25 + i),
        )


def names(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.name for p in response.context["page"]]


def test_the_project_list_pages_past_its_first_page_with_the_total(client_for, dalian, dalian_projects):
    c = client_for(dalian)
    first = c.get("/ledgers/projects/?size=20")
    second = c.get("/ledgers/projects/?size=20&page=2")
    third = c.get("/ledgers/projects/?size=20&page=3")
    # 45 projects, 20 a page: 20 + 20 + 5. Newest lead first: 旅顺物流19 (day 44) … 甘井子制造00 (day 0).
    assert first.context["page"].count == 45 and first.context["page"].num_pages == 3
    assert names(first)[0] == "旅顺物流19" and names(first)[-1] == "旅顺物流00"
    assert names(second)[0] == "甘井子制造24" and names(second)[-1] == "甘井子制造05"
    assert names(third) == [f"甘井子制造{i:02d}" for i in range(4, -1, -1)]
    assert "第 21–40 条，共 45 条（第 2 / 3 页）" in second.content.decode()


def test_filters_combine_and_the_unit_filter_takes_the_units_below(client_for, dalian, dalian_projects):
    c = client_for(dalian)
    assert c.get("/ledgers/projects/?unit=210200").context["page"].count == 45  # the city: both districts
    assert c.get("/ledgers/projects/?unit=210212").context["page"].count == 20
    assert c.get("/ledgers/projects/?unit=210212&industry=C").context["page"].count == 0  # they combine
    assert c.get("/ledgers/projects/?industry=C&tag=日韩").context["page"].count == 25  # Japan is 日韩
    assert c.get("/ledgers/projects/?q=物流1").context["page"].count == 10  # 旅顺物流10 … 19
    sorted_by_name = c.get("/ledgers/projects/?unit=210212&sort=name&size=20")
    assert names(sorted_by_name) == [f"旅顺物流{i:02d}" for i in range(20)]


def test_a_bad_filter_value_is_a_message_not_an_error(client_for, dalian, dalian_projects):
    response = client_for(dalian).get("/ledgers/projects/?stage=flying&unit=<script>&sort=salary")
    assert response.status_code == 200
    text = response.content.decode()
    assert "筛选条件“阶段”的值“flying”无效，已忽略。" in text and "排序方式“salary”无效" in text
    assert response.context["page"].count == 45


def test_the_export_is_exactly_the_filtered_set_and_is_audited(client_for, dalian, dalian_projects):
    response = client_for(dalian).get("/ledgers/projects/export.xlsx?unit=210212&q=物流0&sort=name")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    exported = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert exported == [f"旅顺物流{i:02d}" for i in range(10)]  # 物流00 … 物流09, in the list's order
    event = AuditEvent.objects.filter(action="export.ledgers.projects").latest("id")
    assert event.actor_username == "dalian"
    assert event.after == {"rows": 10, "format": "xlsx", "filters": {"unit": "210212", "q": "物流0", "sort": "name"}}


def test_another_county_lists_and_exports_nothing_of_dalians(client_for, hunnan, dalian_projects):
    c = client_for(hunnan)
    assert c.get("/ledgers/projects/").context["page"].count == 0
    assert c.get("/ledgers/projects/?unit=210200").context["page"].count == 0
    sheet = openpyxl.load_workbook(io.BytesIO(c.get("/ledgers/projects/export.xlsx?unit=210200").content))
    assert sheet.worksheets[0].max_row == 1  # the header only
    assert c.get("/api/v1/projects?unit=210212").json() == {"items": [], "count": 0}


def test_the_api_pages_with_limit_offset_and_a_count(client_for, dalian, dalian_projects):
    c = client_for(dalian)
    body = c.get("/api/v1/projects?limit=20&offset=40").json()
    # 45 rows, offset 40: the last five, newest first → 甘井子制造04 … 00.
    assert body["count"] == 45
    assert [p["name"] for p in body["items"]] == [f"甘井子制造{i:02d}" for i in range(4, -1, -1)]
    assert c.get("/api/v1/projects?industry=G&limit=1").json()["count"] == 20
    assert c.get("/api/v1/projects?limit=501").status_code == 422  # bounded, refused rather than cut
    bad = c.get("/api/v1/projects?sort=salary")
    assert bad.status_code == 400 and "排序方式“salary”无效" in bad.json()["detail"][0]


def test_the_talent_list_pages_filters_and_exports_what_it_shows(client_for, ganjingzi, hunnan):
    for i in range(12):
        create_talent(
            actor=SystemActor("test"),
            data=TalentInput(
                name=f"人才{i:02d}",
                kind="person",
                field="智能制造",
                level="national" if i < 3 else "city",
                employer="大连某研究院",
                unit=unit("210211"),
                introduced_on=datetime.date(2018, 1, 1) + datetime.timedelta(days=i),
                source_region="JP",
            ),
        )
    c = client_for(ganjingzi)
    page = c.get("/ledgers/talents/?size=20&level=national").context["page"]
    assert [t.name for t in page] == ["人才02", "人才01", "人才00"]  # 3 national, newest first
    assert c.get("/ledgers/talents/?size=20&page=2").context["page"].count == 12
    export = c.get("/ledgers/talents/export.xlsx?level=national")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).worksheets[0]
    assert sheet.max_row == 1 + 3
    assert AuditEvent.objects.filter(action="export.ledgers.talents").latest("id").after["rows"] == 3
    api = c.get("/api/v1/talents?limit=5&offset=10").json()
    assert api["count"] == 12 and len(api["items"]) == 2
    assert client_for(hunnan).get("/ledgers/talents/").context["page"].count == 0
