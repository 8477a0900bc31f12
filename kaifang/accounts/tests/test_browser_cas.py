"""Real Chromium: the security administrator maps the directory on its page, then a county reporter
signs in through the CAS server (single sign-on, phone viewport) and lands in their county's scope."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kaifang.accounts.tests.cas_server import PASSWORD, running_cas

pytestmark = pytest.mark.browser

ARTIFACTS = Path("test-artifacts")


@pytest.fixture(scope="module")
def cas_site():  # type: ignore[no-untyped-def]
    """A Kaifang site with single sign-on pointed at a test CAS server."""
    from kaifang.core.testing import running_site
    from kaifang.notifications.tests.channel_servers import WECOM_KEY, running_channels

    with running_cas() as cas, running_channels() as robots, pytest.MonkeyPatch.context() as patch:
        patch.setitem(os.environ, "KAIFANG_CAS_URL", cas.url)
        patch.setitem(os.environ, "HUNNAN_ROBOT_KEY", WECOM_KEY)
        url = robots.base + "/cgi-bin/webhook/send"
        route = ["channel_route", "add", "--channel", "wecom", "--unit", "210112", "--url", url]
        steps = [[*route, "--token-env", "HUNNAN_ROBOT_KEY"], ["channel_route", "test", "1"]]
        with running_site(prepare=steps) as base:
            yield base, cas


def test_a_county_reporter_signs_in_through_cas_on_a_phone_and_sees_only_the_county(browser, cas_site):
    from kaifang.accounts.demo import DEMO_PASSWORD

    base, cas = cas_site
    ARTIFACTS.mkdir(exist_ok=True)
    admin_context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    admin = admin_context.new_page()
    admin.goto(base + "/accounts/login/")
    admin.fill("input[name=username]", "secadmin")
    admin.fill("input[name=password]", DEMO_PASSWORD)
    admin.click("main button[type=submit]")
    admin.wait_for_url(base + "/")
    admin.goto(base + "/accounts/directory/")
    assert "尚无映射规则" in admin.inner_text("main")
    for source, attribute, value, role in (
        ("attribute", "departmentNumber", "*", ""),
        ("group", "", "reporters", "reporter"),
    ):
        admin.select_option("select[name=source]", source)
        admin.fill("input[name=attribute]", attribute)
        admin.fill("input[name=value]", value)
        admin.select_option("select[name=role]", role)
        admin.click("form.card button.primary")
        assert "映射规则已添加" in admin.inner_text(".messages")
    assert admin.locator("tbody tr").count() == 2
    admin.screenshot(path=str(ARTIFACTS / "directory-rules.png"), full_page=True)
    admin_context.close()

    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    phone = context.new_page()
    phone.goto(base + "/accounts/login/")
    phone.tap("#cas-login")
    phone.wait_for_url(cas.url + "login?**")
    phone.fill("#cas-username", "zhang.hn")
    phone.fill("#cas-password", PASSWORD)
    phone.tap("#cas-submit")
    phone.wait_for_url(base + "/")
    assert "浑南区" in phone.inner_text(".who")
    phone.goto(base + "/orgs/")
    rows = phone.locator("table.tree tbody tr")
    assert rows.count() == 1 and "浑南区" in rows.first.inner_text()
    assert phone.goto(base + "/orgs/210103/").status == 404  # type: ignore[union-attr]  # 沈河区: not theirs
    phone.goto(base + "/")
    phone.screenshot(path=str(ARTIFACTS / "cas-reporter-phone.png"), full_page=True)
    # the county's group robot got the channel test (kaifang channel_route test): the send record
    phone.goto(base + "/notifications/deliveries/")
    row = phone.locator("table.deliveries tbody tr").first
    assert "开放平台消息渠道测试" in row.inner_text() and "已发送" in row.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    phone.screenshot(path=str(ARTIFACTS / "deliveries-phone.png"), full_page=True)
    context.close()
