"""On a phone (Chromium's mobile emulation, 390×844, touch): a county answers a meeting notice and
checks in at roll call with the code read off the main venue's screen, on the number pad, with no
horizontal scrolling; the province picked the venue with the unit picker; a county that is no
venue does not see the meeting."""

import re
from pathlib import Path

import pytest

from kaifang.core.testing import page_overflow, touch_problems

pytestmark = pytest.mark.browser
SHOTS = Path("test-artifacts")
TITLE = "全省外资项目调度视频会议（手机签到）"


def test_a_county_checks_in_at_roll_call_on_a_phone(page_as, phone_as, live_site):
    SHOTS.mkdir(exist_ok=True)
    sup = page_as("province")
    sup.goto(live_site + "/meetings/new/")
    sup.fill("input[name=title]", TITLE)
    sup.fill("input[name=main_room]", "省政府第二会议室")
    picker = sup.locator(".field-venue_units .up-search")
    picker.click()
    picker.type("hnq")  # 浑南区 by its pinyin initials
    sup.keyboard.press("Enter")
    picker.type("210211")  # 甘井子区 by its code
    sup.keyboard.press("Enter")
    chosen = sup.evaluate("Array.from(document.querySelector('[name=venue_units]').selectedOptions).map(o => o.text)")
    assert sorted(chosen) == sorted(["浑南区", "甘井子区"])
    sup.keyboard.press("Escape")  # closes the list
    sup.click("main button[type=submit].primary")
    sup.wait_for_url(re.compile(r"/meetings/\d+/$"))
    meeting_url = sup.url
    assert "共 2 个分会场" in sup.inner_text(".messages")
    sup.click("button:has-text('发出通知')")
    assert "已发出通知" in sup.inner_text(".messages")

    phone = phone_as("hunnan")
    with phone.expect_navigation():
        phone.tap("nav.mainnav >> text=会议")
    assert page_overflow(phone) == 0
    with phone.expect_navigation():
        phone.locator("main a", has_text=TITLE).tap()
    assert page_overflow(phone) == 0
    phone.check("#receipt-form input[name=attending][value='1']")
    phone.fill("#receipt-form input[name=leader_name]", "刘区长")
    head_count = phone.locator("#receipt-form input[name=head_count]")
    assert head_count.get_attribute("inputmode") == "numeric"
    head_count.fill("6")
    with phone.expect_navigation():
        phone.tap("#receipt-form button[type=submit]")
    assert "回执已提交" in phone.inner_text(".messages")

    code_input = phone.locator("#checkin-form input[name=code]")
    assert code_input.get_attribute("inputmode") == "numeric"
    assert touch_problems(phone, "#checkin-form input, #checkin-form button") == []
    code = sup.request.get(meeting_url + "code.json").json()["code"]
    assert re.fullmatch(r"\d{6}", code)
    code_input.tap()
    phone.keyboard.type(code)
    phone.screenshot(path=SHOTS / "phone-checkin.png", full_page=True)
    with phone.expect_navigation():
        phone.tap("#checkin-form button[type=submit]")
    assert "签到成功" in phone.inner_text(".messages")
    assert "已签到" in phone.inner_text("#my-venue")
    assert page_overflow(phone) == 0
    phone.screenshot(path=SHOTS / "phone-checked-in.png", full_page=True)

    sup.goto(meeting_url)
    assert "未签到" not in sup.inner_text("#venue-210112")

    outsider = phone_as("shenhe")
    outsider.goto(live_site + "/meetings/")
    assert TITLE not in outsider.inner_text("main")
    response = outsider.goto(meeting_url)
    assert response is not None and response.status == 404
