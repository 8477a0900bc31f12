"""read_speech_file: an uploaded .txt or .docx → text for parse_speech."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from pathlib import PurePath
from typing import Any

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DOCX_UNPACKED_BYTES = 64 * 1024 * 1024
TEXT_SUFFIXES = frozenset({"", ".txt", ".text", ".md"})
_CN_NUMERALS = "〇一二三四五六七八九"


class SpeechFileError(ValueError):
    """An uploaded file that cannot be read as a speech; the message is for the user (Chinese)."""


def read_speech_file(data: bytes, *, filename: str) -> str:
    """The text of an uploaded speech: .txt (UTF-8, UTF-8 with BOM, UTF-16 with BOM, GB18030) or .docx.

    Raises SpeechFileError for an empty, binary or too large (> 2 MB) file, an unsupported type, or
    a .docx that is not a Word document.
    """
    if not data or not data.strip():
        raise SpeechFileError("文件为空：请选择包含讲话内容的文件。")
    if len(data) > MAX_FILE_BYTES:
        raise SpeechFileError("文件超过 2 MB：请拆分后上传，或直接粘贴讲话文字。")
    suffix = PurePath(filename or "").suffix.lower()
    if suffix == ".docx":
        text = _read_docx(data)
    elif suffix == ".doc":
        raise SpeechFileError("暂不支持旧版 Word（.doc）文件：请在 Word 中另存为 .docx 后上传。")
    elif suffix in TEXT_SUFFIXES:
        text = _decode_text(data)
    else:
        raise SpeechFileError(f"不支持的文件类型（{suffix}）：请上传 .txt 或 .docx 文件，或直接粘贴文字。")
    if not text.strip():
        raise SpeechFileError("文件中没有文字内容。")
    return text


def _decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise SpeechFileError("文件编码无法识别：请另存为 UTF-8 编码的文本文件。") from exc
    elif b"\x00" in data:
        raise SpeechFileError("这不是文本文件（含二进制内容）：请上传 .txt 或 .docx 文件。")
    else:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise SpeechFileError("文件编码无法识别：请另存为 UTF-8 或 GB18030（GBK）编码的文本文件。")
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
    if controls > max(2, len(text) // 100):
        raise SpeechFileError("这不是文本文件（含大量控制字符）：请上传 .txt 或 .docx 文件。")
    return text


def _read_docx(data: bytes) -> str:
    not_docx = "这不是有效的 Word（.docx）文件：请在 Word 中另存为 .docx，或直接粘贴文字。"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise SpeechFileError(not_docx) from exc
    if "word/document.xml" not in names:
        raise SpeechFileError(not_docx)
    if unpacked > MAX_DOCX_UNPACKED_BYTES:
        raise SpeechFileError("Word 文件解压后过大：请拆分后上传，或直接粘贴讲话文字。")
    from docx import Document

    try:
        document = Document(io.BytesIO(data))
        return "\n".join(_docx_lines(document))
    except Exception as exc:  # python-docx raises many kinds of errors on damaged files
        raise SpeechFileError(not_docx) from exc


def _docx_lines(document: Any) -> list[str]:
    """Paragraph and table text in document order, with Word's automatic numbering written out."""
    from docx.table import Table

    numbering = _Numbering(document)
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells = list(dict.fromkeys(cell.text.strip() for cell in row.cells))
                lines.append(" ".join(c for c in cells if c))
        else:
            lines.append(numbering.prefix(block) + block.text)
    return lines


def _cn(number: int) -> str:
    if number < 10:
        return _CN_NUMERALS[number]
    tens, ones = divmod(number, 10)
    return ("" if tens == 1 else _CN_NUMERALS[tens % 10]) + "十" + (_CN_NUMERALS[ones] if ones else "")


def _format(number: int, fmt: str) -> str:
    if fmt.startswith(("chinese", "ideograph", "taiwanese", "japanese")):
        return _cn(number)
    if fmt.startswith("decimalEnclosedCircle") and 1 <= number <= 20:
        return chr(ord("①") + number - 1)
    if fmt == "upperLetter":
        return chr(ord("A") + (number - 1) % 26)
    if fmt == "lowerLetter":
        return chr(ord("a") + (number - 1) % 26)
    return str(number)


class _Numbering:
    """Word list numbering (numbering.xml), rendered as the text a reader sees ("一、", "1.")."""

    def __init__(self, document: Any) -> None:
        from docx.oxml.ns import qn

        self.qn = qn
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}
        self.counters: dict[str, list[int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract: dict[tuple[str, int], tuple[str, str, int]] = {}
        for node in root.findall(qn("w:abstractNum")):
            for level in node.findall(qn("w:lvl")):
                fmt, text, start = (level.find(qn(tag)) for tag in ("w:numFmt", "w:lvlText", "w:start"))
                abstract[(node.get(qn("w:abstractNumId")), int(level.get(qn("w:ilvl"), "0")))] = (
                    fmt.get(qn("w:val"), "decimal") if fmt is not None else "decimal",
                    text.get(qn("w:val"), "") if text is not None else "",
                    int(start.get(qn("w:val"), "1")) if start is not None else 1,
                )
        for num in root.findall(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            if ref is not None:
                for (abstract_id, ilvl), spec in abstract.items():
                    if abstract_id == ref.get(qn("w:val")):
                        self.levels[(num.get(qn("w:numId")), ilvl)] = spec

    def _num_pr(self, paragraph: Any) -> tuple[str, int] | None:
        qn = self.qn
        holders = [paragraph._p]
        style = paragraph.style
        while style is not None:
            holders.append(style.element)
            style = style.base_style
        for holder in holders:
            num_pr = holder.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
            if num_pr is not None:
                num_id, ilvl = num_pr.find(qn("w:numId")), num_pr.find(qn("w:ilvl"))
                if num_id is not None:
                    return num_id.get(qn("w:val")), int(ilvl.get(qn("w:val"), "0")) if ilvl is not None else 0
        return None

    def prefix(self, paragraph: Any) -> str:
        found = self._num_pr(paragraph) if self.levels else None
        if found is None or found not in self.levels:
            return ""
        num_id, ilvl = found[0], min(max(found[1], 0), 8)
        fmt, pattern, start = self.levels[found]
        counters = self.counters.setdefault(num_id, [0] * 9)
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else start
        counters[ilvl + 1 :] = [0] * (8 - ilvl)
        if fmt in ("bullet", "none"):
            return ""

        def render(match: re.Match[str]) -> str:
            level = int(match[1]) - 1
            spec = self.levels.get((num_id, level), (fmt, "", 1))
            return _format(counters[level] or spec[2], spec[0])

        return re.sub(r"%([1-9])", render, pattern)
