"""Hostile workbooks are refused before parsing, with messages that name sheet, row and column."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
import xlsxwriter

from kaifang.core.spreadsheets import (
    Column,
    SheetSpec,
    SpreadsheetError,
    read_workbook,
    safe_cell,
    to_decimal,
    write_workbook,
)


def make_xlsx(build) -> bytes:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("填报")
    sheet.write_row(0, 0, ["单位代码", "指标代码", "数值"])
    build(book, sheet)
    book.close()
    return buffer.getvalue()


def rewrite(data: bytes, member: str, change) -> bytes:  # type: ignore[no-untyped-def]
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == member:
                body = change(body)
            target.writestr(info.filename, body)
    return out.getvalue()


def refusal(data: bytes, filename: str = "upload.xlsx", **kwargs) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(SpreadsheetError) as caught:
        read_workbook(data, filename=filename, **kwargs)
    return "\n".join(str(p) for p in caught.value.problems)


GOOD = make_xlsx(lambda book, sheet: sheet.write_row(1, 0, ["210112", "EXPORT", 1234.5]))


def test_a_plain_workbook_reads_into_rows_of_values():
    book = read_workbook(GOOD, filename="浑南区.xlsx")
    sheet = book.sheets[0]
    assert sheet.name == "填报"
    assert sheet.rows[1] == ["210112", "EXPORT", 1234.5]
    assert to_decimal(sheet.cell(2, 2)) == Decimal("1234.5")
    assert len(book.sha256) == 64


def test_an_empty_upload_is_refused():
    assert "文件为空" in refusal(b"")


def test_a_file_that_is_not_a_zip_is_refused_even_when_named_xlsx():
    assert "不是有效的 .xlsx" in refusal(b"hello, this is a csv\n1,2,3\n")


def test_a_legacy_xls_renamed_to_xlsx_is_refused_with_advice():
    message = refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert ".xls" in message and "另存为" in message


def test_other_extensions_are_refused():
    assert "只接受 .xlsx" in refusal(GOOD, filename="data.xlsm")


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "nothing here")
    assert "不是 .xlsx" in refusal(out.getvalue())


def test_an_oversized_file_is_refused_before_opening():
    assert "超过上限" in refusal(GOOD, max_bytes=1000)


def test_a_zip_bomb_is_refused_from_its_declared_sizes():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in zipfile.ZipFile(io.BytesIO(GOOD)).infolist():
            archive.writestr(info.filename, zipfile.ZipFile(io.BytesIO(GOOD)).read(info.filename))
        archive.writestr("xl/media/padding.bin", b"\0" * (40 * 1024 * 1024))
    data = out.getvalue()
    assert len(data) < 1024 * 1024
    message = refusal(data)
    assert "压缩炸弹" in message


def test_total_uncompressed_size_is_bounded():
    assert "解压后将达" in refusal(GOOD, max_uncompressed=1000)


def test_a_huge_declared_sheet_dimension_is_refused():
    data = rewrite(GOOD, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b'ref="A1:C2"', b'ref="A1:XFD1048576"'))
    message = refusal(data)
    assert "工作表「填报」" in message and "XFD1048576" in message


def test_a_far_away_cell_is_refused_even_when_the_dimension_lies():
    def far(xml: bytes) -> bytes:
        xml = xml.replace(b'<dimension ref="A1:C2"/>', b"")
        return xml.replace(b"</sheetData>", b'<row r="900000"><c r="Z900000"><v>1</v></c></row></sheetData>')

    assert "超过上限" in refusal(rewrite(GOOD, "xl/worksheets/sheet1.xml", far))


def test_formulas_are_refused_naming_the_cell():
    data = make_xlsx(lambda book, sheet: sheet.write_formula(1, 2, "=1+1", None, 2))
    message = refusal(data)
    assert "工作表「填报」第2行C列" in message and "公式" in message


def test_formulas_may_be_read_as_their_cached_values_when_asked():
    data = make_xlsx(lambda book, sheet: sheet.write_formula(1, 2, "=1+1", None, 2))
    assert read_workbook(data, filename="a.xlsx", formulas="cached").sheets[0].cell(2, 2) == 2


def test_merged_cells_in_the_data_area_are_refused_but_a_merged_title_band_is_not():
    data = make_xlsx(lambda book, sheet: sheet.merge_range("A3:B3", "合并"))
    message = refusal(data)
    assert "第3行A列" in message and "合并" in message
    titled = make_xlsx(lambda book, sheet: sheet.merge_range("D1:E1", "标题"))
    assert read_workbook(titled, filename="a.xlsx", merged_allowed_rows=1).sheets[0].merged == ["D1:E1"]


def test_error_cells_are_refused():
    data = rewrite(
        GOOD,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b'<c r="C2"><v>1234.5</v>', b'<c r="C2" t="e"><v>#DIV/0!</v>'),
    )
    assert "C2 是错误值" in refusal(data)


def test_wrong_types_are_reported_by_to_decimal():
    assert to_decimal(1234.5) == Decimal("1234.5")
    assert to_decimal(3.0) == Decimal("3")
    assert to_decimal("1,234.50") == Decimal("1234.50")
    assert to_decimal(None) is None and to_decimal("  ") is None
    for bad in ["一百", "12%", True, "1e5"]:
        with pytest.raises(ValueError):
            to_decimal(bad)  # type: ignore[arg-type]


def test_safe_cell_escapes_formula_injection():
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    for text in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"]:
        assert safe_cell(text) == "'" + text
    assert safe_cell("浑南区") == "浑南区" and safe_cell(-5) == -5 and safe_cell(None) is None


def test_an_export_round_trips_and_never_writes_a_formula():
    spec = SheetSpec(
        name="导出",
        columns=[Column("单位", locked=True), Column("数值", number=True, min_value=Decimal(0))],
        rows=[["=cmd|' /C calc'!A0", Decimal("12.5")], ["浑南区", None]],
        protect=True,
    )
    data = write_workbook([spec])
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    sheet = read_workbook(data, filename="x.xlsx").sheets[0]
    assert sheet.rows[0] == ["单位", "数值"]
    assert sheet.cell(2, 0) == "'=cmd|' /C calc'!A0" and sheet.cell(2, 1) == 12.5
