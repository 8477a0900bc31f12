"""Real Chromium at 200% and 400% zoom (WCAG 1.4.4 / 1.4.10, 适老化): no page scrolls sideways, the
main menu wraps instead of hiding links, and 修改密码 / 退出 / 大字 / English stay on the screen."""

from __future__ import annotations

import pytest

from kaifang.core.tests.a11y_testing import ZOOM_200, ZOOM_400, horizontal_overflow, login, unreachable_controls

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/dashboards/",
    "/orgs/",
    "/meetings/",
    "/supervision/",
    "/supervision/board/",
    "/indicators/",
    "/reporting/",
    "/corrections/",
    "/ledgers/",
    "/ledgers/stats/",
    "/assessment/",
    "/notifications/",
    "/accounts/password/",
]


@pytest.fixture
def zoomed(browser, live_site):  # type: ignore[no-untyped-def]
    pages = []

    def make(username: str, view, **kwargs):  # type: ignore[no-untyped-def]
        page = login(browser, live_site, username, view=view, **kwargs)
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.context.close()


def check_pages(page, base: str, urls: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    problems = []
    for url in urls:
        response = page.goto(base + url)
        assert response is not None and response.status == 200, url
        if page.locator("#cockpit").count():
            page.wait_for_selector("#cockpit[data-ready]", state="attached")
        overflow = horizontal_overflow(page)
        if overflow:
            problems.append(f"{url}: scrolls sideways by {overflow}px")
        hidden = unreachable_controls(page)
        if hidden:
            problems.append(f"{url}: off screen {hidden}")
    return problems


@pytest.mark.parametrize("zoom", ["200", "400"])
def test_province_pages_reflow_at_zoom_with_every_menu_item_on_screen(zoomed, live_site, zoom):
    page = zoomed("province", ZOOM_200 if zoom == "200" else ZOOM_400)
    page.goto(live_site + "/")
    links = page.locator(".mainnav a")
    assert links.count() >= 11  # province sees every area, 审计日志 included
    for name in ("修改密码", "退出", "大字", "English"):
        assert page.get_by_text(name, exact=True).first.is_visible()
    assert check_pages(page, live_site, [*PAGES, "/audit/", "/dashboards/units/210100/"]) == []
    page.goto(live_site + "/")
    page.screenshot(path=f"test-artifacts/zoom-{zoom}-home.png", full_page=True)
    # Each menu link is reached by the keyboard and opens its page.
    for i in range(links.count()):
        link = page.locator(".mainnav a").nth(i)
        href = link.get_attribute("href")
        link.focus()
        assert page.evaluate("document.activeElement.getAttribute('href')") == href
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"] + 1


def test_a_county_reporter_at_400_percent_with_large_text_reads_and_fills_without_sideways_scrolling(zoomed, live_site):
    page = zoomed("hunnan", ZOOM_400, large_text=True)
    page.goto(live_site + "/reporting/")
    entry = page.get_attribute("main a[href$='/210112/']", "href")  # 去填报, or 查看 once submitted
    assert entry
    assert check_pages(page, live_site, [*PAGES, entry]) == []
    page.goto(live_site + entry)
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "20px"
    for figure in page.locator("input.figure").all()[:1]:  # while the form is open (other tests submit it)
        figure.scroll_into_view_if_needed()
        box = figure.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 321  # the field itself is on the screen


def test_the_large_text_switch_persists_and_keeps_what_was_typed(zoomed, live_site):
    page = zoomed("hunnan", ZOOM_200)
    page.goto(live_site + "/accounts/password/")
    base_size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert base_size == 16  # the browser's default, not a fixed 14 px
    first = page.locator("main input[type=password]").first
    first.fill("123")
    switch = page.locator(".textsize button")
    assert switch.get_attribute("aria-pressed") == "false"
    switch.click()
    assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") == 20
    assert switch.get_attribute("aria-pressed") == "true"
    assert first.input_value() == "123"  # no reload: what was typed is still there
    page.screenshot(path="test-artifacts/large-text-password.png", full_page=True)
    page.goto(live_site + "/supervision/")
    assert page.evaluate("document.documentElement.classList.contains('large-text')")  # from the cookie, on the server
    page.locator(".textsize button").click()
    page.goto(live_site + "/")
    assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") == 16
