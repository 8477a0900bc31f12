"""Real Chromium: a Dalian officer records a lead, signs and starts it, and the ledger-derived
figures of Dalian and the province change on the next page load; 浑南区 cannot see the project."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
SHOTS = Path("test-artifacts")


def figure(page, code: str, column: str) -> int:  # type: ignore[no-untyped-def]
    text = page.locator(f"#derived-figures tr[data-indicator={code}] td.{column}").inner_text()
    return int(float(text.replace(",", "") or 0))


def test_a_dalian_officer_moves_a_lead_to_started_and_the_derived_figures_follow(page_as, live_site):
    SHOTS.mkdir(exist_ok=True)
    province = page_as("province")
    province.goto(live_site + "/ledgers/stats/")
    province_signed = figure(province, "PROJ_SIGNED", "month")
    province_started = figure(province, "PROJ_STARTED", "month")

    dalian = page_as("dalian")
    dalian.goto(live_site + "/ledgers/stats/")
    signed_before = figure(dalian, "PROJ_SIGNED", "month")
    started_before = figure(dalian, "PROJ_STARTED", "month")
    ytd_before = figure(dalian, "PROJ_SIGNED", "ytd")

    dalian.goto(live_site + "/ledgers/")
    dalian.screenshot(path=SHOTS / "ledgers-kanban-dalian.png")
    dalian.click("text=录入线索")
    dalian.fill("input[name=name]", "德国莱茵机械智能装备项目（浏览器测试）")
    dalian.fill("input[name=investor_name]", "德国莱茵机械有限公司")
    dalian.select_option("select[name=origin]", "DE")
    dalian.select_option("select[name=industry]", "C")
    dalian.fill("input[name=agreed_amount]", "25000")
    dalian.screenshot(path=SHOTS / "ledgers-new-lead.png")
    dalian.click("button.primary[type=submit]")
    dalian.wait_for_url(re.compile(r"/ledgers/projects/\d+/$"))
    project_url = dalian.url
    for action, stage in [("negotiate", "在谈"), ("sign", "签约"), ("start", "开工")]:
        dalian.fill("input[name=evidence]", f"浏览器测试：{stage}")
        dalian.click(f"button[name=action][value={action}]")
        dalian.wait_for_load_state()
        assert dalian.locator("#project-stage").inner_text() == stage
    dalian.screenshot(path=SHOTS / "ledgers-project-started.png", full_page=True)

    dalian.goto(live_site + "/ledgers/stats/")
    assert figure(dalian, "PROJ_SIGNED", "month") == signed_before + 1
    assert figure(dalian, "PROJ_STARTED", "month") == started_before + 1
    assert figure(dalian, "PROJ_SIGNED", "ytd") == ytd_before + 1
    province.goto(live_site + "/ledgers/stats/")
    assert figure(province, "PROJ_SIGNED", "month") == province_signed + 1
    assert figure(province, "PROJ_STARTED", "month") == province_started + 1
    province.wait_for_selector("#city-map[data-ready='1']")
    province.screenshot(path=SHOTS / "ledgers-stats-province.png", full_page=True)

    hunnan = page_as("hunnan")
    response = hunnan.goto(project_url)
    assert response is not None and response.status == 404
    hunnan.screenshot(path=SHOTS / "ledgers-hunnan-404.png")
    hunnan.goto(live_site + "/ledgers/projects/?q=莱茵机械智能装备")
    assert "莱茵机械智能装备" not in hunnan.locator("tbody").inner_text()
    project_id = project_url.rstrip("/").split("/")[-1]
    api = hunnan.request.get(f"{live_site}/api/v1/projects/{project_id}")
    assert api.status == 404
    hunnan.goto(live_site + "/ledgers/")
    hunnan.screenshot(path=SHOTS / "ledgers-kanban-hunnan.png")


def test_lead_timers_talents_and_the_project_list_render_for_dalian(page_as, live_site):
    SHOTS.mkdir(exist_ok=True)
    page = page_as("dalian")
    page.goto(live_site + "/ledgers/leads/")
    assert page.locator(".light-yellow, .light-red").count() > 0  # July leads still waiting for an answer
    page.screenshot(path=SHOTS / "ledgers-leads-dalian.png")
    page.goto(live_site + "/ledgers/talents/")
    page.screenshot(path=SHOTS / "ledgers-talents-dalian.png")
    page.goto(live_site + "/ledgers/projects/?tag=一带一路")
    page.screenshot(path=SHOTS / "ledgers-list-bri-dalian.png")
    assert page.locator("tbody tr").count() > 1
