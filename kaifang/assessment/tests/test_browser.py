"""Real Chromium on the demo (July 2018): the supervisor keeps a revision of the city scheme as a
draft, runs the simulation (模拟测算) against the version in use and sees the changes marked; a
county reporter cannot open it."""

import pytest

pytestmark = pytest.mark.browser

SCHEME = "/assessment/schemes/KH-2018-CITY/"


def test_the_supervisor_simulates_a_draft_and_sees_the_changed_units_marked(page_as, live_site):
    page = page_as("province")
    page.goto(live_site + SCHEME)
    # Shift weight from 实际利用外资 (25 → 10) to 督办任务落实 (15 → 30): the total stays 100.
    page.fill("#weight-fdi", "10")
    page.fill("#weight-tasks", "30")
    page.fill("#revise-reason", "模拟：提高督办任务权重")
    page.click("button[name=action][value=draft]")
    page.wait_for_url("**/assessment/schemes/KH-2018-CITY/?v=*")
    assert "草稿" in page.inner_text(".page-head")

    page.click(".version-actions >> text=模拟测算")
    page.wait_for_selector("#simulation-table")
    assert "模拟测算，不发布、不生效" in page.inner_text(".sim-notice")
    assert "2018年1-6月" in page.inner_text("h1")  # the running period by default
    assert page.locator("tbody.sim-unit").count() == 14
    changed = page.locator("tbody.sim-unit.changed")
    assert changed.count() >= 1
    first = changed.first
    row = first.locator("tr").first.inner_text()
    assert "▲变化" in row and ("上升" in row or "下降" in row or "→" in row)  # marked in words, not colour alone
    background = first.locator("td").first.evaluate("td => getComputedStyle(td).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")  # and highlighted
    page.screenshot(path="test-artifacts/assessment-simulate.png", full_page=True)

    first.locator("summary").click()
    items = first.locator("table.sim-items")
    assert items.is_visible()
    fdi = items.locator("tbody tr").first.inner_text()
    assert "实际利用外资" in fdi and "×10=" in fdi and "×25=" in fdi  # the point under both versions
    first.scroll_into_view_if_needed()
    page.screenshot(path="test-artifacts/assessment-simulate-unit.png")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_selector("#simulation-table")
    assert page.locator(".sim-notice").is_visible()
    box = page.evaluate(
        "() => { const b = document.querySelector('.sim-scroll');"
        " return [b.getBoundingClientRect().right, b.scrollWidth, b.clientWidth]; }"
    )
    assert box[0] <= 390 and box[1] > box[2]  # the wide table scrolls inside its box on a phone
    assert "▲变化" in changed.first.locator("td").first.inner_text()  # the unit column stays in view
    page.screenshot(path="test-artifacts/assessment-simulate-phone.png")

    county = page_as("hunnan")
    number = page.url.split("/versions/")[1].split("/")[0]
    assert county.goto(f"{live_site}{SCHEME}versions/{number}/simulate/").status == 403
