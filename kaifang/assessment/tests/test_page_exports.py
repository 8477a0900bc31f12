"""打印 / 导出（Excel） on the results, unit breakdown and cockpit pages: the workbook holds what the page
shows the user (and only that), every export is audited, and another unit's user gets nothing."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from kaifang.assessment import services
from kaifang.assessment.tests.conftest import JUNE
from kaifang.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def demo_today(settings):
    settings.KAIFANG_DEMO_TODAY = "2018-07-05"


def _rows(response, sheet=None):
    assert response.status_code == 200, response.status_code
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(r) for r in (book[sheet] if sheet else book.worksheets[0]).iter_rows(values_only=True)]


def test_the_results_page_exports_the_ranking_it_shows_and_the_export_is_audited(two_cities, client_for, province):
    page = client_for(province).get("/assessment/schemes/KH-TWO/2018-06/").content.decode()
    assert "data-print" in page and 'href="/assessment/schemes/KH-TWO/2018-06/export.xlsx"' in page
    assert 'kaifang/css/print.css" media="print"' in page
    rows = _rows(client_for(province).get("/assessment/schemes/KH-TWO/2018-06/export.xlsx"))
    items = ["实际利用外资（60）", "督办任务（40）", "加减分（0）", "一票否决（0）"]
    assert rows[0] == ["名次", "单位", "总分", "等次", *items, "标注"]
    # 大连 700/1200 and 沈阳 450/1000 of 实际利用外资 at half the year, plus 40 each for 督办任务 (no tasks due).
    assert [r[:3] for r in rows[1:]] == [[1, "大连市", 110], [2, "沈阳市", 94]]
    event = AuditEvent.objects.filter(action="export.assessment.results").get()
    assert event.after["rows"] == 2 and event.after["filters"] == {"scheme": "KH-TWO", "period": "2018-06"}


def test_a_city_exports_only_its_own_row_and_breakdown(two_cities, client_for, shenyang, dalian):
    rows = _rows(client_for(shenyang).get("/assessment/schemes/KH-TWO/2018-06/export.xlsx"))
    assert [r[1] for r in rows[1:]] == ["沈阳市"]
    unit = _rows(client_for(shenyang).get("/assessment/schemes/KH-TWO/2018-06/units/210100/export.xlsx"))
    assert unit[0] == ["考核项", "分值", "得分", "计算过程"]
    assert [r[:3] for r in unit[1:3]] == [["实际利用外资", 60, 54], ["督办任务", 40, 40]]
    assert unit[-1][:3] == ["合计", None, 94]
    assert AuditEvent.objects.filter(action="export.assessment.unit").count() == 1
    # 大连 sees nothing of 沈阳's breakdown, on the page or as a file.
    assert client_for(dalian).get("/assessment/schemes/KH-TWO/2018-06/units/210100/export.xlsx").status_code == 404
    assert client_for(dalian).get("/assessment/schemes/KH-TWO/2018-06/units/210100/").status_code == 404


def test_a_published_version_exports_as_published(two_cities, client_for, province):
    snapshot = services.publish_assessment(actor=province, scheme=two_cities, period=JUNE)
    page = client_for(province).get(f"/assessment/published/{snapshot.pk}/").content.decode()
    assert f'href="/assessment/published/{snapshot.pk}/export.xlsx"' in page
    rows = _rows(client_for(province).get(f"/assessment/published/{snapshot.pk}/export.xlsx"))
    assert [r[:3] for r in rows[1:]] == [[1, "大连市", 110], [2, "沈阳市", 94]]
    unit = _rows(client_for(province).get(f"/assessment/published/{snapshot.pk}/units/210200/export.xlsx"))
    assert unit[-1][:3] == ["合计", None, 110]


def test_the_cockpit_exports_its_panels_for_the_unit_shown(two_cities, client_for, province, hunnan):
    page = client_for(province).get("/dashboards/units/210100/?period=2018-06").content.decode()
    assert 'href="/dashboards/units/210100/export.xlsx?period=2018-06"' in page
    response = client_for(province).get("/dashboards/units/210100/export.xlsx?period=2018-06")
    cards = _rows(response, "主要指标")
    assert cards[0][:4] == ["指标", "计量单位", "本年累计", "年度目标"]
    assert ["实际利用外资", "万美元", "450.00", "1,000.00"] in [r[:4] for r in cards]
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["主要指标", "排名", "督办事项", "预警"]
    assert AuditEvent.objects.filter(action="export.dashboards.cockpit").count() == 1
    assert client_for(hunnan).get("/dashboards/units/210100/export.xlsx").status_code == 404
