"""OFD (GB/T 33190-2016, the Chinese fixed-layout document format many archives and document systems take).

The seam: an `OfdWriter` turns a finished PDF — the one WeasyPrint makes in the GB/T 9704 layout — into
an OFD package with the same pages. `write_ofd()` uses the writer named by the `KAIFANG_OFD_WRITER`
setting (a dotted path to a class implementing `OfdWriter`), `PdfTextOfdWriter` by default; another
writer (a vendor's SDK, say) plugs in by implementing `write` and being named there.

`PdfTextOfdWriter` writes real text, not page images: each run of glyphs becomes an `ofd:TextObject`
with its font, size, colour and the position of every glyph (`DeltaX`), and each rule, border and bar
of the PDF an `ofd:PathObject`, all in millimetres on an A4 `PhysicalBox`, in the standard's namespace
(http://www.ofdspec.org/2016). It reads the PDF with PyMuPDF. Fonts are named, not embedded: an OFD
reader on a government PC substitutes its own 仿宋/小标宋 for the free Noto CJK the PDF was set in.

Tried and not used: easyofd 20260427's `pdf2ofd(optional_text=True)` writes text, but in a private
XML namespace instead of the standard's, with the page box in points while the objects are in
millimetres, a fixed 140 × 90 document page (an invoice's), every glyph brown (156 82 35) and no
rules or borders — a reader that follows GB/T 33190 shows it wrong or not at all.
"""

from __future__ import annotations

import io
import itertools
import uuid
import zipfile
from dataclasses import dataclass
from typing import Any, Protocol
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.utils.module_loading import import_string

NS = "http://www.ofdspec.org/2016"
MM_PER_PT = 25.4 / 72
CONTENT_TYPE = "application/ofd"


@dataclass(frozen=True)
class DocInfo:
    """What OFD.xml says about the document."""

    title: str
    author: str
    created: str  # YYYY-MM-DD


class OfdWriter(Protocol):
    """Turns a PDF's pages into an OFD package (bytes of a zip container) with the same text and layout."""

    def write(self, pdf: bytes, info: DocInfo) -> bytes: ...


def write_ofd(pdf: bytes, info: DocInfo) -> bytes:
    """The OFD of `pdf`, by the configured writer (`KAIFANG_OFD_WRITER`)."""
    path = getattr(settings, "KAIFANG_OFD_WRITER", "kaifang.core.ofd.PdfTextOfdWriter")
    writer: OfdWriter = import_string(path)()
    return writer.write(pdf, info)


def _mm(value: float) -> str:
    return f"{value * MM_PER_PT:.3f}".rstrip("0").rstrip(".")


def _rgb(colour: Any) -> str:
    """An sRGB integer (PyMuPDF text) or a 0–1 float triple (PyMuPDF drawings) as OFD's "r g b"."""
    if isinstance(colour, int):
        return f"{colour >> 16 & 255} {colour >> 8 & 255} {colour & 255}"
    return " ".join(str(round(float(c) * 255)) for c in colour)


class _Ids:
    def __init__(self) -> None:
        self.last = 0

    def next(self) -> int:
        self.last += 1
        return self.last


class PdfTextOfdWriter:
    """The default writer: the PDF's text runs and vector paths as OFD objects (see the module notes)."""

    def write(self, pdf: bytes, info: DocInfo) -> bytes:
        import pymupdf

        source: Any = pymupdf.open(stream=pdf, filetype="pdf")
        ids = _Ids()
        fonts: dict[str, int] = {}
        pages: list[tuple[int, str, str]] = []  # (id, physical box, content xml)
        for page in source:
            page_id = ids.next()
            box = f"0 0 {_mm(page.rect.width)} {_mm(page.rect.height)}"
            objects = [*self._paths(page, ids, box), *self._texts(page, ids, fonts, box)]
            layer = ids.next()
            content = (
                f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Page xmlns:ofd="{NS}"><ofd:Content>'
                f'<ofd:Layer ID="{layer}">{"".join(objects)}</ofd:Layer></ofd:Content></ofd:Page>'
            )
            pages.append((page_id, box, content))
        a4 = pages[0][1] if pages else "0 0 210 297"
        font_xml = "".join(
            f"<ofd:Font ID={quoteattr(str(fid))} FontName={quoteattr(name)} FamilyName={quoteattr(name)}/>"
            for name, fid in fonts.items()
        )
        public_res = f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Res xmlns:ofd="{NS}" BaseLoc="Res">'
        public_res += f"<ofd:Fonts>{font_xml}</ofd:Fonts></ofd:Res>"
        page_list = "".join(
            f'<ofd:Page ID="{pid}" BaseLoc="Pages/Page_{n}/Content.xml"/>' for n, (pid, _b, _c) in enumerate(pages)
        )
        document = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Document xmlns:ofd="{NS}"><ofd:CommonData>'
            f"<ofd:MaxUnitID>{ids.last}</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>{a4}</ofd:PhysicalBox>"
            "</ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData>"
            f"<ofd:Pages>{page_list}</ofd:Pages></ofd:Document>"
        )
        entry = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:OFD xmlns:ofd="{NS}" Version="1.0" DocType="OFD">'
            f"<ofd:DocBody><ofd:DocInfo><ofd:DocID>{uuid.uuid4().hex}</ofd:DocID>"
            f"<ofd:Title>{escape(info.title)}</ofd:Title><ofd:Author>{escape(info.author)}</ofd:Author>"
            f"<ofd:CreationDate>{info.created}</ofd:CreationDate><ofd:Creator>Kaifang</ofd:Creator></ofd:DocInfo>"
            "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
        )
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
            package.writestr("OFD.xml", entry)
            package.writestr("Doc_0/Document.xml", document)
            package.writestr("Doc_0/PublicRes.xml", public_res)
            for n, (_pid, _box, content) in enumerate(pages):
                package.writestr(f"Doc_0/Pages/Page_{n}/Content.xml", content)
        return out.getvalue()

    @staticmethod
    def _texts(page: Any, ids: _Ids, fonts: dict[str, int], box: str) -> list[str]:
        """One TextObject per run of glyphs; a span is cut where a gap wider than half an em opens (table
        cells PyMuPDF joins into one span stay separate words for a reader)."""
        objects = []
        for block in page.get_text("rawdict")["blocks"]:
            for line in block.get("lines", []):
                for span in line["spans"]:
                    chars = [c for c in span["chars"] if c["c"] != " "]
                    if not chars:
                        continue
                    font = fonts.setdefault(span["font"], ids.next())
                    size = span["size"]
                    runs: list[list[dict[str, Any]]] = [[chars[0]]]
                    for char in chars[1:]:
                        previous = runs[-1][-1]
                        if char["origin"][0] - previous["bbox"][2] > size * 0.5:
                            runs.append([char])
                        else:
                            runs[-1].append(char)
                    for run in runs:
                        x, y = run[0]["origin"]
                        deltas = " ".join(_mm(b["origin"][0] - a["origin"][0]) for a, b in itertools.pairwise(run))
                        delta = f" DeltaX={quoteattr(deltas)}" if deltas else ""
                        text = escape("".join(c["c"] for c in run))
                        objects.append(
                            f'<ofd:TextObject ID="{ids.next()}" Boundary="{box}" Font="{font}" Size="{_mm(size)}">'
                            f'<ofd:FillColor Value="{_rgb(span["color"])}"/>'
                            f'<ofd:TextCode X="{_mm(x)}" Y="{_mm(y)}"{delta}>{text}</ofd:TextCode></ofd:TextObject>'
                        )
        return objects

    @staticmethod
    def _paths(page: Any, ids: _Ids, box: str) -> list[str]:
        """Rules, table borders and chart bars: lines, rectangles and curves in absolute millimetres."""
        objects = []
        for drawing in page.get_drawings():
            data = []
            for item in drawing["items"]:
                kind = item[0]
                if kind == "l":
                    a, b = item[1], item[2]
                    data.append(f"M {_mm(a.x)} {_mm(a.y)} L {_mm(b.x)} {_mm(b.y)}")
                elif kind == "re":
                    r = item[1]
                    corners = [(r.x0, r.y0), (r.x1, r.y0), (r.x1, r.y1), (r.x0, r.y1)]
                    data.append(
                        f"M {_mm(r.x0)} {_mm(r.y0)} "
                        + " ".join(f"L {_mm(px)} {_mm(py)}" for px, py in corners[1:])
                        + " C"
                    )
                elif kind == "c":
                    a, c1, c2, b = item[1:5]
                    curve = " ".join(f"{_mm(p.x)} {_mm(p.y)}" for p in (c1, c2, b))
                    data.append(f"M {_mm(a.x)} {_mm(a.y)} B {curve}")
            if not data:
                continue
            stroke, fill = drawing.get("color"), drawing.get("fill")
            attrs = f'Stroke="{"true" if stroke else "false"}" Fill="{"true" if fill else "false"}"'
            if fill and drawing.get("even_odd"):
                attrs += ' Rule="Even-Odd"'  # a border drawn as an outer and an inner box: the ring between
            width = drawing.get("width") or 0.0
            colours = ""
            if stroke:
                colours += f'<ofd:StrokeColor Value="{_rgb(stroke)}"/>'
                attrs += f' LineWidth="{_mm(width)}"'
            if fill:
                colours += f'<ofd:FillColor Value="{_rgb(fill)}"/>'
            objects.append(
                f'<ofd:PathObject ID="{ids.next()}" Boundary="{box}" {attrs}>{colours}'
                f"<ofd:AbbreviatedData>{' '.join(data)}</ofd:AbbreviatedData></ofd:PathObject>"
            )
        return objects
