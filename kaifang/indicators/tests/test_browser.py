"""Real Chromium on the demo: the supervisor explores FDI by city (with its charts), drills into 沈阳市,
exports Excel; a county reporter sees only its own figures and its own month chart."""

import pytest

pytestmark = pytest.mark.browser


def test_the_supervisor_explores_fdi_and_drills_into_a_city(page_as, live_site):
    page = page_as("province")
    page.click("nav.mainnav >> text=指标数据")
    page.select_option("select[name=indicator]", "FDI")
    page.fill("input[name=from]", "2018-01")
    page.fill("input[name=to]", "2018-05")
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("table.values")
    assert "示例数据" in page.inner_text(".page-head")
    rows = page.locator("table.values tbody tr")
    assert rows.count() >= 14
    assert page.locator("table.values .light").count() >= 14
    assert "本级填报" in page.inner_text("table.values") and "下级汇总" in page.inner_text("table.values")
    page.wait_for_selector("#trend-chart[data-ready='1'] canvas", state="attached")  # drawn by ECharts
    page.wait_for_selector("#children-chart[data-ready='1'] canvas", state="attached")
    page.screenshot(path="test-artifacts/indicators-explorer.png")

    page.click("table.values >> text=沈阳市")
    page.wait_for_selector("nav.crumbs")
    assert "沈阳市" in page.inner_text(".page-head")
    assert "浑南区" in page.inner_text("table.values")
    with page.expect_download() as download:
        page.click("text=导出 Excel")
    assert download.value.suggested_filename.startswith("FDI_210100_")


def test_a_county_reporter_sees_only_its_own_months(page_as, live_site):
    page = page_as("hunnan")
    page.goto(live_site + "/indicators/?indicator=EXPORT&from=2018-01&to=2018-05")
    text = page.inner_text("main")
    assert "浑南区" in text and "沈河区" not in text and "2018年5月" in text
    page.wait_for_selector("#trend-chart[data-ready='1'] canvas", state="attached")
    assert page.locator("#children-chart").count() == 0  # a county has no child units to compare
    response = page.goto(live_site + "/indicators/?indicator=EXPORT&unit=210103")
    assert response is not None and response.status == 404
