"""Real Chromium: 浑南区 finishes its June form, is warned, explains, submits; 沈阳市 approves; the
figure is in the city and province totals on the next page load; every step is in the audit trail."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

pytestmark = pytest.mark.browser

ROUND_LINK = "2018年6月开放型经济指标"


def number(text: str) -> Decimal:
    cleaned = text.replace(",", "").strip()
    return Decimal(cleaned) if re.fullmatch(r"-?\d+(\.\d+)?", cleaned) else Decimal(0)


def cbec_total(page, base: str, round_url: str) -> Decimal:  # type: ignore[no-untyped-def]
    page.goto(base + round_url)
    return number(page.inner_text("#totals tr[data-indicator=CBEC] td.total-ytd"))


def test_a_county_fills_warns_explains_submits_and_the_city_approves(page_as, live_site):
    city = page_as("shenyang")
    city.goto(live_site + "/reporting/")
    round_url = city.get_attribute(f"a:text('{ROUND_LINK}')", "href")
    assert round_url
    city_before = cbec_total(city, live_site, round_url)
    province = page_as("province")
    province_before = cbec_total(province, live_site, round_url)

    county = page_as("hunnan")
    county.goto(live_site + "/reporting/")
    county.screenshot(path="test-artifacts/reporting-index.png")
    county.click("text=去填报")
    county.wait_for_selector("#entry-form")
    assert "浑南区" in county.inner_text("h1")
    values = {}
    for code in ("IMPORT", "DOMESTIC", "CBEC", "ODI"):
        assert county.input_value(f"#id_v_{code}") == ""
    trade, export = (Decimal(county.input_value(f"#id_v_{c}")) for c in ("TRADE", "EXPORT"))
    values["IMPORT"] = trade - export  # the cross rule: 进出口 = 出口 + 进口
    for code in ("DOMESTIC", "ODI"):
        previous = number(county.inner_text(f"tbody[data-code={code}] td:nth-child(4)"))
        values[code] = (previous * Decimal("1.2")).quantize(Decimal(1))  # a normal June on top of May's YTD
    previous = number(county.inner_text("tbody[data-code=CBEC] td:nth-child(4)"))
    values["CBEC"] = (previous * 4 + 10).quantize(Decimal(1))  # June alone three times Jan–May together
    for code, value in values.items():
        county.fill(f"#id_v_{code}", str(value))
    warning = county.locator("#f-CBEC .finding.warning")
    warning.wait_for()
    assert "近" in warning.inner_text() and "倍" in warning.inner_text()
    county.screenshot(path="test-artifacts/reporting-entry-warning.png", full_page=False)
    county.fill("textarea[name=c_CBEC]", "6月跨境电商综试区集中上线一批出口订单，数据已核实。")
    county.click("button[value=submit]")
    county.wait_for_selector(".msg-success")
    assert "已提交" in county.inner_text(".messages")
    assert county.inner_text("#submission-status") == "已提交待审核"
    county.screenshot(path="test-artifacts/reporting-entry-submitted.png", full_page=True)

    city.goto(live_site + round_url + "queue/")
    city.check("#tick-210112")
    city.click("#batch-approve")
    city.wait_for_selector(".msg-success")
    assert "已审核通过 1 个单位：浑南区" in city.inner_text(".messages")
    city.screenshot(path="test-artifacts/reporting-queue.png")

    assert cbec_total(city, live_site, round_url) == city_before + values["CBEC"]
    assert cbec_total(province, live_site, round_url) == province_before + values["CBEC"]
    province.screenshot(path="test-artifacts/reporting-overview-province.png", full_page=True)
    city.screenshot(path="test-artifacts/reporting-overview.png", full_page=True)

    auditor = page_as("auditor")
    auditor.goto(live_site + "/audit/?unit=210112")
    trail = auditor.inner_text("main")
    for action in ("保存指标数据", "提交报表", "审核通过报表"):  # the audit trail speaks in words
        assert action in trail


def test_a_department_downloads_the_template_uploads_it_previews_and_applies(page_as, live_site, tmp_path):
    import io

    import openpyxl

    page = page_as("swt")
    page.goto(live_site + "/reporting/")
    page.click(f"a:text('{ROUND_LINK}')")
    with page.expect_download() as download:
        page.click("text=下载 Excel 模板")
    template = tmp_path / "swt.xlsx"
    download.value.save_as(template)
    book = openpyxl.load_workbook(template)
    figures = {
        "TRADE": 300,
        "EXPORT": 120,
        "IMPORT": 180,
        "FDI": 5000,
        "FIE_NEW": 3,
        "DOMESTIC": 40,
        "CBEC": 6,
        "ODI": 800,
    }
    for row in book["填报"].iter_rows(min_row=2):
        assert row[0].value == "SWT"
        row[7].value = figures.get(str(row[2].value))
    out = io.BytesIO()
    book.save(out)
    filled = tmp_path / "swt-filled.xlsx"
    filled.write_bytes(out.getvalue())

    page.goto(live_site + "/reporting/")
    page.click("text=Excel 导入")
    page.set_input_files("input[type=file]", str(filled))
    page.click("text=上传并检查")
    page.wait_for_selector("#batch-summary")
    assert "检查通过" in page.inner_text("#batch-summary")
    page.screenshot(path="test-artifacts/reporting-import-preview.png")
    page.click("text=确认导入")
    page.wait_for_selector(".msg-success")
    assert "已导入" in page.inner_text("#batch-summary")
    page.goto(live_site + "/reporting/")
    page.click("text=去填报")
    assert page.input_value("#id_v_TRADE") == "300"


def test_the_round_form_fits_a_clerks_screen(page_as, live_site):
    page = page_as("province")
    page.goto(live_site + "/reporting/")
    page.click("text=发起报送批次")
    assert page.locator("input[name=indicators]").count() >= 8
    page.screenshot(path="test-artifacts/reporting-new-round.png", full_page=True)
