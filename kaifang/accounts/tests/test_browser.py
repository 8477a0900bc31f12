"""Real Chromium: the system administrator bulk-imports accounts, the security administrator grants
one of them a role and prints its one-time password, and the new reporter signs in, must change
the password first, and then sees only their county."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaifang.accounts.tests.workbooks import accounts_bytes

pytestmark = pytest.mark.browser

ARTIFACTS = Path("test-artifacts")
PHONE = {"width": 390, "height": 844}
ROWS = [
    ["br.hunnan", "浏览器测试甲", "210112", "浑南区", "填报员", "13912345678"],
    ["br.shenhe", "浏览器测试乙", "210103", "沈河区", "填报员", ""],
]


def shoot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_import_grant_first_sign_in_and_a_county_only_view(page_as, browser, live_site, tmp_path):
    workbook = tmp_path / "accounts.xlsx"
    workbook.write_bytes(accounts_bytes(ROWS))

    admin = page_as("admin")
    admin.goto(live_site + "/accounts/users/import/")
    admin.set_input_files("input[type=file]", str(workbook))
    admin.click("form.upload-form button[type=submit]")
    assert "检查通过" in admin.inner_text("#import-result")
    shoot(admin, "users-import-checked")
    admin.click("#confirm-import")
    admin.wait_for_url("**/accounts/users/?imported=*")
    assert "新建 2 个账号" in admin.inner_text(".messages")
    assert admin.locator("tbody tr").count() == 2
    shoot(admin, "users-imported")

    security = page_as("secadmin")
    security.goto(live_site + "/accounts/users/?q=br.hunnan")
    security.click("text=br.hunnan")
    assert "待授权" in security.inner_text("main")
    security.select_option("#grant-form select[name=role]", "reporter")
    security.select_option("#grant-form select[name=unit]", "210112")
    security.click("#grant-form button[type=submit]")
    assert "已授予“填报员”" in security.inner_text(".messages")
    shoot(security, "user-detail-granted")
    security.click("#issue-one")
    password = security.inner_text(".slip .secret").strip()
    assert len(password) == 16
    shoot(security, "password-sheet")
    security.set_viewport_size(PHONE)
    shoot(security, "password-sheet-phone")

    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    reporter = context.new_page()
    reporter.goto(live_site + "/accounts/login/")
    reporter.fill("input[name=username]", "br.hunnan")
    reporter.fill("input[name=password]", password)
    reporter.click("main button[type=submit]")
    reporter.wait_for_url("**/accounts/password/**")
    assert "首次登录或密码被重置后须先修改密码" in reporter.inner_text("main")
    reporter.goto(live_site + "/orgs/")  # nothing else opens before the change
    assert "/accounts/password/" in reporter.url
    new = "Blue-river-47!"
    reporter.fill("input[name=old_password]", password)
    reporter.fill("input[name=new_password]", new)
    reporter.fill("input[name=new_password2]", new)
    reporter.click("main button[type=submit]")
    reporter.wait_for_url(live_site + "/")
    reporter.goto(live_site + "/orgs/")
    rows = reporter.locator("table.tree tbody tr")
    assert rows.count() == 1 and "浑南区" in rows.first.inner_text()
    assert reporter.goto(live_site + "/orgs/210103/").status == 404  # type: ignore[union-attr]
    assert reporter.goto(live_site + "/accounts/users/").status == 403  # type: ignore[union-attr]
    reporter.set_viewport_size(PHONE)
    reporter.goto(live_site + "/orgs/")
    shoot(reporter, "new-reporter-tree-phone")
    context.close()

    # The other imported account was never granted: it cannot sign in at all (no password yet).
    stranger = browser.new_context(locale="zh-CN").new_page()
    stranger.goto(live_site + "/accounts/login/")
    stranger.fill("input[name=username]", "br.shenhe")
    stranger.fill("input[name=password]", new)
    stranger.click("main button[type=submit]")
    assert "账号或密码不正确" in stranger.inner_text("main")
    stranger.context.close()


def test_setup_pages_render_on_desktop_and_phone(page_as, live_site):
    """The new setup pages as the people who use them see them (screenshots for review)."""
    pages = {
        "admin": ["/accounts/users/", "/accounts/users/new/", "/indicators/catalogue/import/"],
        "province": ["/reporting/calendar/", "/assessment/schemes/import/", "/indicators/targets/import/?unit=210000"],
    }
    for who, paths in pages.items():
        page = page_as(who)
        for path in paths:
            for label, size in (("desktop", {"width": 1366, "height": 768}), ("phone", PHONE)):
                page.set_viewport_size(size)
                response = page.goto(live_site + path)
                assert response is not None and response.status == 200, path
                name = path.strip("/").replace("/", "-").split("?")[0]
                shoot(page, f"setup-{name}-{label}")
    calendar = page_as("province")
    calendar.goto(live_site + "/reporting/calendar/")
    calendar.fill("input[name=year]", "2019")
    calendar.click("button[name=create][value='0']")
    assert calendar.locator("#calendar-preview tbody tr").count() == 12
    shoot(calendar, "setup-calendar-preview-desktop")
