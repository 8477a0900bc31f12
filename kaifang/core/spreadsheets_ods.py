"""Reading OpenDocument spreadsheets (.ods, saved by LibreOffice Calc or WPS) as safely as .xlsx.

Before python-calamine sees the bytes: the zip envelope (member count, encryption, declared and
per-member compression ratio, so a bomb is refused unopened), the `mimetype` member, and the
content XML scanned for formulas and merged (spanned) cells — both refused, as for .xlsx, with
the sheet named. The values then come through calamine like an .xlsx's.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile

from kaifang.core.spreadsheets import (
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_SHEETS,
    RATIO_CHECK_FROM,
    Problem,
    Sheet,
    SpreadsheetError,
    Workbook,
)

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_TABLE_RE = re.compile(rb'<table:table\b[^>]*?\btable:name="([^"]*)"')
_FORMULA_RE = re.compile(rb"<table:table-cell\b[^>]*?\btable:formula=")
_SPAN_RE = re.compile(rb'<table:table-cell\b[^>]*?\btable:number-(?:columns|rows)-spanned="([0-9]+)"')


def _refuse(message: str, sheet: str | None = None) -> SpreadsheetError:
    return SpreadsheetError([Problem(message, sheet or "")])


def read_ods(
    data: bytes, *, max_bytes: int, max_cells: int, max_uncompressed: int, formulas: str = "reject"
) -> Workbook:
    """An .ods checked (envelope, bomb, formulas, merged cells) then read with python-calamine."""
    import python_calamine

    if len(data) > max_bytes:
        raise _refuse(f"文件大小 {len(data) / 1048576:.1f} MB，超过上限 {max_bytes / 1048576:.0f} MB。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _refuse("文件内容不是有效的 .ods 表格（压缩包已损坏）。") from exc
    if len(members) > MAX_MEMBERS:
        raise _refuse("文件结构异常（压缩包成员过多），不是正常的表格文件。")
    names = {m.filename for m in members}
    if "mimetype" not in names or "content.xml" not in names:
        raise _refuse("文件内容不是有效的 .ods 表格（缺少 mimetype 或 content.xml）。")
    if archive.read("mimetype").strip() != ODS_MIMETYPE:
        raise _refuse("文件不是 OpenDocument 表格（.ods），请另存为 .xlsx 或 .ods 后再上传。")
    if any(m.flag_bits & 0x1 for m in members) or b"encryption-data" in _manifest(archive):
        raise _refuse("表格加了密码，请取消密码后另存再上传。")
    if sum(m.file_size for m in members) > max_uncompressed:
        raise _refuse("文件解压后过大（可能是压缩炸弹），已拒绝。")
    for m in members:
        if m.file_size > RATIO_CHECK_FROM and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise _refuse("文件压缩比异常（可能是压缩炸弹），已拒绝。")
    content = archive.read("content.xml")
    problems = _structure_problems(content, formulas=formulas)
    if problems:
        raise SpreadsheetError(problems[:200])
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise _refuse("表格无法读取（文件已损坏或格式不受支持）。") from exc
    if len(book.sheet_names) > MAX_SHEETS:
        raise _refuse(f"工作表超过 {MAX_SHEETS} 个。")
    sheets, cells = [], 0
    for name in book.sheet_names:
        try:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as exc:
            raise _refuse("工作表无法读取（内容已损坏）。", name) from exc
        cleaned = [[None if v == "" and isinstance(v, str) else v for v in row] for row in rows]
        cells += sum(len(r) for r in cleaned)
        if cells > max_cells:
            raise _refuse(f"单元格超过 {max_cells:,} 个，请拆分后分批上传。", name)
        sheets.append(Sheet(name=name, rows=cleaned))
    return Workbook(sheets=sheets, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def _manifest(archive: zipfile.ZipFile) -> bytes:
    try:
        return archive.read("META-INF/manifest.xml")[:1_000_000]
    except KeyError:
        return b""


def _structure_problems(content: bytes, *, formulas: str) -> list[Problem]:
    """Formulas and merged cells, per sheet (an .ods names no cell references: the sheet is named)."""
    problems: list[Problem] = []
    starts = [(m.start(), m.group(1).decode("utf-8", "replace")) for m in _TABLE_RE.finditer(content)]
    for k, (start, name) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(content)
        part = content[start:end]
        if formulas == "reject" and _FORMULA_RE.search(part):
            problems.append(
                Problem("工作表含有公式，请先把公式转换为数值（复制后“选择性粘贴 → 仅数值”）再上传。", name)
            )
        if any(int(span) > 1 for span in _SPAN_RE.findall(part)):
            problems.append(Problem("工作表含有合并单元格，请取消合并后再上传。", name))
    return problems
