"""Real Chromium: the CSP breaks nothing (no violation on the shell or the API docs) and a user
enrols a second factor by scanning a server-drawn QR code, then signs in with a code."""

from __future__ import annotations

import pyotp
import pytest

from kaifang.accounts.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def _violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None)
    return messages


def test_the_shell_and_the_api_docs_run_under_the_csp(page_as, live_site):
    page = page_as("shenyang")
    violations = _violations(page)
    page.goto(live_site + "/orgs/")
    page.goto(live_site + "/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20000)
    page.screenshot(path="test-artifacts/security-api-docs.png")
    assert violations == []


def test_a_user_enrols_a_totp_app_and_signs_in_with_a_code(browser, page_as, live_site):
    page = page_as("secadmin")
    page.goto(live_site + "/accounts/2fa/setup/")
    assert page.evaluate("document.querySelector('img.qr').naturalWidth") > 0
    page.screenshot(path="test-artifacts/security-2fa-setup.png", full_page=True)
    secret = page.inner_text("code.secret").strip()
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.click("main button[type=submit]")
    assert page.locator("ul.recovery-codes li").count() == 10
    page.screenshot(path="test-artifacts/security-recovery-codes.png", full_page=True)

    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    second = context.new_page()
    second.goto(live_site + "/accounts/login/")
    second.fill("input[name=username]", "secadmin")
    second.fill("input[name=password]", DEMO_PASSWORD)
    second.click("main button[type=submit]")
    second.wait_for_url("**/accounts/2fa/**")
    second.screenshot(path="test-artifacts/security-2fa-code.png")
    second.goto(live_site + "/orgs/")
    assert "/accounts/2fa/" in second.url  # nothing else works before the code
    totp = pyotp.TOTP(secret)
    second.fill("input[name=code]", totp.at(int(__import__("time").time()) + 30))
    second.click("main button[type=submit]")
    second.wait_for_url(live_site + "/orgs/")
    context.close()
