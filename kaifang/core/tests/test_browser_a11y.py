"""Real Chromium + axe-core (pinned in package.json): every main page, as each persona, has no WCAG 2.1
A/AA violation — with the cockpit's chart tables open, with 大字 on, and in English."""

from __future__ import annotations

import pytest

from kaifang.core.tests.a11y_testing import axe_violations, login

pytestmark = pytest.mark.browser

ROUND_LINK = "2018年6月开放型经济指标"
ALWAYS = ["/notifications/", "/accounts/password/"]
PROJECT_LINK = "main a[href^='/ledgers/projects/'][href$='/']:not([href$='new/'])"


@pytest.fixture
def open_as(browser, live_site):  # type: ignore[no-untyped-def]
    pages = []

    def make(username: str, **kwargs):  # type: ignore[no-untyped-def]
        page = login(browser, live_site, username, **kwargs)
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.context.close()


def first_href(page, base: str, url: str, selector: str) -> str:  # type: ignore[no-untyped-def]
    page.goto(base + url)
    href = page.get_attribute(selector, "href")
    assert href, f"no {selector} on {url}"
    return str(href)


def main_pages(page, base: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Every entry of the persona's main menu, plus the pages every user has."""
    page.goto(base + "/")
    hrefs = page.eval_on_selector_all(".mainnav a", "els => els.map(e => e.getAttribute('href'))")
    assert len(hrefs) >= 9, hrefs
    return [*hrefs, *ALWAYS]


def extra_pages(username: str, page, base: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The detail pages each persona works on most (found by following links, as a user would)."""
    if username == "province":
        round_url = first_href(page, base, "/reporting/", f"a:text('{ROUND_LINK}')")
        return [
            first_href(page, base, "/supervision/", "main a[href^='/supervision/tasks/']"),
            round_url,
            "/supervision/board/",
            "/dashboards/units/210100/",
            "/orgs/210100/",
            first_href(page, base, "/ledgers/projects/", PROJECT_LINK),
            first_href(page, base, "/assessment/", "main a[href^='/assessment/schemes/']"),
            "/indicators/catalogue/",
            "/indicators/targets/",
            "/meetings/new/",
        ]
    if username == "shenyang":
        return [
            first_href(page, base, "/reporting/", f"a:text('{ROUND_LINK}')") + "queue/",
            "/dashboards/units/210100/",
        ]
    if username == "hunnan":
        return [
            first_href(page, base, "/reporting/", "main a[href$='/210112/']"),
            "/supervision/mine/",
            "/ledgers/projects/new/",
        ]
    if username == "admin":
        return ["/accounts/users/new/"]
    return []


@pytest.mark.parametrize("username", ["province", "shenyang", "hunnan", "leader", "admin", "swt", "dalian"])
def test_every_main_page_has_no_wcag_21_aa_violation(open_as, live_site, username):
    page = open_as(username)
    urls = main_pages(page, live_site) + extra_pages(username, page, live_site)
    problems: list[str] = []
    visited = 0
    for url in dict.fromkeys(urls):
        response = page.goto(live_site + url)
        assert response is not None and response.status == 200, (url, response and response.status)
        if page.locator("#cockpit").count():
            page.wait_for_selector("#cockpit[data-ready]", state="attached")
        problems += axe_violations(page)
        visited += 1
    assert visited >= 11
    assert problems == []


def test_the_cockpit_with_its_tables_open_large_text_and_english_has_no_violation(open_as, live_site):
    page = open_as("province", large_text=True)
    page.goto(live_site + "/dashboards/")
    page.wait_for_selector("#cockpit[data-ready]", state="attached")
    toggles = page.locator(".chart-twin-toggle")
    assert toggles.count() == 3  # map, ranking, trend
    for i in range(3):
        toggles.nth(i).click()
    assert page.locator(".chart-twin:not(.twin-closed) table").count() == 3
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "20px"  # 125% of 16 px
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.click(".langswitch button")
    page.wait_for_selector("#cockpit[data-ready]", state="attached")
    assert page.locator(".chart-twin-toggle").first.inner_text() == "Show as table"
    assert axe_violations(page) == []
