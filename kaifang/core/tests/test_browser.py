"""Real Chromium: a county reporter sees only their county and gets "not found" for a neighbour's."""

import pytest

pytestmark = pytest.mark.browser


def test_hunnan_reporter_sees_only_hunnan_and_not_found_for_shenhe(page_as, live_site):
    page = page_as("hunnan")
    assert "浑南区" in page.inner_text("main")
    page.goto(live_site + "/orgs/")
    rows = page.locator("table.tree tbody tr")
    assert rows.count() == 1 and "浑南区" in rows.first.inner_text()
    page.screenshot(path="test-artifacts/hunnan-tree.png")
    response = page.goto(live_site + "/orgs/210103/")
    assert response is not None and response.status == 404
    assert "不存在，或不在您的权限范围内" in page.inner_text("main")


def test_shenyang_officer_browses_the_city_tree(page_as, live_site):
    page = page_as("shenyang")
    page.goto(live_site + "/orgs/")
    text = page.inner_text("table.tree")
    assert "沈阳市" in text and "浑南区" in text and "甘井子区" not in text
    page.click("text=浑南区")
    assert page.locator("h1").inner_text() == "浑南区"
