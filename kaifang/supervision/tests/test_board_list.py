"""The task board pages on the server with the total; filters (light, state, lead unit, search)
combine; the export is exactly the filtered set and is audited; the API pages the same rows;
another county sees none of it."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest

from kaifang.audit.models import AuditEvent
from kaifang.supervision.models import TaskState
from kaifang.supervision.tests.factories import make_task

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def today(settings):  # type: ignore[no-untyped-def]
    settings.KAIFANG_DEMO_TODAY = "2018-07-05"


@pytest.fixture
def tasks(db):  # type: ignore[no-untyped-def]
    """Shenyang's board: 22 tasks of 浑南区 in progress due at year end (not red), 3 of 浑南区 overdue
    since 2018-06-30 (red: past the deadline and not done), 2 of 沈河区 due at year end."""
    for i in range(22):
        make_task(lead="210112", state=TaskState.IN_PROGRESS, title=f"浑南常规{i:02d}", report_day=None)
    for i in range(3):
        make_task(
            lead="210112", state=TaskState.IN_PROGRESS, title=f"浑南逾期{i}", deadline=D(2018, 6, 30), report_day=None
        )
    for i in range(2):
        make_task(lead="210103", state=TaskState.IN_PROGRESS, title=f"沈河常规{i}", report_day=None)


def titles(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [row.task.title for row in response.context["page"]]


def test_the_board_pages_with_the_total_and_red_first(client_for, shenyang, tasks):
    c = client_for(shenyang)
    first, second = c.get("/supervision/board/?size=20"), c.get("/supervision/board/?size=20&page=2")
    # 27 tasks, 20 a page: 20 + 7; the three red ones lead (default order: red first, then deadline).
    assert first.context["page"].count == 27 and first.context["page"].num_pages == 2
    assert titles(first)[:3] == ["浑南逾期0", "浑南逾期1", "浑南逾期2"]
    assert len(second.context["page"]) == 7 and set(titles(first)).isdisjoint(titles(second))


def test_filters_combine_with_search_and_a_whitelisted_sort(client_for, shenyang, tasks):
    c = client_for(shenyang)
    assert c.get("/supervision/board/?light=red").context["page"].count == 3
    assert c.get("/supervision/board/?light=red&lead_unit=210103").context["page"].count == 0
    assert c.get("/supervision/board/?lead_unit=210103").context["page"].count == 2
    assert c.get("/supervision/board/?q=常规1").context["page"].count == 11  # 浑南常规10–19 and 沈河常规1
    by_code = titles(c.get("/supervision/board/?lead_unit=210103&sort=code"))
    assert by_code == ["沈河常规0", "沈河常规1"]
    bad = c.get("/supervision/board/?light=purple")
    assert "筛选条件“灯色”的值“purple”无效，已忽略。" in bad.content.decode()


def test_the_export_is_the_filtered_board_and_is_audited(client_for, shenyang, tasks):
    response = client_for(shenyang).get("/supervision/board.xlsx?light=red")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["浑南逾期0", "浑南逾期1", "浑南逾期2"]
    event = AuditEvent.objects.filter(action="export.supervision.tasks").latest("id")
    filters = {"light": "red", "sort": "light"}  # the order applied is recorded too (the default here)
    assert (event.actor_username, event.after["rows"], event.after["filters"]) == ("shenyang", 3, filters)


def test_the_api_pages_the_same_rows(client_for, shenyang, tasks):
    c = client_for(shenyang)
    body = c.get("/api/v1/tasks?limit=10&offset=20").json()
    assert body["count"] == 27 and len(body["items"]) == 7
    assert c.get("/api/v1/tasks?light=red&limit=1").json()["count"] == 3
    assert c.get("/api/v1/tasks?limit=1000").status_code == 422


def test_another_city_sees_lists_and_exports_none_of_it(client_for, dalian, tasks):
    c = client_for(dalian)
    assert c.get("/supervision/board/").context["page"].count == 0
    assert c.get("/supervision/board/?lead_unit=210112").context["page"].count == 0
    sheet = openpyxl.load_workbook(io.BytesIO(c.get("/supervision/board.xlsx").content)).worksheets[0]
    assert sheet.max_row == 1
    assert c.get("/api/v1/tasks").json() == {"items": [], "count": 0}
