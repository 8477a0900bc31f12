"""Reading uploaded workbooks safely and writing exports that cannot run formulas.

Uploads are hostile until proven otherwise. `read_workbook` checks, BEFORE any parser sees the
bytes: the size, the extension and the magic bytes (an .xlsx is a zip holding
`[Content_Types].xml` and `xl/workbook.xml`), the zip itself (member count, encryption, the sum
of the declared uncompressed sizes and each member's compression ratio, so a zip bomb is refused
unopened), and each sheet's XML (the real extent of its cells, formulas, error cells, merged
cells). Only then does python-calamine read the values. Every problem is a Chinese message that
names the sheet, the row and the column, so a clerk can fix the file.

`write_workbook` writes exports and templates with xlsxwriter; every text goes through
`safe_cell`, which neutralises formula injection (a cell starting with = + - @ tab or CR).
"""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from kaifang.core.sheet_problems import Problem as Problem
from kaifang.core.sheet_problems import SpreadsheetError as SpreadsheetError
from kaifang.core.sheet_problems import _refuse as _refuse
from kaifang.core.sheet_problems import column_index as column_index
from kaifang.core.sheet_problems import column_letter as column_letter
from kaifang.core.sheet_problems import split_ref as split_ref
from kaifang.core.xlsx_writer import INJECTION_PREFIXES as INJECTION_PREFIXES
from kaifang.core.xlsx_writer import XLSX as XLSX
from kaifang.core.xlsx_writer import Column as Column
from kaifang.core.xlsx_writer import SheetSpec as SheetSpec
from kaifang.core.xlsx_writer import safe_cell as safe_cell
from kaifang.core.xlsx_writer import write_workbook as write_workbook
from kaifang.core.xlsx_writer import xlsx_response as xlsx_response  # writing: re-exported for existing importers

CellValue = str | float | bool | datetime.date | datetime.datetime | datetime.time | datetime.timedelta | None

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_CELLS = 500_000
DEFAULT_MAX_UNCOMPRESSED = 120 * 1024 * 1024
MAX_MEMBERS = 500
MAX_RATIO = 200  # sheet XML of real data compresses 5-30x; a bomb compresses 1000x
RATIO_CHECK_FROM = 1024 * 1024  # tiny members may compress well; only big ones are judged by ratio
MAX_SHEETS = 50

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls and password-protected workbooks
XLS_MESSAGE = (
    "这是旧版 Excel（.xls）或加了密码的工作簿，请另存为不加密的 .xlsx 后再上传："
    "WPS 表格中点“文件 → 另存为”，文件类型选“Microsoft Excel 文件（*.xlsx）”；"
    "LibreOffice Calc 中点“文件 → 另存为”，文件类型选“Excel 2007-365 (.xlsx)”，提示格式时选“使用 Excel 2007-365!”；"
    "Microsoft Excel 中点“文件 → 另存为”，保存类型选“Excel 工作簿（*.xlsx）”。如有密码，请先在“文件 → 加密”中清除。"
)

_SHEET_RE = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?/?>")
_ATTR_RE = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_REL_RE = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*?/?>")
_FAST_ROW_RE = re.compile(rb'<row r="([0-9]{1,7})"')
_FAST_COLUMN_RE = re.compile(rb'<c r="([A-Z]{1,3})')
_CELL_TAG_RE = re.compile(rb"<(?:\w+:)?c[\s>/]")
_CELL_REF_RE = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="')
_CELL_COLUMN_RE = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3})[0-9]')
_ROW_NUMBER_RE = re.compile(rb'<(?:\w+:)?row\s[^>]*?\br="([0-9]{1,7})"')
_ERROR_RE = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3}[0-9]{1,7})"[^>]*?\bt="e"')
_ERROR_RE2 = re.compile(rb'<(?:\w+:)?c\s[^>]*?\bt="e"[^>]*?\br="([A-Z]{1,3}[0-9]{1,7})"')
_ROW_TAG_RE = re.compile(rb"<(?:\w+:)?row\b")
_FORMULA_RE = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3}[0-9]{1,7})"[^>]*?(?<!/)>\s*<(?:\w+:)?f\b')
_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]{1,3}[0-9]{1,7}(?::[A-Z]{1,3}[0-9]{1,7})?)"')
_DIMENSION_RE = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([A-Z]{1,3}[0-9]{1,7})(?::([A-Z]{1,3}[0-9]{1,7}))?"')


# --- Reading ----------------------------------------------------------------------------------------


@dataclass
class Sheet:
    """A sheet's values: `rows[i][j]` is row i+1, column j (empty cells are None)."""

    name: str
    rows: list[list[CellValue]]
    merged: list[str] = field(default_factory=list)

    def cell(self, row: int, column: int) -> CellValue:
        """The value at a 1-based row and 0-based column (None outside the data)."""
        if row - 1 >= len(self.rows) or column >= len(self.rows[row - 1]):
            return None
        return self.rows[row - 1][column]


@dataclass
class Workbook:
    sheets: list[Sheet]
    sha256: str
    size: int

    def sheet(self, name: str) -> Sheet | None:
        return next((s for s in self.sheets if s.name == name), None)

    @property
    def cell_count(self) -> int:
        return sum(len(r) for s in self.sheets for r in s.rows)


@dataclass
class _SheetScan:
    name: str
    max_row: int = 0
    max_col: int = -1
    cells: int = 0
    formulas: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)


def read_workbook(
    data: bytes,
    *,
    filename: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_cells: int = DEFAULT_MAX_CELLS,
    max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED,
    formulas: str = "reject",
    merged_allowed_rows: int = 0,
) -> Workbook:
    """Check `data` thoroughly, then read every sheet's values with python-calamine.

    `formulas="reject"` refuses any formula cell (its cached value may be stale or hostile);
    `formulas="cached"` accepts the value Excel last computed. Merged cells are refused outside
    the first `merged_allowed_rows` rows (a title band may be merged; data cells never).
    Raises `SpreadsheetError` listing the problems. An .ods (LibreOffice, WPS) goes through
    `kaifang.core.spreadsheets_ods.read_ods`, with the same guards.
    """
    if (filename or "").lower().endswith(".ods") and data.startswith(ZIP_MAGIC):
        from kaifang.core.spreadsheets_ods import read_ods

        return read_ods(data, max_bytes=max_bytes, max_cells=max_cells, max_uncompressed=max_uncompressed)
    _check_envelope(data, filename=filename, max_bytes=max_bytes)
    archive = _open_zip(data, max_uncompressed=max_uncompressed)
    scans = _scan_sheets(archive, max_cells=max_cells, max_uncompressed=max_uncompressed)
    problems: list[Problem] = []
    for scan in scans:
        problems += _structure_problems(scan, formulas=formulas, merged_allowed_rows=merged_allowed_rows)
    if problems:
        raise SpreadsheetError(problems[:200])
    sheets = _read_values(data, scans)
    return Workbook(sheets=sheets, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def _check_envelope(data: bytes, *, filename: str, max_bytes: int) -> None:
    if not data:
        raise _refuse("文件为空，请选择填好的 .xlsx 文件。")
    if len(data) > max_bytes:
        raise _refuse(f"文件大小 {len(data) / 1048576:.1f} MB，超过上限 {max_bytes / 1048576:.0f} MB。")
    name = (filename or "").lower()
    if data.startswith(OLE_MAGIC):
        raise _refuse(XLS_MESSAGE)
    if not name.endswith(".xlsx"):
        raise _refuse("只接受 .xlsx 或 .ods 格式的文件（请使用下载的模板）。")
    if not data.startswith(ZIP_MAGIC):
        raise _refuse("文件内容不是有效的 .xlsx 工作簿（可能损坏或被改了扩展名）。")


def _open_zip(data: bytes, *, max_uncompressed: int) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse("文件内容不是有效的 .xlsx 工作簿（压缩包已损坏）。") from exc
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _refuse(
            "压缩包中没有 Excel 工作簿的结构（缺少 [Content_Types].xml 或 xl/workbook.xml），不是 .xlsx 文件。"
        )
    if len(infos) > MAX_MEMBERS:
        raise _refuse(f"工作簿内部文件过多（{len(infos)} 个），拒绝处理。")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise _refuse("工作簿内容被加密，请取消密码后另存为 .xlsx 再上传。")
        total += info.file_size
        if info.file_size > RATIO_CHECK_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _refuse(
                f"工作簿内部文件 {info.filename} 的压缩比异常（{info.file_size // max(info.compress_size, 1)} 倍），"
                "疑似压缩炸弹，拒绝处理。"
            )
    if total > max_uncompressed:
        raise _refuse(
            f"工作簿解压后将达 {total / 1048576:.0f} MB，超过上限 {max_uncompressed / 1048576:.0f} MB，"
            "疑似压缩炸弹或数据过多，拒绝处理。"
        )
    return archive


def _read_member(archive: zipfile.ZipFile, name: str, *, limit: int) -> bytes:
    """Decompress one member, never producing more than `limit` bytes whatever the header says."""
    try:
        with archive.open(name) as stream:
            chunks, size = [], 0
            while chunk := stream.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    raise _refuse(f"工作簿内部文件 {name} 解压后超过上限，疑似压缩炸弹，拒绝处理。")
                chunks.append(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise _refuse(f"工作簿内部文件 {name} 已损坏，无法读取。") from exc
    return b"".join(chunks)


def _attrs(tag: bytes) -> dict[str, str]:
    return {k.decode().split(":")[-1]: v.decode("utf-8", "replace") for k, v in _ATTR_RE.findall(tag)}


def _sheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, member path) in workbook order, from workbook.xml and its relationships."""
    workbook = _read_member(archive, "xl/workbook.xml", limit=4 << 20)
    rels_name = "xl/_rels/workbook.xml.rels"
    rels = _read_member(archive, rels_name, limit=4 << 20) if rels_name in archive.namelist() else b""
    targets = {}
    for tag in _REL_RE.findall(rels):
        a = _attrs(tag)
        target = a.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[a.get("Id", "")] = target
    parts = []
    for tag in _SHEET_RE.findall(workbook):
        a = _attrs(tag)
        # The relationship id attribute is namespaced (r:id); after stripping the prefix it is "id".
        target = targets.get(a.get("id", ""), "")
        if target.endswith(".xml") and "worksheets/" in target:
            parts.append((a.get("name", ""), target))
    if not parts:
        raise _refuse("工作簿中没有工作表。")
    if len(parts) > MAX_SHEETS:
        raise _refuse(f"工作簿中工作表过多（{len(parts)} 个）。")
    return parts


def _scan_sheets(archive: zipfile.ZipFile, *, max_cells: int, max_uncompressed: int) -> list[_SheetScan]:
    scans = []
    total_cells = 0
    for name, member in _sheet_parts(archive):
        if member not in archive.namelist():
            raise _refuse("工作表文件缺失，工作簿已损坏。", sheet=name)
        xml = _read_member(archive, member, limit=max_uncompressed)
        scan = _SheetScan(name=name)
        dim = _DIMENSION_RE.search(xml[:4096])
        if dim:
            last = (dim.group(2) or dim.group(1)).decode()
            declared_rows, col = split_ref(last)
            if declared_rows * (col + 1) > max_cells:
                raise _refuse(
                    f"声明的区域 {last} 约 {declared_rows * (col + 1):,} 个单元格，超过上限 {max_cells:,}，"
                    "请删除多余的行列后再上传。",
                    sheet=name,
                )
        # Counts and regexes run in C over the whole sheet: the real extent of the cells, whatever the
        # header says. Excel and most writers put r first (<c r="B2" …>): a literal fast path, with
        # the general patterns as the fallback.
        row_tags = xml.count(b"<row ") or len(_ROW_TAG_RE.findall(xml))
        scan.cells = xml.count(b"<c ") + xml.count(b"<c>") or len(_CELL_TAG_RE.findall(xml))
        rows: list[bytes] = _FAST_ROW_RE.findall(xml) or _ROW_NUMBER_RE.findall(xml)
        letters = set(_FAST_COLUMN_RE.findall(xml))
        referenced = xml.count(b'<c r="')
        if referenced < scan.cells:
            letters |= set(_CELL_COLUMN_RE.findall(xml))
            referenced = len(_CELL_REF_RE.findall(xml))
        scan.max_row = max([row_tags, *(int(r) for r in set(rows))]) if rows else row_tags
        if letters:
            scan.max_col = column_index(max(letters, key=lambda c: (len(c), c)).decode())
        if referenced < scan.cells:  # cells without an r attribute sit one after another in their row
            scan.max_col = max(scan.max_col, -(-scan.cells // max(row_tags, 1)) - 1)
        if b't="e"' in xml:
            scan.errors = [m.decode() for m in _ERROR_RE.findall(xml) + _ERROR_RE2.findall(xml)] or [""]
        extent = scan.max_row * (scan.max_col + 1)
        total_cells += scan.cells
        if extent > max_cells or total_cells > max_cells:
            raise _refuse(
                f"数据区域约 {max(extent, total_cells):,} 个单元格，超过上限 {max_cells:,}，请分批上传。", sheet=name
            )
        if b"<f" in xml or b":f" in xml:
            scan.formulas = [m.decode() for m in _FORMULA_RE.findall(xml)]
        if b"mergeCell" in xml:
            scan.merged = [m.decode() for m in _MERGE_RE.findall(xml)]
        scans.append(scan)
    return scans


def _structure_problems(scan: _SheetScan, *, formulas: str, merged_allowed_rows: int) -> list[Problem]:
    problems = []
    if formulas == "reject":
        for ref in scan.formulas[:50]:
            row, col = split_ref(ref)
            problems.append(Problem(f"单元格 {ref} 含公式，请复制后“选择性粘贴—数值”再上传。", scan.name, row, col))
    for ref in scan.errors[:50]:
        if ref:
            row, col = split_ref(ref)
            problems.append(Problem(f"单元格 {ref} 是错误值（如 #DIV/0!），请改为数字。", scan.name, row, col))
        else:
            problems.append(Problem("含错误值（如 #DIV/0!），请改为数字。", scan.name))
    for ref in scan.merged[:50]:
        first = ref.split(":")[-1]
        last_row, _ = split_ref(first)
        if last_row > merged_allowed_rows:
            row, col = split_ref(ref.split(":")[0])
            problems.append(Problem(f"数据区域不能合并单元格（{ref}），请取消合并。", scan.name, row, col))
    return problems


def _read_values(data: bytes, scans: list[_SheetScan]) -> list[Sheet]:
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise _refuse("工作簿无法读取（文件已损坏或格式不受支持）。") from exc
    sheets = []
    by_name = {s.name: s for s in scans}
    for name in book.sheet_names:
        scan = by_name.get(name)
        if scan is None:  # chart sheets and the like carry no data
            continue
        try:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as exc:
            raise _refuse("工作表无法读取（内容已损坏）。", sheet=name) from exc
        cleaned = [[None if v == "" and isinstance(v, str) else v for v in row] for row in rows]
        sheets.append(Sheet(name=name, rows=cleaned, merged=scan.merged))
    return sheets


# Every number read from a workbook is smaller than this in size (issue 15: a cell ≥ 1e28 overflowed
# the 28-digit decimal context and left the check "in progress" forever). The largest figure a
# province reports (万美元, 万元) is below 10^9; stored figures hold 16 integer digits.
NUMBER_LIMIT = Decimal(10) ** 15
RANGE_MESSAGE = "数值超出允许范围（绝对值须小于 1,000,000,000,000,000）"


class NumberOutOfRange(ValueError):
    """A number too large (in size) to be a figure; its text is the message to show."""

    def __init__(self) -> None:
        super().__init__(RANGE_MESSAGE)


def to_decimal(value: CellValue) -> Decimal | None:
    """A cell as a Decimal: numbers keep the digits Excel shows (repr of the double), text is
    accepted when it is a plain number (thousands separators allowed). Raises ValueError otherwise,
    NumberOutOfRange (a ValueError) for a number of 10^15 or more in size."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("bool")
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("nan")
        if abs(value) >= NUMBER_LIMIT:
            raise NumberOutOfRange
        number = Decimal(repr(float(value)))
        return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "")
        if not text:
            return None
        if not re.fullmatch(r"-?\d+(\.\d+)?", text):
            raise ValueError(text)
        number = Decimal(text)
        if abs(number) >= NUMBER_LIMIT:
            raise NumberOutOfRange
        return number
    raise ValueError(type(value).__name__)


def cell_text(value: CellValue) -> str:
    """A cell as text (codes typed as numbers come back as '210112', not '210112.0')."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
