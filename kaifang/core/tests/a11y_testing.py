"""Helpers for the accessibility browser tests (issue 21): axe-core from npm, zoomed viewports.

axe-core is pinned in package.json and read from node_modules; it is injected into the page under
test only (the context bypasses the Content-Security-Policy for that one script tag, the app itself
still runs under it). Zoom is what a browser does to the layout: 200% of a 1366×768 screen is a
683×384 CSS-pixel viewport at device scale 2; 400% of 1280 px is the 320 px of WCAG 1.4.10.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ZOOM_200 = {"viewport": {"width": 683, "height": 384}, "device_scale_factor": 2}
ZOOM_400 = {"viewport": {"width": 320, "height": 256}, "device_scale_factor": 4}
DESKTOP = {"viewport": {"width": 1366, "height": 768}, "device_scale_factor": 1}


def login(
    browser: Any, base: str, username: str, *, view: dict[str, Any] | None = None, large_text: bool = False
) -> Any:
    """A logged-in page in its own context (closed with the browser fixture's contexts by the caller)."""
    from kaifang.accounts.demo import DEMO_PASSWORD

    context = browser.new_context(locale="zh-CN", bypass_csp=True, **(view or DESKTOP))
    if large_text:
        context.add_cookies([{"name": "kaifang_text", "value": "large", "url": base}])
    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/")
    return page


def axe_violations(page: Any) -> list[str]:
    """WCAG 2.1 A/AA violations axe-core finds on the page as it is now, one line each."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG_21_AA
    )
    lines = []
    for violation in result["violations"]:
        for node in violation["nodes"][:5]:
            lines.append(f"{page.url} {violation['id']} {node['target']} {node['failureSummary'][:200]}")
    return lines


def horizontal_overflow(page: Any) -> int:
    """Pixels the page scrolls sideways (0: none). A table scrolling inside its own box does not count."""
    return int(page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def unreachable_controls(page: Any) -> list[str]:
    """Menu links and the account/language/text-size controls that are hidden or off the screen."""
    found: list[str] = page.evaluate(
        """() => Array.from(document.querySelectorAll(
              '.mainnav a, .userbox a, .userbox button, .textsize button, .langswitch button, .skip-link'))
            .filter(e => {
              if (e.classList.contains('skip-link')) { return false; }
              const r = e.getBoundingClientRect(), s = getComputedStyle(e);
              return r.width < 1 || r.height < 1 || s.visibility === 'hidden'
                || r.left < 0 || r.right > document.documentElement.clientWidth + 1;
            })
            .map(e => e.textContent.trim())"""
    )
    return found
