"""Assessment pages: scoped rows, one click from a point to its figure, publishing, bulletins."""

from __future__ import annotations

import io
import subprocess
import tempfile
import zipfile

import pytest

from kaifang.assessment import services
from kaifang.assessment.models import AssessmentSnapshot, Bulletin
from kaifang.assessment.tests.conftest import JUNE


def test_the_province_sees_every_row_and_a_city_only_its_own(two_cities, client_for, province, shenyang, hunnan):
    page = client_for(province).get("/assessment/schemes/KH-TWO/2018-06/").content.decode()
    assert "沈阳市" in page and "大连市" in page and "实时得分" in page
    page = client_for(shenyang).get("/assessment/schemes/KH-TWO/2018-06/").content.decode()
    assert "沈阳市" in page and "大连市" not in page
    page = client_for(hunnan).get("/assessment/schemes/KH-TWO/2018-06/").content.decode()
    assert "沈阳市</a>" not in page and "没有您可查看的单位" in page


def test_a_point_links_to_the_figure_behind_it(two_cities, client_for, shenyang):
    page = client_for(shenyang).get("/assessment/schemes/KH-TWO/2018-06/units/210100/").content.decode()
    assert "54.00" in page and "完成率 450÷1000=45.00%" in page
    assert "/indicators/figures/T_FDI/210100/2018-06/" in page
    figure = client_for(shenyang).get("/indicators/figures/T_FDI/210100/2018-06/").content.decode()
    assert "450" in figure and "1000" in figure


def test_the_old_address_of_a_figure_leads_to_the_indicators_page(two_cities, client_for, shenyang, hunnan):
    old = client_for(shenyang).get("/assessment/figures/T_FDI/210100/2018-06/")
    assert old.status_code == 301 and old["Location"] == "/indicators/figures/T_FDI/210100/2018-06/"
    assert client_for(hunnan).get("/assessment/figures/T_FDI/210100/2018-06/", follow=True).status_code == 404


def test_other_units_breakdowns_and_figures_are_not_found(two_cities, client_for, shenyang, hunnan):
    assert client_for(shenyang).get("/assessment/schemes/KH-TWO/2018-06/units/210200/").status_code == 404
    assert client_for(hunnan).get("/indicators/figures/T_FDI/210100/2018-06/").status_code == 404
    assert client_for(hunnan).get("/assessment/schemes/KH-TWO/2017-06/").status_code == 404


def test_publishing_is_for_the_province_and_the_published_page_is_frozen(two_cities, client_for, province, shenyang):
    response = client_for(shenyang).post("/assessment/schemes/KH-TWO/2018-06/publish/", {"reason": ""})
    assert response.status_code == 403
    assert not AssessmentSnapshot.objects.exists()
    response = client_for(province).post("/assessment/schemes/KH-TWO/2018-06/publish/", {"reason": ""})
    snapshot = AssessmentSnapshot.objects.get()
    assert response.status_code == 302 and response.url == f"/assessment/published/{snapshot.pk}/"
    page = client_for(shenyang).get(f"/assessment/published/{snapshot.pk}/units/210100/").content.decode()
    assert "已发布 第1版" in page and "54.00" in page
    assert client_for(shenyang).get(f"/assessment/published/{snapshot.pk}/units/210200/").status_code == 404


def test_entries_page_lets_a_city_propose_and_hides_other_cities_entries(two_cities, client_for, shenyang, dalian):
    response = client_for(shenyang).post(
        "/assessment/adjustments/",
        {
            "item": "KH-TWO/bonus",
            "unit": "210100",
            "period": "2018-06",
            "points": "1.5",
            "reason": "世界500强项目落地",
            "evidence": "确认函",
        },
    )
    assert response.status_code == 302
    assert "世界500强项目落地" not in client_for(dalian).get("/assessment/adjustments/").content.decode()
    assert "世界500强项目落地" in client_for(shenyang).get("/assessment/adjustments/").content.decode()


@pytest.fixture
def published(two_cities, province):
    return services.publish_assessment(actor=province, scheme=two_cities, period=JUNE)


def test_the_pdf_bulletin_names_the_units_and_their_scores(published, province):
    bulletin = services.request_bulletin(actor=province, scheme=published.scheme, period=JUNE, file_format="pdf")
    bulletin.refresh_from_db()
    assert bulletin.status == "done" and bulletin.progress == 100 and bulletin.snapshot == published
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(bulletin.file.read())
        handle.flush()
        text = subprocess.run(
            ["pdftotext", "-layout", handle.name, "-"], capture_output=True, check=True
        ).stdout.decode()
    flat = "".join(text.split())  # the 22 pt title wraps onto two lines
    assert "关于2018年1-6月全省对外开放工作考核情况的通报" in flat
    assert "沈阳市" in text and "大连市" in text
    assert "94.00" in text and "110.00" in text  # 沈阳 54 + 40; 大连 70 + 40
    assert "红榜" in text


def test_the_word_bulletin_is_in_the_official_document_layout(published, province):
    """GB/T 9704-2012: A4; margins top 37, bottom 35, left 28, right 26 mm; 仿宋 body (3号 16 pt), 小标宋
    title (2号 22 pt), 黑体 first-level headings; the table's columns fit their content (not equal), its
    header row repeats on every page; page numbers "— PAGE —" on the outer side of odd and even pages."""
    from docx import Document
    from docx.oxml.ns import qn

    bulletin = services.request_bulletin(actor=province, scheme=published.scheme, period=JUNE, file_format="docx")
    bulletin.refresh_from_db()
    document = Document(io.BytesIO(bulletin.file.read()))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [
        round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    ]
    assert margins == [37, 35, 28, 26]

    def east_asia(style):
        return document.styles[style].element.rPr.rFonts.get(qn("w:eastAsia"))

    assert east_asia("Normal") == "仿宋_GB2312" and document.styles["Normal"].font.size.pt == 16
    assert east_asia("Title") == "方正小标宋简体" and document.styles["Title"].font.size.pt == 22
    assert east_asia("Heading 1") == "黑体" and east_asia("Heading 2") == "楷体_GB2312"
    table = document.tables[0]
    widths = [round(cell.width.mm, 1) for cell in table.rows[1].cells]
    assert len(set(widths)) > 2 and 150 <= sum(widths) <= 157  # sized to content, across the 156 mm block
    assert widths[1] > widths[0]  # 单位 (沈阳市) is wider than 名次
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert "沈阳市" in "\n".join(cell.text for row in table.rows for cell in row.cells)
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert "PAGE" in odd._p.xml and odd.text.strip().startswith("—") and odd.alignment == 2  # right
    assert "PAGE" in even._p.xml and even.alignment == 0  # left
    assert document.settings.odd_and_even_pages_header_footer
    red = document.paragraphs[0].runs[0]
    assert red.text == "辽宁省对外开放工作领导小组办公室" and str(red.font.color.rgb) == "C00000"
    assert document.paragraphs[1].text == "开放办通〔2018〕6号"


def test_the_pdf_bulletin_is_a4_with_the_title_number_and_scores(published, province):
    bulletin = services.request_bulletin(actor=province, scheme=published.scheme, period=JUNE, file_format="pdf")
    bulletin.refresh_from_db()
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(bulletin.file.read())
        handle.flush()
        info = subprocess.run(["pdfinfo", handle.name], capture_output=True, check=True).stdout.decode()
    assert "(A4)" in info
    first = "".join(_pdf_pages(bulletin)[0].split())
    assert "开放办通〔2018〕6号" in first and "94.00" in first and first.endswith("—1—")


def test_the_excel_bulletin_has_the_ranking_and_a_chart(published, province):
    bulletin = services.request_bulletin(actor=province, scheme=published.scheme, period=JUNE, file_format="xlsx")
    bulletin.refresh_from_db()
    archive = zipfile.ZipFile(io.BytesIO(bulletin.file.read()))
    assert any(name.startswith("xl/charts/") for name in archive.namelist())
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(bulletin.file.open("rb").read()))["考核排名"]
    assert [sheet.cell(6, 2).value, sheet.cell(7, 2).value] == ["大连市", "沈阳市"]
    # Printing: A4, one page wide, the header row repeated, the title merged across the table.
    setup = sheet.page_setup
    assert setup.paperSize == 9 and (setup.fitToWidth or 1) == 1 and setup.fitToHeight == 0  # absent width = 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$5:$5"
    assert sheet.print_area and "$A$1" in sheet.print_area
    assert any(str(r).startswith("A1:") for r in sheet.merged_cells.ranges)
    assert sheet.row_breaks.count == 1  # the chart starts on a page of its own


def test_bulletins_are_for_province_readers_only(published, province, client_for, shenyang, leader):
    bulletin = services.request_bulletin(actor=province, scheme=published.scheme, period=JUNE, file_format="pdf")
    assert client_for(shenyang).get(f"/assessment/bulletins/{bulletin.pk}/download/").status_code == 404
    response = client_for(leader).get(f"/assessment/bulletins/{bulletin.pk}/download/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert Bulletin.objects.count() == 1


def test_the_home_page_shows_the_units_latest_published_score(published, client_for, shenyang, dalian):
    page = client_for(shenyang).get("/").content.decode()
    assert "考核得分" in page and "94.00" in page and "第2名/2" in page
    assert "110.00" not in page  # Dalian's score is not Shenyang's business
    assert "110.00" in client_for(dalian).get("/").content.decode()


def test_the_province_revises_weights_as_a_new_version_and_a_city_cannot(two_cities, client_for, province, shenyang):
    form = {"weight-fdi": "70", "weight-tasks": "30", "reason": "提高利用外资权重"}
    assert client_for(shenyang).post("/assessment/schemes/KH-TWO/revise/", form).status_code == 403
    response = client_for(province).post("/assessment/schemes/KH-TWO/revise/", form)
    assert response.status_code == 302
    page = client_for(province).get("/assessment/schemes/KH-TWO/").content.decode()
    assert "第2版" in page and "提高利用外资权重" in page and "70.00" in page
    # 450/1000 ÷ 50% = 90% × 70 = 63 + 30 (no task due)
    assert "93.00" in client_for(province).get("/assessment/schemes/KH-TWO/2018-06/").content.decode()


def _pdf_pages(bulletin):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle, bulletin.file.open("rb") as stored:
        handle.write(stored.read())
        handle.flush()
        text = subprocess.run(["pdftotext", "-layout", handle.name, "-"], capture_output=True, check=True).stdout
    return [page for page in text.decode().split("\f") if page.strip()]


def test_a_bulletin_from_live_scores_is_a_draft_on_every_page_without_a_document_number(two_cities, province):
    """Nothing is published for June: the bulletin is a 征求意见稿 — in the PDF's page header, the Word
    section header (every page), the Excel print header — and carries no 文号."""
    from docx import Document
    from openpyxl import load_workbook

    pdf = services.request_bulletin(actor=province, scheme=two_cities, period=JUNE, file_format="pdf")
    pdf.refresh_from_db()
    assert pdf.status == "done" and pdf.doc_number == "" and pdf.snapshot is None
    pages = _pdf_pages(pdf)
    assert pages and all("征求意见稿" in page for page in pages)
    assert "〔2018〕" not in "".join(pages)

    docx = services.request_bulletin(actor=province, scheme=two_cities, period=JUNE, file_format="docx")
    docx.refresh_from_db()
    document = Document(io.BytesIO(docx.file.read()))
    assert document.sections[0].header.paragraphs[0].text == "征求意见稿"
    assert "〔2018〕" not in "\n".join(p.text for p in document.paragraphs)

    xlsx = services.request_bulletin(actor=province, scheme=two_cities, period=JUNE, file_format="xlsx")
    xlsx.refresh_from_db()
    book = load_workbook(io.BytesIO(xlsx.file.read()))
    assert all("征求意见稿" in sheet.oddHeader.right.text for sheet in book.worksheets)
    assert "〔2018〕" not in str(book["考核排名"].cell(2, 1).value)


def test_a_bulletin_from_a_published_snapshot_has_its_number_and_no_draft_mark(published, province):
    pdf = services.request_bulletin(actor=province, scheme=published.scheme, period=JUNE, file_format="pdf")
    pdf.refresh_from_db()
    assert pdf.doc_number == "开放办通〔2018〕6号" and pdf.snapshot == published
    pages = _pdf_pages(pdf)
    assert "开放办通〔2018〕6号" in pages[0]
    assert not any("征求意见稿" in page for page in pages)


def test_a_snapshot_published_under_older_rules_says_it_needs_a_republish(published, client_for, province, shenyang):
    """A snapshot computed before the step-item correction (its results carry no rules_version) is shown
    as needing a republish; the current one is not. Neither is changed in place."""
    results = {k: v for k, v in published.results.items() if k != "rules_version"}
    fields = {f: getattr(published, f) for f in ("scheme", "scheme_code", "period", "inputs", "digest")}
    old = AssessmentSnapshot.objects.create(**fields, number=9, results=results, diff=[], reason="旧版")
    page = client_for(province).get(f"/assessment/published/{old.pk}/").content.decode()
    assert "本版按旧版计分规则计算，需重新发布" in page and "(完成率−时序进度)×100" in page
    assert "按现行规则重新发布" in page
    city_page = client_for(shenyang).get(f"/assessment/published/{old.pk}/").content.decode()
    assert "需重新发布" in city_page and "按现行规则重新发布" not in city_page  # only the province republishes
    page = client_for(province).get(f"/assessment/published/{published.pk}/").content.decode()
    assert "需重新发布" not in page
