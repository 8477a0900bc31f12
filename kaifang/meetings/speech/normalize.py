"""Clean-up of pasted speech text: whitespace, full/half-width forms and hard-wrapped lines.

Chinese has no spaces between words, so spaces next to Chinese characters or punctuation are
dropped; half-width , ; : ! ? next to Chinese become their full-width forms, ( ) always become
（ ）, and a "." after a Chinese character becomes 。. Lines are re-joined unless the break ends a
sentence, precedes a numbered point or follows a heading line.
"""

from __future__ import annotations

import re
import unicodedata

from kaifang.meetings.speech.markers import HEADING_FAMILIES, starts_with_marker

_IDEOGRAPH = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Chinese characters plus CJK punctuation, full-width forms, curly quotes, dashes and ellipsis.
_CJK = _IDEOGRAPH + "\u3001-\u303f\uff01-\uffef\u2014\u2018-\u201d\u2026\u2460-\u2473"
_SPACES_NEAR_CJK = re.compile(rf" +(?=[{_CJK}])|(?<=[{_CJK}]) +")
_IDEOGRAPH_RE = re.compile(rf"[{_IDEOGRAPH}]")
_CJK_RE = re.compile(rf"[{_CJK}]")
_KEEP_FULL_WIDTH = set("，；：！？（）")
_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？"}
_TRANSLATION: dict[int, str] = {
    **{code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F) if chr(code) not in _KEEP_FULL_WIDTH},
    0xFF61: "。",
    0xFF64: "、",
    0xFE50: "，",
    0xFE51: "、",
    0xFE52: ".",
    0xFE54: "；",
    0xFE55: "：",
    ord("("): "（",
    ord(")"): "）",
    ord("\t"): " ",
    0x3000: " ",
    0x00A0: " ",
    0x202F: " ",
    0x205F: " ",
    **{code: " " for code in range(0x2000, 0x200B)},
    **{code: "" for code in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD)},
    0x2028: "\n",
    0x2029: "\n",
    0x0B: "\n",
    0x0C: "\n",
    0x85: "\n",
}
# A line ending with one of these ends a sentence (or introduces what follows): keep the break.
TERMINAL = "。！？；：…”’」』）》】!?"
_SENTENCE_PUNCT = set("。；！？!?;")
_CLOSERS = set("）”》」』】")


def is_ideograph(char: str) -> bool:
    """Whether `char` is a Chinese character."""
    return bool(char) and _IDEOGRAPH_RE.match(char) is not None


def _is_cjk(char: str) -> bool:
    return bool(char) and _CJK_RE.match(char) is not None


def _punctuation(line: str) -> str:
    """Half-width punctuation in Chinese context → full width."""
    out: list[str] = []
    for index, char in enumerate(line):
        prev = out[-1] if out else ""
        nxt = line[index + 1] if index + 1 < len(line) else ""
        if char in _HALF_TO_FULL:
            between_digits = prev.isdigit() and nxt.isdigit() and char in ",:"
            if not between_digits and (_is_cjk(prev) or _is_cjk(nxt)):
                char = _HALF_TO_FULL[char]
        elif char == "." and (is_ideograph(prev) or prev in _CLOSERS) and not (nxt.isascii() and nxt.isalnum()):
            char = "。"
        out.append(char)
    return "".join(out)


def clean_line(line: str) -> str:
    """One line with spaces, punctuation and full-width forms normalised (no line breaks inside)."""
    line = "".join(ch if ch == " " or unicodedata.category(ch) != "Cc" else " " for ch in line)
    line = re.sub(r"\.{3,}|。{3,}", "……", line)
    line = _SPACES_NEAR_CJK.sub("", line)
    line = _punctuation(line)
    line = _SPACES_NEAR_CJK.sub("", line)
    return re.sub(r" {2,}", " ", line).strip()


def clean_fragment(text: str) -> str:
    """A name or short phrase normalised like the text it is looked up in."""
    return clean_line(text.translate(_TRANSLATION).replace("\n", ""))


def prepare_lines(text: str) -> list[str]:
    """The cleaned lines of `text`; blank lines are kept as "" (paragraph breaks)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_TRANSLATION)
    return [clean_line(line) for line in text.split("\n")]


def wrap_width(lines: list[str]) -> int:
    """The line width of a hard-wrapped text (e.g. copied from a PDF), or 0 if it does not look wrapped."""
    lengths = [len(line) for line in lines if line and line[-1] not in TERMINAL and not starts_with_marker(line)]
    if len(lengths) < 4 or max(lengths) < 15:
        return 0
    widest = max(lengths)
    return widest if sum(1 for n in lengths if n >= 0.85 * widest) >= 4 else 0


def is_heading(line: str, *, width: int) -> bool:
    """A short line of its own that starts with a heading marker (一、 （一） 1. （1））."""
    return (
        starts_with_marker(line, families=HEADING_FAMILIES)
        and len(line) <= 40
        and not _SENTENCE_PUNCT.intersection(line)
        and not (width and len(line) >= 0.85 * width)
    )


def join_lines(lines: list[str]) -> str:
    """Re-join hard-wrapped lines; paragraphs are separated by one "\\n"."""
    width = wrap_width(lines)
    paragraphs: list[str] = []
    current = ""
    previous = ""
    for line in lines:
        if not line:
            if current:
                paragraphs.append(current)
            current = previous = ""
            continue
        if not current:
            current = previous = line
            continue
        if previous[-1] in TERMINAL or starts_with_marker(line) or is_heading(previous, width=width):
            paragraphs.append(current)
            current = line
        else:
            ascii_both = all(ch.isascii() and ch.isalnum() for ch in (previous[-1], line[0]))
            glue = " " if ascii_both else ""
            current += glue + line
        previous = line
    if current:
        paragraphs.append(current)
    return "\n".join(paragraphs)


def normalize_text(text: str) -> str:
    """The whole text cleaned and re-joined, as the parser sees it."""
    return join_lines(prepare_lines(text))
