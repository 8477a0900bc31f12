"""Real Chromium on the demo (July 2018): the supervisor opens the cockpit, clicks a city on the map and
then a county (each page is about the unit clicked: every panel changes), goes back up by the breadcrumb,
drills into the city's score and follows a point back to the figure behind it."""

import re
from decimal import Decimal

import pytest

pytestmark = pytest.mark.browser

SHENYANG_CENTRE = [123.43, 41.80]  # longitude, latitude inside 沈阳市's outline
HUNNAN_CENTRE = [123.65, 41.82]  # inside 浑南区's


def _click_region(page, lnglat):
    """Click the map canvas where ECharts draws a longitude/latitude."""
    x, y = page.evaluate(
        """(lnglat) => {
            const el = document.getElementById('map');
            el.scrollIntoView({block: 'center'});
            const box = el.getBoundingClientRect();
            const p = echarts.getInstanceByDom(el).convertToPixel({seriesIndex: 0}, lnglat);
            return [box.left + p[0], box.top + p[1]];
        }""",
        lnglat,
    )
    page.mouse.click(x, y)


def _panels(page):
    """What each panel says: the cards, the own score, 督办事项, warnings, ranking and trend titles."""
    return {
        "cards": page.inner_text("#cards-panel"),
        "tasks": page.inner_text("#tasks-panel"),
        "warnings": page.inner_text("#warnings-panel"),
        "trend": page.inner_text("#trend-title"),
        "ranking": page.inner_text("#ranking-title") if page.locator("#ranking-title").count() else "",
        "h1": page.inner_text("h1"),
    }


def test_the_supervisor_drills_from_the_province_to_a_city_and_a_county_and_every_panel_follows(page_as, live_site):
    page = page_as("province")
    page.click("nav.mainnav >> text=驾驶舱")
    page.wait_for_selector("#cockpit[data-ready='210000']", state="attached")
    assert "对外开放工作驾驶舱" in page.inner_text("h1")
    assert page.locator(".kpi").count() >= 4
    province = _panels(page)
    assert province["trend"].startswith("辽宁省 · 与上年对比")
    page.wait_for_timeout(600)  # let the charts finish their entry animation before the screenshot
    page.screenshot(path="test-artifacts/dashboard.png")

    _click_region(page, SHENYANG_CENTRE)
    page.wait_for_url("**/dashboards/units/210100/?period=2018-06")
    page.wait_for_selector("#cockpit[data-ready='210100']", state="attached")
    city = _panels(page)
    assert city["h1"].startswith("沈阳市") and "沈阳市" in page.inner_text("#map-title")
    assert city["trend"].startswith("沈阳市 · 与上年对比")
    for name in ("cards", "tasks", "warnings", "trend", "ranking"):
        assert city[name] != province[name], name
    assert page.locator(".cockpit-crumbs li").all_inner_texts() == ["辽宁", "沈阳"]
    page.wait_for_timeout(600)
    page.screenshot(path="test-artifacts/dashboard-shenyang.png")

    _click_region(page, HUNNAN_CENTRE)
    page.wait_for_url("**/dashboards/units/210112/?period=2018-06")
    page.wait_for_selector("#cockpit[data-ready='210112']", state="attached")
    county = _panels(page)
    assert county["h1"].startswith("浑南区") and county["trend"].startswith("浑南区 · 与上年对比")
    for name in ("cards", "tasks", "warnings", "trend"):
        assert county[name] != city[name], name
    assert page.locator("#ranking").count() == 0  # a county has no divisions to rank
    # Every task listed is 浑南区's own.
    leads = page.locator("#tasks-panel tbody td:nth-child(3)").all_inner_texts()
    assert leads and set(leads) == {"浑南区"}
    page.screenshot(path="test-artifacts/dashboard-hunnan.png")

    # The breadcrumb leads back up to the city, then to its score breakdown.
    page.click(".cockpit-crumbs >> text=沈阳")
    page.wait_for_selector("#cockpit[data-ready='210100']", state="attached")
    page.click(".own-score >> text=得分明细")
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
