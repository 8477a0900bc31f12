"""On a phone (Chromium's mobile emulation, 390×844, touch): a county reporter signs off a task and
reports its progress from the inbox of its tasks, with no horizontal scrolling, controls large
enough to tap and the number pad for the percentage; another county cannot open the task."""

import re
from pathlib import Path

import pytest

from kaifang.core.testing import page_overflow, touch_problems

pytestmark = pytest.mark.browser
SHOTS = Path("test-artifacts")
SHENHE_TASK = "DB-2018-003-02"  # issued by 沈阳市 to 沈河区 in the demo, not yet signed off


def test_a_county_signs_off_and_reports_progress_on_a_phone(phone_as, live_site):
    SHOTS.mkdir(exist_ok=True)
    page = phone_as("shenhe")
    with page.expect_navigation():
        page.tap("nav.mainnav >> text=督查督办")
    assert "沈河区的督办事项" in page.locator("h1").inner_text()
    assert page_overflow(page) == 0
    page.screenshot(path=SHOTS / "phone-tasks-mine.png", full_page=True)

    row = page.locator("table.tasks tr", has_text=SHENHE_TASK).first
    assert "待签收" in row.inner_text()
    row.locator("td.main a").tap()
    page.wait_for_url(re.compile(r"/supervision/tasks/\d+/$"))
    task_url = page.url
    assert "已下发" in page.inner_text(".headline") and page_overflow(page) == 0
    assert touch_problems(page, "button[data-action=acknowledge]") == []
    with page.expect_navigation():
        page.tap("button[data-action=acknowledge]")
    assert "办理中" in page.inner_text(".headline")  # 签收 starts the work

    percent = page.locator("#report input[name=percent]")
    assert percent.get_attribute("inputmode") == "numeric"  # the number pad, not the keyboard
    assert touch_problems(page, "#report input, #report textarea, #report button") == []
    percent.tap()
    page.keyboard.type("30")
    page.fill("#report textarea[name=text]", "已召开专题会，起草工作方案。")
    page.screenshot(path=SHOTS / "phone-task-report.png", full_page=True)
    with page.expect_navigation():
        page.tap("#report button[type=submit]")
    assert "进展已报送" in page.inner_text(".messages")
    assert "办理中" in page.inner_text(".headline") and "（30%）" in page.inner_text(".timeline")
    assert page_overflow(page) == 0
    page.screenshot(path=SHOTS / "phone-task-reported.png", full_page=True)

    neighbour = phone_as("hunnan")
    response = neighbour.goto(task_url)
    assert response is not None and response.status == 404
    assert page_overflow(neighbour) == 0  # the error page fits the phone as well
