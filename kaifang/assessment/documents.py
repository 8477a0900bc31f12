"""Rendering a bulletin (通报) as PDF (WeasyPrint), Word (python-docx) and Excel (xlsxwriter).

Word and PDF follow the official-document layout (GB/T 9704, `kaifang.core.official_layout`): A4 with
its margins, the red 版头, 仿宋 body and 小标宋 title (free Noto CJK stand-ins here), "— 1 —" page numbers.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

from kaifang.assessment.bulletins import DRAFT_MARK, BulletinContent, bar_chart_svg
from kaifang.core import official_layout as layout
from kaifang.core.spreadsheets import safe_cell

PNG_FONT_FILES = [
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc"),
]


def render_pdf(content: BulletinContent) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "assessment/bulletin_pdf.html",
        {
            "c": content,
            "chart": bar_chart_svg(content.rows),
            "page_css": layout.page_css(),
            "line_pitch": layout.LINE_PITCH_PT,
            "fonts": {"title": layout.TITLE.css, "body": layout.BODY.css, "h1": layout.HEADING_1.css},
            "draft_mark": DRAFT_MARK,
            "mark_size": layout.mark_size(content.issuer),
        },
    )
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]


def chart_png(content: BulletinContent, *, width: int = 1200) -> bytes:
    """The same bar chart as a PNG (Word cannot embed SVG)."""
    from decimal import Decimal

    from PIL import Image, ImageDraw, ImageFont

    rows = content.rows
    bar, pad, label_w = 30, 10, 200
    height = max(len(rows), 1) * (bar + pad) + pad
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font_file = next((p for p in PNG_FONT_FILES if p.exists()), None)
    font: Any = ImageFont.truetype(str(font_file), 22, index=2) if font_file else ImageFont.load_default()
    top = max((Decimal(r["total"]) for r in rows), default=Decimal(1)) or Decimal(1)
    for index, row in enumerate(rows):
        y = pad + index * (bar + pad)
        length = int((width - label_w - 120) * max(Decimal(row["total"]), Decimal(0)) / top)
        colour = "#c62828" if index < 3 else ("#8a96a3" if index >= len(rows) - 3 else "#1d5fa8")
        draw.text((label_w - 10, y + bar // 2), row["name"], fill="#1f2933", font=font, anchor="rm")
        draw.rectangle([label_w, y, label_w + length, y + bar], fill=colour)
        draw.text((label_w + length + 8, y + bar // 2), str(row["total"]), fill="#1f2933", font=font, anchor="lm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def render_docx(content: BulletinContent) -> bytes:
    """The bulletin in the official-document layout (GB/T 9704: `kaifang.core.official_layout`)."""
    from kaifang.core.official_docx import OfficialDocument

    doc = OfficialDocument(draft_mark=DRAFT_MARK if content.draft else "")
    doc.masthead(content.issuer, content.doc_number)
    doc.title(content.title)
    doc.paragraph(_status_line(content), indent=False)
    doc.heading("一、总体情况")
    doc.paragraph(content.summary)
    doc.heading("二、考核排名")
    rows = [
        [str(r["rank"]), r["name"], str(r["total"]), r["grade"], *[str(p) for p in r["points"]]] for r in content.rows
    ]
    doc.table(["名次", "单位", "总分", "等次", *content.item_names], rows, numeric_from=2)
    doc.paragraph("红榜：" + "、".join(f"{r['name']}（{r['total']}分）" for r in content.red))
    if content.black:
        doc.paragraph("黑榜：" + "、".join(f"{r['name']}（{r['total']}分）" for r in content.black))
    doc.picture(chart_png(content), 150)
    doc.heading("三、督办事项逾期情况")
    if content.overdue:
        for entry in content.overdue:
            tasks = "；".join(f"{code} {title}（{deadline:%Y-%m-%d}到期）" for code, title, deadline in entry["tasks"])
            doc.paragraph(f"{entry['unit']}：逾期{entry['count']}项。{tasks}")
    else:
        doc.paragraph("本期无逾期督办事项。")
    if content.rules:
        doc.paragraph(f"{content.rules.get('rounding', '')}；{content.rules.get('tie', '')}。")
    doc.signature(content.issuer, f"{content.date.year}年{content.date.month}月{content.date.day}日")
    return doc.bytes()


def _status_line(content: BulletinContent) -> str:
    if content.published:
        return f"本通报依据已发布的{content.period_label}考核结果（第{content.snapshot_number}版）。"
    return f"{DRAFT_MARK}：本通报依据{content.period_label}实时考核得分（尚未发布，以发布结果为准），无文号。"


def render_xlsx(content: BulletinContent) -> bytes:
    """The ranking for Excel/WPS: prints on A4 one page wide, the header row repeated on every page, the
    title across the table (never clipped), the chart on a page of its own after a page break."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    heading = layout.HEADING_1.name
    bold = book.add_format({"bold": True, "font_name": heading, "border": 1, "text_wrap": True, "align": "center"})
    big = book.add_format({"bold": True, "font_name": layout.TITLE.name, "font_size": 16, "align": "center"})
    text = book.add_format({"font_name": layout.BODY.name, "text_wrap": True, "valign": "top"})
    cell = book.add_format({"font_name": layout.BODY.name, "border": 1})
    number = book.add_format({"font_name": layout.BODY.name, "num_format": "0.00", "border": 1})
    headers = ["名次", "单位", "总分", "等次", *content.item_names]
    last_col = len(headers) - 1
    sheet = book.add_worksheet("考核排名")
    sheet.merge_range(0, 0, 0, last_col, safe_cell(content.title), big)
    sheet.set_row(0, 30)
    masthead = f"{DRAFT_MARK}　{content.issuer}" if content.draft else f"{content.issuer}　{content.doc_number}"
    sheet.merge_range(1, 0, 1, last_col, safe_cell(masthead.strip("　")), text)
    if content.draft:  # printed in the header of every page, and said above the table
        sheet.set_header(f"&R{DRAFT_MARK}")
    sheet.merge_range(2, 0, 2, last_col, safe_cell(content.summary), text)
    sheet.set_row(2, 80)
    for col, head in enumerate(headers):
        sheet.write(4, col, safe_cell(head), bold)
    sheet.set_row(4, 45)
    for r, row in enumerate(content.rows, start=5):
        sheet.write_number(r, 0, row["rank"], cell)
        sheet.write(r, 1, safe_cell(row["name"]), cell)
        sheet.write_number(r, 2, float(row["total"]), number)
        sheet.write(r, 3, safe_cell(row["grade"]), cell)
        for c, points in enumerate(row["points"], start=4):
            sheet.write_number(r, c, float(points), number)
    sheet.set_column(0, 0, 5)
    sheet.set_column(1, 1, 11)
    sheet.set_column(2, 3, 7)
    sheet.set_column(4, last_col, 9)
    last = 4 + len(content.rows)
    sheet.set_paper(9)  # A4
    sheet.set_portrait()
    sheet.set_margins(left=0.7, right=0.6, top=0.8, bottom=0.8)
    sheet.fit_to_pages(1, 0)  # one page wide, as many long as needed
    sheet.repeat_rows(4)
    sheet.print_area(0, 0, last + 24 if content.rows else last, last_col)
    sheet.set_footer("&C— &P —")
    if content.rows:
        sheet.set_h_pagebreaks([last + 1])  # the chart starts on a page of its own, never cut
        chart = book.add_chart({"type": "bar"})
        chart.add_series(
            {
                "name": "总分",
                "categories": ["考核排名", 5, 1, last, 1],
                "values": ["考核排名", 5, 2, last, 2],
                "fill": {"color": "#b3261e"},
            }
        )
        chart.set_y_axis({"reverse": True})
        chart.set_legend({"none": True})
        sheet.insert_chart(last + 2, 1, chart, {"x_scale": 1.3, "y_scale": 1.3})
    overdue = book.add_worksheet("逾期事项")
    if content.draft:
        overdue.set_header(f"&R{DRAFT_MARK}")
    for col, head in enumerate(["单位", "逾期项数", "事项编号", "事项", "办理时限"]):
        overdue.write(0, col, head, bold)
    line = 1
    for entry in content.overdue:
        for code, title, deadline in entry["tasks"]:
            overdue.write(line, 0, safe_cell(entry["unit"]), text)
            overdue.write_number(line, 1, entry["count"])
            overdue.write(line, 2, safe_cell(code), text)
            overdue.write(line, 3, safe_cell(title), text)
            overdue.write(line, 4, f"{deadline:%Y-%m-%d}", text)
            line += 1
    book.close()
    return out.getvalue()


def render_ofd(content: BulletinContent) -> bytes:
    """The PDF bulletin's pages as OFD (GB/T 33190) with real text, by the configured writer
    (`kaifang.core.ofd`)."""
    from kaifang.core.ofd import DocInfo, write_ofd

    return write_ofd(render_pdf(content), DocInfo(content.title, content.issuer, f"{content.date:%Y-%m-%d}"))


RENDERERS = {"pdf": render_pdf, "docx": render_docx, "xlsx": render_xlsx, "ofd": render_ofd}
CONTENT_TYPES = {
    "ofd": "application/ofd",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
