"""Real Chromium: the province pages the project list past its 500th row (the old list stopped
there and ?page=2 repeated page 1), filters by stage and a unit chosen with the picker, and exports
exactly the filtered set; a county sees only its own; the list fits a phone."""

import io
import re
from pathlib import Path

import openpyxl
import pytest

from kaifang.core.testing import page_overflow

pytestmark = pytest.mark.browser
SHOTS = Path("test-artifacts")


def total(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.locator(".pager-status").get_attribute("data-count"))


def first_row(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator("#project-table tbody tr td.main a").first.inner_text()


def test_the_province_pages_past_500_filters_and_exports_the_filtered_projects(page_as, phone_as, live_site):
    SHOTS.mkdir(exist_ok=True)
    page = page_as("province")
    api = page.request
    everything = api.get(live_site + "/api/v1/projects?limit=1").json()["count"]
    assert everything > 500
    page.goto(live_site + "/ledgers/projects/")
    assert total(page) == everything
    page_one = first_row(page)

    page.select_option("select[name=size]", "200")
    page.click(".list-controls button[type=submit]")
    page.click(".pager a[rel=next]")
    page.click(".pager a[rel=next]")
    assert "第 401–600 条" in page.inner_text(".pager-status")  # rows 501–600 are on this page
    rows = page.locator("#project-table tbody tr")
    assert rows.count() == 200
    row_501 = rows.nth(100).locator("td a").first.inner_text()
    assert row_501 == api.get(live_site + "/api/v1/projects?limit=1&offset=500").json()["items"][0]["name"]
    assert first_row(page) != page_one
    page.screenshot(path=SHOTS / "projects-page-3.png")

    page.goto(live_site + "/ledgers/projects/")
    page.select_option("select[name=stage]", "signed")
    picker = page.locator(".control-unit .up-search")
    picker.click()
    picker.type("dls")  # 大连市 by its pinyin initials
    page.keyboard.press("Enter")
    page.click(".list-controls button[type=submit]")
    expected = api.get(live_site + "/api/v1/projects?stage=signed&unit=210200&limit=1").json()["count"]
    assert 0 < expected < everything and total(page) == expected
    assert "unit=210200" in page.url and "stage=signed" in page.url
    page.screenshot(path=SHOTS / "projects-filtered.png", full_page=True)
    with page.expect_download() as download:
        page.click("a[data-export]")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).worksheets[0]
    assert sheet.max_row - 1 == expected  # exactly the filtered set, every page of it

    county = page_as("hunnan")
    own = county.request.get(live_site + "/api/v1/projects?limit=1").json()["count"]
    county.goto(live_site + "/ledgers/projects/")
    assert total(county) == own < everything
    county.goto(live_site + "/ledgers/projects/?unit=210200")
    assert total(county) == 0

    phone = phone_as("province")
    phone.goto(live_site + "/ledgers/projects/?stage=signed&page=2")
    assert page_overflow(phone) == 0 and re.search(r"第 51–100 条", phone.inner_text(".pager-status"))
    phone.screenshot(path=SHOTS / "projects-phone.png", full_page=False)
