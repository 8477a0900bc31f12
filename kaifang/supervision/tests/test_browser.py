"""Real Chromium on the demo (early July 2018): a county acknowledges and reports, the province closes one."""

import re

import pytest

pytestmark = pytest.mark.browser

HUNNAN_TASK = "推动沈阳申报国家跨境电子商务综合试验区"
CLAIMED_TASK = "制定全省对外开放工作指标体系和考核标准"


def test_hunnan_acknowledges_its_task_and_reports_progress(page_as, live_site):
    page = page_as("hunnan")
    page.click("nav.mainnav >> text=督查督办")
    assert "浑南区的督办事项" in page.locator("h1").inner_text()
    page.click(f"main >> text={HUNNAN_TASK}")
    assert "已下发" in page.inner_text(".headline")
    page.click("button[data-action=acknowledge]")
    assert "办理中" in page.inner_text(".headline")  # 签收 starts the work in one step
    page.fill("input[name=percent]", "20")
    page.fill("textarea[name=text]", "已成立申报工作专班，完成申报材料初稿。")
    page.fill("textarea[name=problems]", "跨境电商企业统计口径待省商务厅确认。")
    page.click("#report button[type=submit]")
    assert "进展已报送" in page.inner_text(".messages")
    assert "办理中" in page.inner_text(".headline")
    timeline = page.inner_text(".timeline")
    assert "（20%）" in timeline and "已成立申报工作专班" in timeline
    page.screenshot(path="test-artifacts/supervision-hunnan-task.png", full_page=True)
    task_url = page.url

    neighbour = page_as("shenhe")
    response = neighbour.goto(task_url)
    assert response is not None and response.status == 404


def test_the_province_verifies_and_closes_a_claimed_task(page_as, live_site):
    page = page_as("province")
    page.goto(live_site + "/supervision/board/?state=completion_claimed")
    page.screenshot(path="test-artifacts/supervision-board-claimed.png")
    page.click(f"main >> text={CLAIMED_TASK}")
    assert "申请办结" in page.inner_text(".headline")
    page.click("button[data-action=close]")
    headline = page.inner_text(".headline")
    assert "已办结销号" in headline and "灰灯" in headline
    assert re.search(r"已于2018年7月5日办结销号", page.get_attribute(".headline .lightbox", "title") or "")

    page.goto(live_site + "/supervision/board/")
    page.screenshot(path="test-artifacts/supervision-board.png", full_page=True)
    assert page.locator("table.tasks tbody tr").count() >= 25
