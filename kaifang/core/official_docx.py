"""Word (.docx) documents in the official-document layout (`kaifang.core.official_layout`), with
python-docx: the page, the styles with their fonts, the red 版头, tables whose columns fit their content
and whose header row repeats, and page numbers "— 1 —" on the outer side of odd and even pages."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from kaifang.core import official_layout as layout


def _fonts(element: Any, face: layout.Face) -> None:
    """Name the face for every script (w:eastAsia is what Word uses for Chinese text)."""
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), face.name)


def _style(document: Any, name: str, face: layout.Face, size: float, *, bold: bool = False) -> Any:
    from docx.shared import Pt, RGBColor

    style = document.styles[name]
    style.font.name = face.name
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    _fonts(style.element, face)
    return style


class OfficialDocument:
    """One document: call the parts in reading order, then `bytes()`."""

    def __init__(self, *, draft_mark: str = "") -> None:
        from docx import Document
        from docx.enum.text import WD_LINE_SPACING
        from docx.oxml.ns import qn
        from docx.shared import Mm, Pt

        self.doc = Document()
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(layout.PAGE_MM[0]), Mm(layout.PAGE_MM[1])
        section.top_margin, section.bottom_margin = Mm(layout.MARGINS_MM["top"]), Mm(layout.MARGINS_MM["bottom"])
        section.left_margin, section.right_margin = Mm(layout.MARGINS_MM["left"]), Mm(layout.MARGINS_MM["right"])
        normal = _style(self.doc, "Normal", layout.BODY, layout.SIZE_3)
        normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        normal.paragraph_format.line_spacing = Pt(layout.LINE_PITCH_PT)
        normal.paragraph_format.space_before = normal.paragraph_format.space_after = Pt(0)
        _style(self.doc, "Title", layout.TITLE, layout.SIZE_2)
        _style(self.doc, "Heading 1", layout.HEADING_1, layout.SIZE_3)
        _style(self.doc, "Heading 2", layout.HEADING_2, layout.SIZE_3)
        title_ppr = self.doc.styles["Title"].element.pPr
        for border in title_ppr.findall(qn("w:pBdr")) if title_ppr is not None else []:
            title_ppr.remove(border)  # the default template underlines titles; official titles are plain
        for name in ("Heading 1", "Heading 2", "Title"):
            fmt = self.doc.styles[name].paragraph_format
            fmt.space_before = fmt.space_after = Pt(0)
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Pt(layout.LINE_PITCH_PT if name != "Title" else layout.LINE_PITCH_PT * 1.3)
        self._page_numbers(section, draft_mark)

    # --- page furniture ---------------------------------------------------------------------------

    def _page_numbers(self, section: Any, draft_mark: str) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        self.doc.settings.odd_and_even_pages_header_footer = True
        for footer, align in (
            (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
            (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
        ):
            paragraph = footer.paragraphs[0]
            paragraph.alignment = align
            self._number_field(paragraph)
        for header in (section.header, section.even_page_header):
            if draft_mark:
                paragraph = header.paragraphs[0]
                paragraph.text = draft_mark
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    @staticmethod
    def _number_field(paragraph: Any) -> None:
        """ "— PAGE —" with a real PAGE field, one character in from the outer edge."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Pt

        def run(text: str = "") -> Any:
            r = paragraph.add_run(text)
            r.font.size = Pt(layout.SIZE_4)
            _fonts(r._element, layout.NUMBERS)
            return r

        run("\u2003— " if paragraph.alignment == 0 else "— ")
        field = run()
        for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
            if kind:
                element = OxmlElement("w:fldChar")
                element.set(qn("w:fldCharType"), kind)
            else:
                element = OxmlElement("w:instrText" if text == " PAGE " else "w:t")
                element.set(qn("xml:space"), "preserve")
                element.text = text
            field._element.append(element)
        run(" —" if paragraph.alignment == 0 else " —\u2003")

    # --- parts --------------------------------------------------------------------------------

    def masthead(self, issuer: str, doc_number: str) -> None:
        """The 版头: the office's mark in red, the 发文字号 (when there is one), the red rule."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Pt, RGBColor

        mark = self.doc.add_paragraph()
        mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
        mark.paragraph_format.first_line_indent = Pt(0)
        size = layout.mark_size(issuer)
        mark.paragraph_format.line_spacing = Pt(size * 1.4)
        run = mark.add_run(issuer)
        run.font.size, run.font.color.rgb = Pt(size), RGBColor.from_string(layout.RED)
        _fonts(run._element, layout.TITLE)
        number = self.doc.add_paragraph(doc_number)
        number.alignment = WD_ALIGN_PARAGRAPH.CENTER
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "6"), ("w:color", layout.RED)):
            bottom.set(qn(key), value)
        borders.append(bottom)
        number._p.get_or_add_pPr().append(borders)
        self.doc.add_paragraph()

    def title(self, text: str) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        paragraph = self.doc.add_paragraph(text, style="Title")
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.doc.add_paragraph()

    def heading(self, text: str, level: int = 1) -> None:
        from docx.shared import Pt

        paragraph = self.doc.add_paragraph(text, style=f"Heading {level}")
        paragraph.paragraph_format.first_line_indent = Pt(layout.SIZE_3 * 2)

    def paragraph(self, text: str, *, indent: bool = True) -> Any:
        from docx.shared import Pt

        paragraph = self.doc.add_paragraph(text)
        paragraph.paragraph_format.first_line_indent = Pt(layout.SIZE_3 * 2) if indent else Pt(0)
        return paragraph

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]], *, numeric_from: int = 0) -> Any:
        """A 小五 table across the text block: columns sized to their longest cell (numbers never wrap,
        names never break), the header row repeated on every page, rows never split across pages."""
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Mm, Pt

        widths = column_widths_mm(header, rows, numeric_from=numeric_from)
        table = self.doc.add_table(rows=0, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        margins = OxmlElement("w:tblCellMar")  # narrow cell margins (0.8 mm), so content decides the widths
        for side in ("left", "right"):
            edge = OxmlElement(f"w:{side}")
            edge.set(qn("w:w"), str(CELL_MARGIN_TWIPS))
            edge.set(qn("w:type"), "dxa")
            margins.append(edge)
        table._tbl.tblPr.append(margins)
        for index, values in enumerate([list(header), *[list(r) for r in rows]]):
            row = table.add_row()
            tr_pr = row._tr.get_or_add_trPr()
            for tag in ("w:cantSplit", *(["w:tblHeader"] if index == 0 else [])):
                tr_pr.append(OxmlElement(tag))
            for col, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
                cell.width = Mm(widths[col])
                paragraph = cell.paragraphs[0]
                paragraph.paragraph_format.first_line_indent = Pt(0)
                paragraph.paragraph_format.line_spacing = Pt(layout.SIZE_SMALL_5 * 1.25)
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                run = paragraph.add_run(text)
                run.font.size = Pt(layout.SIZE_SMALL_5)
                run.font.bold = index == 0
                if index == 0:
                    _fonts(run._element, layout.HEADING_1)
                if (index > 0 and col >= numeric_from) or col == 1:
                    cell._tc.get_or_add_tcPr().append(OxmlElement("w:noWrap"))
        return table

    def picture(self, png: bytes, width_mm: float) -> None:
        from docx.shared import Mm

        self.doc.add_picture(io.BytesIO(png), width=Mm(width_mm))

    def signature(self, issuer: str, date_text: str) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        self.doc.add_paragraph()
        for text in (issuer, date_text):
            paragraph = self.doc.add_paragraph(text + "\u3000\u3000\u3000\u3000")
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            paragraph.paragraph_format.first_line_indent = Pt(0)

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


CELL_MARGIN_TWIPS = 45  # 0.8 mm (1 mm = 56.7 twips) on each side of a cell


def text_width_mm(text: str, size_pt: float) -> float:
    """Width of `text` set in `size_pt`: a CJK character is one em, a digit or Latin letter half."""
    ems = sum(1.0 if ord(ch) > 0x2E7F else 0.55 for ch in text)
    return ems * size_pt * 25.4 / 72


def column_widths_mm(header: Sequence[str], rows: Sequence[Sequence[str]], *, numeric_from: int = 0) -> list[float]:
    """Columns sized to content across the text block (156 mm): each column gets the width of its longest
    body cell plus padding (a header may wrap onto two or three lines, a body cell never), and what is
    left over is shared in proportion."""
    size = layout.SIZE_SMALL_5
    pad = 2 * CELL_MARGIN_TWIPS / 56.7 + 0.6
    needs = []
    for col, head in enumerate(header):
        body = max((text_width_mm(str(r[col]), size) for r in rows), default=0.0)
        head_line = text_width_mm(head, size) / (3 if len(head) > 6 else 2 if len(head) > 3 else 1)
        needs.append(max(body, head_line, text_width_mm("00", size)) + pad)
    total = sum(needs)
    block = float(layout.TEXT_BLOCK_MM[0])
    if total <= block:
        return [round(w + (block - total) * w / total, 1) for w in needs]
    return [round(w * block / total, 1) for w in needs]
