"""Real Chromium, on a demo where 沈阳's twelve counties (all but 浑南区) have submitted June:
the city returns two with reasons and batch-approves ten by keyboard; 浑南区 fills, submits,
withdraws and resubmits on a phone; 大连 approves from its queue on a phone; 省商务厅 imports an old
template and sees every change old → new, the stale row refused until confirmed."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest

from kaifang.core.testing import page_overflow, touch_problems

pytestmark = pytest.mark.browser

ROUND_LINK = "2018年6月开放型经济指标"
SETUP = "from kaifang.reporting.tests.browser_setup import run; run()"


@pytest.fixture(scope="module")
def live_site():  # type: ignore[no-untyped-def]
    """This module's own site: the demo plus `browser_setup` (twelve 沈阳 counties submitted)."""
    from kaifang.core.testing import running_site

    with running_site(prepare=[["shell", "-c", SETUP]]) as base:
        yield base


def round_url(page, base: str) -> str:  # type: ignore[no-untyped-def]
    page.goto(base + "/reporting/")
    href = page.get_attribute(f"a:text('{ROUND_LINK}')", "href")
    assert href
    return base + href


def number(text: str) -> Decimal:
    cleaned = text.replace(",", "").strip()
    return Decimal(cleaned) if re.fullmatch(r"-?\d+(\.\d+)?", cleaned) else Decimal(0)


def test_the_city_returns_two_with_reasons_and_batch_approves_ten(page_as, live_site):
    city = page_as("shenyang")
    city.on("dialog", lambda dialog: dialog.accept())
    city.goto(round_url(city, live_site) + "queue/?status=submitted")
    waiting = city.locator("input.unit-tick[data-status=submitted]")
    codes = [waiting.nth(i).get_attribute("value") for i in range(waiting.count())]
    assert len(codes) == 12 and "210112" not in codes
    first = city.locator(f"#u-{codes[0]}")
    assert first.locator("table.figures tbody tr").count() >= 8  # the figures, inline
    assert "完整性 8/8" in first.inner_text()
    city.screenshot(path="test-artifacts/reporting-queue-waiting.png", full_page=False)

    back, kept = codes[:2], codes[2:]
    for code in back:
        city.check(f"#tick-{code}")
    city.fill(f"input[name=reason_{back[0]}]", "出口额与海关数据不符，请核对")
    city.click("#batch-return")  # the second has no reason: the whole batch is refused
    city.wait_for_selector("#queue-errors")
    assert "整批未执行" in city.inner_text("#queue-errors")
    assert "退回时必须填写退回原因" in city.inner_text(f"#u-{back[1]}")
    assert city.input_value(f"input[name=reason_{back[0]}]") == "出口额与海关数据不符，请核对"  # kept
    assert city.is_checked(f"#tick-{back[0]}") and city.is_checked(f"#tick-{back[1]}")
    city.fill(f"input[name=reason_{back[1]}]", "外商投资企业数与商务部系统不一致")
    city.click("#batch-return")
    city.wait_for_selector(".msg-success")
    assert "已退回 2 个单位" in city.inner_text(".messages")

    # By keyboard: tick every report awaiting approval, then 批量审核.
    city.focus("#tick-waiting")
    city.keyboard.press("Space")
    assert city.inner_text("#tick-count") == "已选 10 个单位"
    city.focus("#batch-approve")
    city.keyboard.press("Enter")
    city.wait_for_selector(".msg-success")
    assert "已审核通过 10 个单位" in city.inner_text(".messages")
    city.goto(round_url(city, live_site) + "queue/")
    for code in kept:
        assert city.inner_text(f"#u-{code} .status") == "已审核"
    for code in back:
        assert city.inner_text(f"#u-{code} .status") == "已退回"
    assert "出口额与海关数据不符" in city.inner_text(f"#u-{back[0]}")
    city.screenshot(path="test-artifacts/reporting-queue-after.png", full_page=False)


def test_a_county_fills_submits_withdraws_and_resubmits_on_a_phone(phone_as, live_site):
    phone = phone_as("hunnan")
    phone.on("dialog", lambda dialog: dialog.accept())
    entry = round_url(phone, live_site) + "210112/"
    phone.goto(entry)
    phone.wait_for_selector("#entry-form")
    assert page_overflow(phone) == 0
    inputs = phone.locator("input.figure")
    assert all(inputs.nth(i).get_attribute("inputmode") == "decimal" for i in range(inputs.count()))
    assert touch_problems(phone, "input.figure, .actions button") == []

    trade, export = (Decimal(phone.input_value(f"#id_v_{c}")) for c in ("TRADE", "EXPORT"))
    values = {"IMPORT": trade - export}
    for code in ("DOMESTIC", "ODI", "CBEC"):
        previous = number(phone.inner_text(f"tbody[data-code={code}] td[data-label='上月']"))
        values[code] = (previous * Decimal("1.2")).quantize(Decimal(1))
    for code, value in values.items():
        phone.fill(f"#id_v_{code}", str(value))
    # 同比 as you type: (typed − last June) / last June, one decimal, signed.
    last_june = Decimal(phone.get_attribute("#yoy-ODI", "data-last-year") or "0")
    if last_june:
        growth = (values["ODI"] - last_june) / abs(last_june) * 100
        expected = f"{growth.quantize(Decimal('0.1')):+}%"
        assert phone.inner_text("#yoy-ODI") == expected
    phone.wait_for_timeout(1200)  # the server check runs 350 ms after typing stops
    for code in [c for c in values] + ["TRADE", "EXPORT", "FDI", "FIE_NEW"]:
        box = phone.locator(f"#x-{code}")
        if box.count() and box.locator(".finding.warning:not(.explained)").count():
            box.locator("textarea").fill("已与统计部门核实，数据无误。")
    phone.screenshot(path="test-artifacts/reporting-phone-form.png", full_page=False)
    phone.tap("button[value=submit]")
    phone.wait_for_selector(".msg-success")
    assert phone.inner_text("#submission-status") == "已提交待审核"

    phone.fill("#withdraw-reason", "ODI 少填了一笔")
    phone.tap(".withdraw button[data-action=withdraw]")
    phone.wait_for_selector(".msg-success")
    assert phone.inner_text("#submission-status") == "草稿"
    odi = values["ODI"] + 5
    phone.fill("#id_v_ODI", str(odi))
    phone.wait_for_timeout(800)
    phone.tap("button[value=submit]")
    phone.wait_for_selector(".msg-success")
    assert phone.inner_text("#submission-status") == "已提交待审核"
    assert phone.locator("#id_v_ODI").count() == 0 and str(odi) in phone.inner_text("tbody[data-code=ODI]")
    assert "撤回" in phone.inner_text("main") or "草稿" in phone.inner_text("main")
    assert page_overflow(phone) == 0


def test_a_city_approves_from_its_queue_on_a_phone(phone_as, live_site):
    phone = phone_as("dalian")
    phone.goto(round_url(phone, live_site) + "queue/")
    assert page_overflow(phone) == 0
    assert touch_problems(phone, "#queue-form button, .batch-row input[type=text]") == []
    ganjingzi = phone.locator("#u-210211")
    assert "甘井子区" in ganjingzi.inner_text() and ganjingzi.locator("table.figures").is_visible()
    phone.screenshot(path="test-artifacts/reporting-phone-queue.png", full_page=False)
    phone.tap("#tick-210211")
    phone.tap("#batch-approve")
    phone.wait_for_selector(".msg-success")
    assert "已审核通过 1 个单位：甘井子区" in phone.inner_text(".messages")
    assert phone.inner_text("#u-210211 .status") == "已审核"
    assert page_overflow(phone) == 0


def test_an_old_template_shows_every_change_and_the_stale_row_needs_its_tick(page_as, live_site, tmp_path):
    import openpyxl

    page = page_as("swt")
    entry = round_url(page, live_site) + "SWT/"
    figures = {"TRADE": 300, "EXPORT": 120, "IMPORT": 180, "FDI": 5000, "FIE_NEW": 3, "DOMESTIC": 40, "CBEC": 6}
    page.goto(entry)
    for code, value in figures.items():
        page.fill(f"#id_v_{code}", str(value))
    page.click("button[value=save]")
    page.wait_for_selector(".msg-success")
    with page.expect_download() as download:
        page.click("text=下载 Excel 模板")
    template = tmp_path / "swt.xlsx"
    download.value.save_as(template)
    # Meanwhile EXPORT is corrected on the form (another tab, or a colleague) …
    page.goto(entry)
    page.fill("#id_v_EXPORT", "130")
    page.fill("#id_v_TRADE", "310")
    page.click("button[value=save]")
    page.wait_for_selector(".msg-success")
    # … and the old copy comes back with only 外商投资新设企业数 changed: TRADE and EXPORT would go back.
    book = openpyxl.load_workbook(template)
    for row in book["填报"].iter_rows(min_row=2):
        if row[2].value == "FIE_NEW":
            row[7].value = 4
    filled = tmp_path / "swt-old.xlsx"
    out = io.BytesIO()
    book.save(out)
    filled.write_bytes(out.getvalue())
    page.goto(round_url(page, live_site) + "import/")
    page.set_input_files("input[type=file]", str(filled))
    page.click("text=上传并检查")
    page.wait_for_selector("#changes")
    rows = {r.get_attribute("data-key"): r.inner_text() for r in page.locator("#changes tbody tr").all()}
    assert set(rows) == {"SWT/EXPORT", "SWT/TRADE", "SWT/FIE_NEW"}
    assert re.search(r"130\s+120", rows["SWT/EXPORT"]) and "已被他人修改" in rows["SWT/EXPORT"]
    assert re.search(r"310\s+300", rows["SWT/TRADE"]) and "已被他人修改" in rows["SWT/TRADE"]
    assert re.search(r"3\s+4", rows["SWT/FIE_NEW"]) and "已被他人修改" not in rows["SWT/FIE_NEW"]
    assert "2 行数据在您下载模板后已被他人修改" in page.inner_text("#stale-note")
    page.screenshot(path="test-artifacts/reporting-import-changes.png", full_page=True)
    page.click("#apply-button")
    page.wait_for_selector(".errors, .msg-error")
    assert "须逐行确认" in page.inner_text("main")
    page.check("input[name=confirm][value='SWT/EXPORT']")
    page.check("input[name=confirm][value='SWT/TRADE']")
    page.click("#apply-button")
    page.wait_for_selector(".msg-success")
    page.goto(entry)
    assert page.input_value("#id_v_EXPORT") == "120" and page.input_value("#id_v_FIE_NEW") == "4"
