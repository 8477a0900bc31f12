"""Real Chromium: after a mid-year merge, the new unit's page shows its lineage and the values
explorer labels its year on year 按可比口径 (desktop and phone)."""

import datetime
import threading
from decimal import Decimal as D

import pytest

from kaifang.core.actors import SystemActor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SYSTEM = SystemActor("test")


@pytest.fixture
def merged(base_data):
    from kaifang.accounts.models import User
    from kaifang.indicators.figures import ValueEntry
    from kaifang.indicators.services import save_values
    from kaifang.indicators.tests.factories import make_indicator, open_figures
    from kaifang.orgs.models import OrgUnit
    from kaifang.orgs.services import changes as changes

    province = User.objects.get(username="province")
    make_indicator("T_FDI", name="实际利用外资", unit_of_measure="亿元")

    def save(code, period, value):
        unit = OrgUnit.objects.get(code=code)
        open_figures(["T_FDI"], [unit], period)
        save_values(actor=province, unit=unit, period=period, entries=[ValueEntry("T_FDI", D(value))])

    for code, value in (("211102", "28"), ("211103", "32"), ("211104", "34"), ("211122", "25")):
        save(code, datetime.date(2017, 7, 1), value)
    change = changes.propose(
        actor=SYSTEM,
        kind="merge",
        effective=datetime.date(2018, 7, 1),
        sources=["211102", "211103"],
        results=[{"code": "211190", "name": "盘锦市中心城区", "parent": "211100"}],
        document="测试批复〔2018〕1号",
    )
    changes.review(actor=SYSTEM, change_id=change.pk)
    changes.apply(actor=SYSTEM, change_id=change.pk)
    for code, value in (("211190", "66"), ("211104", "38"), ("211122", "30")):
        save(code, datetime.date(2018, 7, 1), value)


def in_chromium(steps):
    """Run `steps(browser)` in a thread of its own: Playwright's sync API keeps an event loop on its
    thread, which Django's ORM (the set-up above, the live server's data) must not share."""
    from playwright.sync_api import sync_playwright

    from kaifang.core.testing import CHROMIUM, CHROMIUM_ARGS

    failure = []

    def run():
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                try:
                    steps(browser)
                finally:
                    browser.close()
        except BaseException as exc:  # re-raised on the test's thread
            failure.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=300)
    if failure:
        raise failure[0]


def login(browser, base, username, viewport):
    from kaifang.accounts.demo import DEMO_PASSWORD

    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/")
    return context, page


@pytest.mark.parametrize(
    ("viewport", "name"), [({"width": 1366, "height": 768}, "desktop"), ({"width": 390, "height": 844}, "phone")]
)
def test_a_merged_units_lineage_and_its_comparable_yoy(live_server, merged, viewport, name):
    in_chromium(lambda browser: check_lineage_and_yoy(browser, live_server.url, viewport, name))


def check_lineage_and_yoy(browser, base, viewport, name):
    context, page = login(browser, base, "province", viewport)
    page.goto(base + "/orgs/211190/")
    lineage = page.locator("#lineage")
    text = lineage.inner_text()
    assert "区划沿革" in text and "2018年7月起" in text and "合并" in text and "测试批复〔2018〕1号" in text
    assert "双台子区" in text and "兴隆台区" in text and "盘锦市中心城区" in text
    page.screenshot(path=f"test-artifacts/orgs-lineage-{name}.png", full_page=True)

    page.click("#lineage >> text=双台子区")  # the ended unit links back to what it became
    page.wait_for_url("**/orgs/211102/")
    assert "已于 2018年6月30日 停用" in page.inner_text(".page-head") or "停用" in page.inner_text(".page-head")
    assert "盘锦市中心城区" in page.inner_text("#lineage")

    page.goto(base + "/indicators/?indicator=T_FDI&unit=211100&from=2018-07&to=2018-07")
    row = page.locator("table.values tbody tr", has_text="盘锦市中心城区")
    assert "+10.0%" in row.inner_text()  # 66 against 28 + 32 = 60
    assert "按可比口径" in row.inner_text()
    city_row_text = page.locator("table.values tbody tr", has_text="大洼区").inner_text()
    assert "按可比口径" not in city_row_text  # untouched units compare with their own last year
    page.screenshot(path=f"test-artifacts/indicators-comparable-{name}.png", full_page=True)
    context.close()
