"""Rendering a bulletin (通报) as PDF (WeasyPrint), Word (python-docx) and Excel (xlsxwriter).

Fonts: body "Noto Serif CJK SC", headings "Noto Sans CJK SC" (fonts-noto-cjk). In Word the CJK font
is set on every style through w:eastAsia, or Word falls back to a Latin font for Chinese text.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

from kaifang.assessment.bulletins import DRAFT_MARK, BulletinContent, bar_chart_svg
from kaifang.core.spreadsheets import safe_cell

BODY_FONT = "Noto Serif CJK SC"
HEADING_FONT = "Noto Sans CJK SC"
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
            "body_font": BODY_FONT,
            "heading_font": HEADING_FONT,
            "draft_mark": DRAFT_MARK,
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


def _set_cjk_font(style: Any, name: str) -> None:
    from docx.oxml.ns import qn

    style.font.name = name
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def render_docx(content: BulletinContent) -> bytes:
    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    document = Document()
    for style in document.styles:
        if style.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER, WD_STYLE_TYPE.TABLE):
            heading = style.name.startswith(("Heading", "Title"))
            _set_cjk_font(style, HEADING_FONT if heading else BODY_FONT)
    document.styles["Normal"].font.size = Pt(12)
    if content.draft:  # the section header repeats on every page
        mark = document.sections[0].header.paragraphs[0]
        mark.text = DRAFT_MARK
        mark.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    title = document.add_heading(content.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    meta = document.add_paragraph(f"{content.issuer}　{content.doc_number}".strip("　"))
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(_status_line(content))
    document.add_heading("一、总体情况", level=1)
    document.add_paragraph(content.summary)
    document.add_heading("二、考核排名", level=1)
    table = document.add_table(rows=1, cols=4 + len(content.item_names))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["名次", "单位", "总分", "等次", *content.item_names], strict=True):
        cell.text = text
    for row in content.rows:
        values = [str(row["rank"]), row["name"], str(row["total"]), row["grade"], *[str(p) for p in row["points"]]]
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = text
    document.add_paragraph("红榜：" + "、".join(r["name"] for r in content.red))
    if content.black:
        document.add_paragraph("黑榜：" + "、".join(r["name"] for r in content.black))
    document.add_picture(io.BytesIO(chart_png(content)), width=Cm(16))
    document.add_heading("三、督办事项逾期情况", level=1)
    if content.overdue:
        for entry in content.overdue:
            tasks = "；".join(f"{code} {title}（{deadline:%Y-%m-%d}到期）" for code, title, deadline in entry["tasks"])
            document.add_paragraph(f"{entry['unit']}：逾期{entry['count']}项。{tasks}")
    else:
        document.add_paragraph("本期无逾期督办事项。")
    closing = document.add_paragraph(
        f"{content.issuer}\n{content.date.year}年{content.date.month}月{content.date.day}日"
    )
    closing.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _status_line(content: BulletinContent) -> str:
    if content.published:
        return f"本通报依据已发布的{content.period_label}考核结果（第{content.snapshot_number}版）。"
    return f"{DRAFT_MARK}：本通报依据{content.period_label}实时考核得分（尚未发布，以发布结果为准），无文号。"


def render_xlsx(content: BulletinContent) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True, "font_name": HEADING_FONT})
    text = book.add_format({"font_name": BODY_FONT, "text_wrap": True, "valign": "top"})
    number = book.add_format({"font_name": BODY_FONT, "num_format": "0.00"})
    sheet = book.add_worksheet("考核排名")
    sheet.write(0, 0, safe_cell(content.title), bold)
    sheet.write(1, 0, safe_cell(f"{content.issuer}　{content.doc_number}".strip("　")), text)
    if content.draft:  # printed in the header of every page, and said above the table
        sheet.set_header(f"&R{DRAFT_MARK}")
        sheet.write(1, 6, DRAFT_MARK, bold)
    sheet.merge_range(2, 0, 2, 7, safe_cell(content.summary), text)
    sheet.set_row(2, 80)
    headers = ["名次", "单位", "总分", "等次", *content.item_names]
    for col, head in enumerate(headers):
        sheet.write(4, col, safe_cell(head), bold)
    for r, row in enumerate(content.rows, start=5):
        sheet.write_number(r, 0, row["rank"])
        sheet.write(r, 1, safe_cell(row["name"]), text)
        sheet.write_number(r, 2, float(row["total"]), number)
        sheet.write(r, 3, safe_cell(row["grade"]), text)
        for c, points in enumerate(row["points"], start=4):
            sheet.write_number(r, c, float(points), number)
    sheet.set_column(1, 1, 14)
    sheet.set_column(4, 3 + len(content.item_names), 11)
    if content.rows:
        chart = book.add_chart({"type": "bar"})
        last = 4 + len(content.rows)
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
        sheet.insert_chart(last + 2, 1, chart, {"x_scale": 1.4, "y_scale": 1.4})
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


RENDERERS = {"pdf": render_pdf, "docx": render_docx, "xlsx": render_xlsx}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
