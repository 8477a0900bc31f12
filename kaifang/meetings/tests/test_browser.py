"""Real Chromium, end to end: a meeting is called, a city answers and checks in with the rotating
code read off the main venue's screen, the supervisor turns the speech into three tasks, the lead
unit acknowledges and reports, the supervisor verifies and closes one; every persona sees only
what its scope allows."""

import re

import pytest

from kaifang.core.tests.a11y_testing import horizontal_overflow

pytestmark = pytest.mark.browser

SHOTS = "test-artifacts/meetings-"
TITLE = "全省稳外贸稳外资工作推进电视电话会议"
SPEECH = (
    "全省稳外贸稳外资工作推进会召开\n"
    "省长在讲话中强调，一是要稳住外贸基本盘，沈阳要扩大装备制造产品出口。加强出口信用保险支持。\n"
    "二是要加快大连跨境电商综试区建设，培育外贸新业态。\n"
    "三是要持续优化营商环境，推进外资企业开办一网通办。\n"
    "四是要严督严考，压实工作责任。"
)


def meeting_id(url: str) -> str:
    match = re.search(r"/meetings/(\d+)/", url)
    assert match, url
    return match.group(1)


def test_meeting_to_tasks_end_to_end(page_as, live_site):
    # 1. The province supervisor calls the meeting with every city as a sub-venue and sends the notice.
    sup = page_as("province")
    sup.click("nav.mainnav >> text=会议")
    assert "2018年全省对外开放工作电视电话会议" in sup.inner_text("main")  # the demo meeting
    sup.screenshot(path=SHOTS + "list.png")
    sup.click("text=新建会议")
    sup.fill("input[name=title]", TITLE)
    sup.fill("input[name=main_room]", "省政府第三会议室")
    sup.fill("input[name=conference_link]", "https://vc.example.gov.cn/rooms/0705")
    sup.check("input[name=venue_sets][value=city]")
    sup.screenshot(path=SHOTS + "create.png", full_page=True)
    sup.click("main button[type=submit].primary")
    sup.wait_for_url(re.compile(r"/meetings/\d+/$"))
    mid = meeting_id(sup.url)
    assert "共 14 个分会场" in sup.inner_text(".messages")
    sup.click("button:has-text('发出通知')")
    assert "已发出通知" in sup.inner_text(".messages")

    # 2. 沈阳市 answers the notice.
    city = page_as("shenyang")
    city.goto(live_site + "/meetings/")
    city.click(f"text={TITLE}")
    city.check("#receipt-form input[name=attending][value='1']")
    city.fill("#receipt-form input[name=leader_name]", "张建国")
    city.fill("#receipt-form input[name=leader_title]", "副市长")
    city.fill("#receipt-form input[name=head_count]", "12")
    city.click("#receipt-form button[type=submit]")
    assert "回执已提交" in city.inner_text(".messages")

    # 3. The main venue's screen shows the rotating code; 沈阳 types what it reads there.
    sup.goto(f"{live_site}/meetings/{mid}/")
    sup.click("#open-code")
    sup.wait_for_selector("#code-checked:not(:has-text('—'))")  # meetings.js has polled the JSON
    code = sup.inner_text("#checkin-code").strip()
    assert re.fullmatch(r"\d{6}", code)
    sup.screenshot(path=SHOTS + "code-screen.png")
    city.fill("#checkin-form input[name=code]", "000000" if code != "000000" else "111111")
    city.click("#checkin-form button[type=submit]")
    assert "签到码不正确或已过期" in city.inner_text(".messages")
    city.fill("#checkin-form input[name=code]", code)
    city.click("#checkin-form button[type=submit]")
    assert "签到成功" in city.inner_text(".messages")
    city.screenshot(path=SHOTS + "city-checked-in.png", full_page=True)
    assert city.locator("#venues tbody tr").count() == 1  # 沈阳 sees its own venue only
    assert city.request.get(f"{live_site}/meetings/{mid}/code.json").status == 403

    # A county that is no venue of this meeting does not see it at all.
    county = page_as("hunnan")
    county.goto(live_site + "/meetings/")
    assert TITLE not in county.inner_text("main")
    assert county.goto(f"{live_site}/meetings/{mid}/").status == 404

    # The supervisor sees the check-in in the statistics.
    sup.goto(f"{live_site}/meetings/{mid}/")
    assert re.search(r"\d\d:\d\d:\d\d", sup.inner_text("#venue-210100")) and "未签到" not in sup.inner_text(
        "#venue-210100"
    )
    totals = sup.inner_text("#attendance tfoot")
    assert re.search(r"合计\s+14\s+1\s+0\s+0\s+13\s+7\.1%", totals), totals

    # 4. The supervisor parses the speech and confirms three items with their lead units.
    sup.goto(live_site + "/meetings/parse/")
    sup.select_option("select[name=meeting]", label=TITLE)
    sup.fill("textarea[name=text]", SPEECH)
    sup.click("main button[type=submit].primary")
    sup.wait_for_url(re.compile(r"/meetings/parse/\d+/$"))
    assert sup.locator(".draft-table tbody tr").count() == 4
    leads = ["沈阳市", "大连市", "辽宁省商务厅"]
    for row, lead in enumerate(leads):
        sup.check(f"input[name=form-{row}-selected]")
        sup.select_option(f"select[name=form-{row}-lead_unit]", label=lead)
    sup.screenshot(path=SHOTS + "draft.png", full_page=True)
    sup.click("#draft-form button[type=submit]")
    assert "已生成 3 项督办事项" in sup.inner_text(".messages")
    sup.goto(f"{live_site}/meetings/{mid}/")
    tasks = sup.locator("#tasks tbody tr")
    assert tasks.count() == 3
    sup.screenshot(path=SHOTS + "detail-supervisor.png", full_page=True)

    # 5. Four eyes: the supervisor who generated the tasks may not review them; a second supervisor
    # reviews and issues 沈阳's task; 沈阳 signs for it (which starts the work) and reports progress.
    sup.click("#tasks tbody tr:has-text('沈阳市') a")
    task_url = sup.url
    assert sup.locator("button[data-action=review]").count() == 0 and "四眼原则" in sup.inner_text("main")
    second = page_as("duban")
    second.goto(task_url)
    second.click("button[data-action=review]")
    second.click("button[data-action=issue]")
    assert "已下发" in second.inner_text(".headline")
    city.goto(task_url)
    city.click("button[data-action=acknowledge]")
    assert "办理中" in city.inner_text(".headline")
    city.fill("#report input[name=percent]", "100")
    city.fill("#report textarea[name=text]", "已召开装备制造企业出口座谈会，落实出口信用保险支持政策，全部完成。")
    city.click("#report button[type=submit]")
    if city.locator("button[data-action=start]").count():
        city.click("button[data-action=start]")
    city.click("button[data-action=claim]")
    assert "申请办结" in city.inner_text(".headline")
    city.screenshot(path=SHOTS + "city-task.png", full_page=True)

    # 6. The supervisor verifies and closes it.
    sup.goto(task_url)
    sup.click("button[data-action=close]")
    assert "已办结销号" in sup.inner_text(".headline")
    sup.screenshot(path=SHOTS + "task-closed.png", full_page=True)

    # Scope: 浑南 sees none of these tasks; 大连 sees its own task only and its own venue only.
    assert county.goto(task_url).status == 404
    dalian = page_as("dalian")
    dalian.goto(f"{live_site}/meetings/{mid}/")
    assert dalian.locator("#venues tbody tr").count() == 1
    assert dalian.locator("#tasks tbody tr").count() == 1 and "大连市" in dalian.inner_text("#tasks")
    assert dalian.goto(task_url).status == 404


def test_the_demo_teleconference_reads_well_for_the_supervisor_and_a_county(page_as, live_site):
    sup = page_as("province")
    sup.goto(live_site + "/meetings/")
    sup.click("text=2018年全省对外开放工作电视电话会议")
    assert "已结束" in sup.inner_text("h1")
    totals = sup.inner_text("#attendance tfoot")
    assert re.search(r"合计\s+114\s+109\s+4\s+7\s+1\s+95\.6%", totals), totals
    assert sup.locator("#venues tbody tr").count() == 114
    sup.screenshot(path=SHOTS + "demo-supervisor.png")
    sup.click("#documents >> text=省委书记")
    assert "一是要主动融入国家重大战略" in sup.inner_text("main")
    sup.click("text=解析为督办事项")
    sup.click("main button[type=submit].primary")
    sup.wait_for_url(re.compile(r"/meetings/parse/\d+/$"))
    assert sup.locator(".draft-table tbody tr").count() == 5
    sup.screenshot(path=SHOTS + "demo-draft.png", full_page=True)
    # On a phone the draft table becomes one card per item: nothing scrolls sideways, every field is labelled.
    sup.set_viewport_size({"width": 390, "height": 844})
    assert horizontal_overflow(sup) == 0
    first = sup.locator(".draft-table tbody tr").first
    assert first.locator("td[data-label='牵头单位']").bounding_box()["width"] > 300
    sup.screenshot(path=SHOTS + "demo-draft-phone.png", full_page=True)
    sup.set_viewport_size({"width": 1280, "height": 900})
    county = page_as("hunnan")
    county.goto(live_site + "/meetings/")
    county.click("text=2018年全省对外开放工作电视电话会议")
    assert county.locator("#venues tbody tr").count() == 1
    assert county.goto(live_site + "/meetings/parse/").status == 403
    county.go_back()
    county.screenshot(path=SHOTS + "demo-county.png", full_page=True)
