"""Real Chromium on the demo (July 2018): the supervisor opens the cockpit, clicks a city on the map,
drills into its score and follows a point back to the figure behind it."""

import re
from decimal import Decimal

import pytest

pytestmark = pytest.mark.browser

SHENYANG_CENTRE = [123.43, 41.80]  # longitude, latitude inside 沈阳市's outline


def test_the_supervisor_drills_from_the_map_to_the_figure_behind_a_point(page_as, live_site):
    page = page_as("province")
    page.click("nav.mainnav >> text=驾驶舱")
    page.wait_for_selector("#cockpit[data-ready='210000']", state="attached")
    assert "对外开放工作驾驶舱" in page.inner_text("h1")
    assert page.locator(".kpi").count() >= 4
    page.wait_for_timeout(600)  # let the charts finish their entry animation before the screenshot
    page.screenshot(path="test-artifacts/dashboard.png")

    # Click 沈阳市 on the map canvas, where ECharts draws it.
    x, y = page.evaluate(
        """(lnglat) => {
            const el = document.getElementById('map');
            const box = el.getBoundingClientRect();
            const p = echarts.getInstanceByDom(el).convertToPixel({seriesIndex: 0}, lnglat);
            return [box.left + p[0], box.top + p[1]];
        }""",
        SHENYANG_CENTRE,
    )
    page.mouse.click(x, y)
    page.wait_for_selector("#cockpit[data-ready='210100']", state="attached")
    detail = page.inner_text("#map-detail")
    assert detail.startswith("沈阳市") and "分" in detail and "名" in detail
    assert "沈阳市" in page.inner_text("#map-title")  # drilled down to Shenyang's counties
    page.screenshot(path="test-artifacts/dashboard-shenyang.png")

    page.click("#map-detail-link")
    page.wait_for_selector("table.breakdown")
    assert "沈阳市" in page.inner_text("h1")
    total = page.inner_text(".score-head .big")
    points = [Decimal(t) for t in page.locator("table.breakdown tbody td.num.strong").all_inner_texts()]
    assert sum(points) == Decimal(total)
    fdi_detail = page.inner_text("#item-fdi td:nth-child(4)")
    actual = re.search(r"完成率 ([\d.]+)÷", fdi_detail)
    assert actual is not None
    page.screenshot(path="test-artifacts/assessment-shenyang.png", full_page=True)

    page.click("#item-fdi a.source >> nth=0")
    page.wait_for_selector("#figure-card")
    assert "实际利用外资" in page.inner_text("h1") and "沈阳市" in page.inner_text("h1")
    assert Decimal(page.inner_text("#figure-ytd").replace(",", "")) == Decimal(actual.group(1))


def test_a_city_officer_sees_its_own_city_and_a_neighbour_county_sees_nothing_of_it(page_as, live_site):
    page = page_as("shenyang")
    page.goto(live_site + "/dashboards/")
    page.wait_for_selector("#cockpit[data-ready='210100']", state="attached")
    assert page.inner_text("h1").startswith("沈阳市")
    assert page.goto(live_site + "/dashboards/data/210000.json").status == 404
    neighbour = page_as("hunnan")
    assert neighbour.goto(live_site + "/dashboards/units/210100/").status == 404
    assert neighbour.goto(live_site + "/assessment/schemes/KH-2018-CITY/2018-06/units/210100/").status == 404
