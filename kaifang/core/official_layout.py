"""The party-and-government official-document layout (党政机关公文格式, GB/T 9704-2012), in one place for
every document Kaifang prints: bulletins (通报) and supervision notices (督办单), in Word and PDF.

- A4; top margin (天头) 37 mm, left (订口) 28 mm, text block (版心) 156 × 225 mm, so right 26 mm and
  bottom 35 mm; 22 lines of 28 characters in the body.
- Title 2号 (22 pt) 小标宋; body 3号 (16 pt) 仿宋; first-level headings 黑体, second-level 楷体, 3号.
- The 版头: the issuing office's mark in red, the 发文字号 beneath it, a red rule across the text block.
- Page numbers "— 1 —" in 4号 (14 pt): odd pages on the right, even pages on the left, one character in.

Fonts: a document names the font a government PC has (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312), so
Word and WPS there use it; where it is missing the free fonts this server ships stand in
(`FALLBACKS`: Noto CJK from fonts-noto-cjk, AR PL UKai from fonts-arphic-ukai), which is also what
WeasyPrint renders the PDF with.
"""

from __future__ import annotations

from dataclasses import dataclass

PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TEXT_BLOCK_MM = (
    PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"],
    PAGE_MM[1] - MARGINS_MM["top"] - MARGINS_MM["bottom"],
)
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
# 225 mm ÷ 22 lines, in points (1 mm = 72 ÷ 25.4 pt): the exact line pitch of the body.
LINE_PITCH_PT = round(TEXT_BLOCK_MM[1] * 72 / 25.4 / LINES_PER_PAGE, 2)

# Chinese type sizes (字号) in points.
SIZE_2 = 22.0
SIZE_3 = 16.0
SIZE_4 = 14.0
SIZE_5 = 10.5
SIZE_SMALL_5 = 9.0
MARK_SIZE = 30.0  # the issuing office's mark in the 版头, at most (the standard bounds it by the text block)

RED = "C00000"


@dataclass(frozen=True)
class Face:
    """A typeface as named in a document (what a government PC has) and its free stand-ins here."""

    name: str
    fallbacks: tuple[str, ...]

    @property
    def css(self) -> str:
        return ", ".join(f'"{n}"' for n in (self.name, *self.fallbacks))


TITLE = Face("方正小标宋简体", ("FZXiaoBiaoSong-B05S", "Noto Serif CJK SC", "serif"))
BODY = Face("仿宋_GB2312", ("FangSong", "仿宋", "Noto Serif CJK SC", "serif"))
HEADING_1 = Face("黑体", ("SimHei", "Noto Sans CJK SC", "sans-serif"))
HEADING_2 = Face("楷体_GB2312", ("KaiTi", "楷体", "AR PL UKai CN", "Noto Serif CJK SC", "serif"))
NUMBERS = Face("宋体", ("SimSun", "Noto Serif CJK SC", "serif"))
FALLBACKS = {face.name: face.fallbacks[-2] for face in (TITLE, BODY, HEADING_1, HEADING_2, NUMBERS)}


def mark_size(issuer: str) -> float:
    """The mark's size in points: MARK_SIZE, or smaller so the office's name fits on one line of the text
    block (156 mm) with a little letter spacing."""
    width_pt = TEXT_BLOCK_MM[0] * 72 / 25.4
    return round(min(MARK_SIZE, width_pt / (max(len(issuer), 1) * 1.08)), 1)


def page_number_text(number: int) -> str:
    """A page number as the standard writes it: an em dash, the number, an em dash."""
    return f"— {number} —"


def page_css() -> str:
    """WeasyPrint @page rules for the layout: A4, the margins, page numbers on the outer side."""
    m = MARGINS_MM
    number = f'content: "— " counter(page) " —"; font-family: {NUMBERS.css}; font-size: {SIZE_4}pt;'
    return (
        f"@page {{ size: A4; margin: {m['top']}mm {m['right']}mm {m['bottom']}mm {m['left']}mm; }}\n"
        f"@page :right {{ @bottom-right {{ {number} padding-right: 1em; }} }}\n"
        f"@page :left {{ @bottom-left {{ {number} padding-left: 1em; }} }}\n"
    )
