"""Real Chromium on the demo: the results, unit breakdown, board and cockpit pages print on A4 what is on
screen — the same tables and panels, without navigation, buttons and forms — and their 导出（Excel）
buttons download the same rows; on a phone the buttons are there too."""

from __future__ import annotations

import subprocess
import tempfile

import pytest

pytestmark = pytest.mark.browser

PAGES = {
    "results": ("/assessment/schemes/KH-2018-CITY/2018-06/", "#results-table tbody tr"),
    "unit": ("/assessment/schemes/KH-2018-CITY/2018-06/units/210100/", "table.breakdown tbody tr"),
    "board": ("/supervision/", "table.tasks tbody tr"),
    "cockpit": ("/dashboards/units/210100/?period=2018-06", "#warnings-panel tbody tr"),
}


def _pdf_text(pdf: bytes) -> tuple[str, str]:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        info = subprocess.run(["pdfinfo", handle.name], capture_output=True, check=True).stdout.decode()
        text = subprocess.run(["pdftotext", handle.name, "-"], capture_output=True, check=True).stdout.decode()
    return info, "".join(text.split())


@pytest.mark.parametrize("name", list(PAGES))
def test_what_prints_is_what_is_on_screen_on_a4(page_as, live_site, name):
    path, rows = PAGES[name]
    page = page_as("province")
    page.goto(live_site + path)
    if name == "cockpit":
        page.wait_for_selector("#cockpit[data-ready='210100']", state="attached")
    assert page.locator(".print-tools [data-print]").is_visible()
    # The cells that read as one short line on screen (figures, names, grades, dates, codes); longer text
    # (a title with its source, a calculation) rewraps at the printed width and is not compared.
    cells = ["".join(t.split()) for t in page.locator(rows + " > td").all_inner_texts() if "\n" not in t.strip()]
    on_screen = [c for c in cells if 0 < len(c) <= 16]
    assert on_screen
    page.emulate_media(media="print")
    assert not page.locator("nav.mainnav").is_visible() and not page.locator(".print-tools").is_visible()
    assert page.locator(rows).first.is_visible()
    info, printed = _pdf_text(page.pdf(prefer_css_page_size=True))
    assert "(A4)" in info and "841.92 x 594.96" in info  # A4 landscape
    # Every cell on screen is in the printout, in full (the board's page of rows, the cockpit's warnings).
    for cell in on_screen:
        assert cell in printed, cell
    assert "修改密码" not in printed and "打印" not in printed  # no navigation, no buttons


def test_the_export_button_downloads_the_rows_on_screen(page_as, live_site):
    from io import BytesIO

    from openpyxl import load_workbook

    page = page_as("province")
    page.goto(live_site + PAGES["results"][0])
    units = page.locator("#results-table tbody tr td:nth-child(2)").all_inner_texts()
    with page.expect_download() as download:
        page.click(".print-tools >> text=导出（Excel）")
    with open(download.value.path(), "rb") as handle:
        book = load_workbook(BytesIO(handle.read()), read_only=True)
    exported = [r[1] for r in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert exported == units and len(units) == 14


def test_the_print_and_export_buttons_are_on_the_phone(phone_as, live_site):
    page = phone_as("shenyang")
    page.goto(live_site + "/dashboards/")
    page.wait_for_selector("#cockpit[data-ready='210100']", state="attached")
    assert page.locator(".print-tools [data-print]").is_visible()
    assert page.locator(".print-tools >> text=导出（Excel）").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
