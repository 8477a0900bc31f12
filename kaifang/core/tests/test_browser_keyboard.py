"""Real Chromium, keyboard only (Tab, typing, Enter): 浑南区 fills its June form, hears the errors,
lands on the error summary after the server refuses, explains a warning and submits; the province
drills the cockpit map from 辽宁省 to 沈阳市 to 浑南区 through the map's table."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from kaifang.core.tests.a11y_testing import axe_violations, login

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def own_site():  # type: ignore[no-untyped-def]
    """A site of its own: this module submits 浑南区's June form, which other browser tests fill."""
    from kaifang.core.testing import running_site

    with running_site() as base:
        yield base


@pytest.fixture
def keyboard_user(browser, own_site):  # type: ignore[no-untyped-def]
    pages = []

    def make(username: str):  # type: ignore[no-untyped-def]
        page = login(browser, own_site, username)
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.context.close()


def tab_to(page, selector: str, *, limit: int = 120) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until the focused element matches `selector` (fails after `limit` presses)."""
    for _ in range(limit):
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def number(text: str) -> Decimal:
    cleaned = text.replace(",", "").strip()
    return Decimal(cleaned) if re.fullmatch(r"-?\d+(\.\d+)?", cleaned) else Decimal(0)


def replace_value(page, text: str) -> None:  # type: ignore[no-untyped-def]
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def test_a_county_fills_hears_its_errors_explains_and_submits_with_the_keyboard(keyboard_user, own_site):
    live_site = own_site
    page = keyboard_user("hunnan")
    page.goto(live_site + "/reporting/")
    tab_to(page, "main a[href$='/210112/']")  # 去填报
    page.keyboard.press("Enter")
    page.wait_for_selector("#entry-form")
    summary = page.locator("#check-summary")
    assert summary.get_attribute("aria-live") == "polite" and summary.get_attribute("role") == "status"

    # A figure that is not a number: the field is marked invalid and the summary says so.
    tab_to(page, "#id_v_IMPORT")
    page.keyboard.type("十二")
    page.wait_for_selector("#id_v_IMPORT[aria-invalid=true]")
    page.wait_for_function("document.getElementById('check-summary').textContent.includes('1 项错误')")
    assert "不是数字" in page.inner_text("#f-IMPORT")

    # The server refuses it: focus lands on an alert that links to the field.
    tab_to(page, "button[value=save]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#form-errors")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'form-errors'")
    assert page.get_attribute("#form-errors", "role") == "alert"
    link = page.locator("#form-errors a[href='#id_v_IMPORT']")
    assert "进口额" in link.inner_text()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#id_v_IMPORT"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_v_IMPORT"
    assert page.get_attribute("#id_v_IMPORT", "aria-invalid") == "true"
    assert axe_violations(page) == []  # the refused page, summary and all

    # Correct figures: 进出口 = 出口 + 进口; 引进内资 and 对外投资 grow 20% on May; 跨境电商 jumps.
    trade, export = (Decimal(page.input_value(f"#id_v_{c}")) for c in ("TRADE", "EXPORT"))
    replace_value(page, str(trade - export))
    values = {}
    for code in ("DOMESTIC", "ODI"):
        may = number(page.inner_text(f"tbody[data-code={code}] td:nth-child(4)"))
        values[code] = (may * Decimal("1.2")).quantize(Decimal(1))
    values["CBEC"] = (number(page.inner_text("tbody[data-code=CBEC] td:nth-child(4)")) * 4 + 10).quantize(Decimal(1))
    for code in ("DOMESTIC", "CBEC", "ODI"):
        tab_to(page, f"#id_v_{code}")
        replace_value(page, str(values[code]))
        if code == "CBEC":
            page.wait_for_selector("#f-CBEC .finding.warning")
            # Read out from the page's one live region while the reporter is still on the field.
            page.wait_for_function("document.getElementById('a11y-announcer').textContent.includes('倍')")
    page.wait_for_function("!document.querySelector('#entry-form [aria-invalid=true]')")
    page.wait_for_function("document.getElementById('check-summary').textContent.includes('0 项错误')")
    assert summary.inner_text() == "有 0 项错误须改正，1 项提醒须填写说明。"
    assert "错误" not in page.inner_text("#a11y-announcer")  # nothing half-typed was read out

    # The explanation box is named after its indicator; it is reached with Tab and typed into.
    explain = page.get_by_role("textbox", name=re.compile("跨境电商交易额.*说明"))
    assert explain.count() == 1
    tab_to(page, "textarea[name=c_CBEC]")
    page.keyboard.type("6月跨境电商综试区集中上线一批出口订单，数据已核实。")
    tab_to(page, "button[value=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector(".msg-success")
    assert page.inner_text("#submission-status") == "已提交待审核"


def test_the_province_drills_the_map_to_a_county_with_the_keyboard(keyboard_user, own_site):
    live_site = own_site
    page = keyboard_user("province")
    page.goto(live_site + "/dashboards/")
    page.wait_for_selector("#cockpit[data-ready='210000']", state="attached")
    assert page.get_attribute("#map-detail", "aria-live") == "polite"
    for chart in ("map", "ranking", "trend"):  # ECharts' aria description names every chart
        assert page.get_attribute(f"#{chart}", "aria-label")

    tab_to(page, "button.chart-twin-toggle[aria-controls=map-table]")
    page.keyboard.press("Enter")
    assert page.get_attribute("button.chart-twin-toggle[aria-controls=map-table]", "aria-expanded") == "true"
    rows = page.locator("#map-table tbody tr")
    assert rows.count() == 14  # the 14 cities of Liaoning, each with its value in words
    assert "沈阳市" in page.inner_text("#map-table")
    tab_to(page, "#map-table button[data-code='210100']")
    assert page.evaluate("document.activeElement.textContent") == "下钻到沈阳市"
    page.keyboard.press("Enter")
    page.wait_for_selector("#cockpit[data-ready='210100']", state="attached")  # 沈阳市's own cockpit
    # Focus lands in the map's table again, now Shenyang's counties.
    page.wait_for_function("document.activeElement && document.activeElement.tagName === 'CAPTION'")
    assert "沈阳市" in page.inner_text("#map-table caption")
    tab_to(page, "#map-table button[data-code='210112']")
    assert page.evaluate("document.activeElement.textContent") == "查看浑南区"
    page.keyboard.press("Enter")
    page.wait_for_selector("#cockpit[data-ready='210112']", state="attached")  # 浑南区's cockpit
    assert "浑南区" in page.inner_text("main h1")
