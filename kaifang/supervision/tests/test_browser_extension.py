"""Real Chromium on the demo: 浑南区 asks on its phone for an extension of the sub-task 沈阳市 split to
it; 沈阳市 approves on a desktop; the county sees the new date and that an extension was granted;
another county cannot even open the task."""

import pytest

pytestmark = pytest.mark.browser

SUB_TASK = "DB-2018-003-01"


def open_sub_task(page, live_site):  # type: ignore[no-untyped-def]
    page.goto(live_site + "/supervision/mine/")
    page.locator(f"tr:has-text('{SUB_TASK}') td.main a").first.click()
    assert SUB_TASK in page.inner_text(".headline")


def test_an_extension_request_end_to_end(phone_as, page_as, live_site):  # type: ignore[no-untyped-def]
    phone = phone_as("hunnan")
    open_sub_task(phone, live_site)
    phone.click("#extensions summary")
    phone.fill("input[name=new_deadline]", "2019-03-31")
    phone.fill("#extensions textarea[name=reason]", "外方投资人因签证原因推迟来访，需顺延签约。")
    phone.screenshot(path="test-artifacts/supervision-extension-request-phone.png", full_page=True)
    phone.click("form.request-extension button[type=submit]")
    assert "延期申请已提交" in phone.inner_text(".messages")
    assert "待审批" in phone.inner_text("#extensions")
    task_url = phone.url

    city = page_as("shenyang")
    city.goto(task_url)
    assert "2019-03-31" in city.inner_text("#extensions")
    city.fill("form.decide textarea[name=note]", "同意顺延。")
    city.click("form.decide button[type=submit]")
    assert "已批准延期" in city.inner_text(".messages")
    city.screenshot(path="test-artifacts/supervision-extension-approved.png", full_page=True)

    phone.goto(task_url)
    facts = phone.inner_text("dl.facts")
    assert "2019年3月31日" in facts and "已批准延期，原时限2018年12月31日" in facts
    assert "已延期1次" in phone.inner_text(".headline")
    history = phone.inner_text("#extensions")
    assert "已批准" in history and "同意顺延。" in history

    neighbour = page_as("shenhe")
    response = neighbour.goto(task_url)
    assert response is not None and response.status == 404
