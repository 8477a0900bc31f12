"""Writing workbooks: columns and sheets to .xlsx bytes (formula injection neutralised) and the
download response. Reading lives in `kaifang.core.spreadsheets`, which re-exports these names."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse

INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise formula injection: text that a spreadsheet would run as a formula gets a leading '.

    Numbers, dates and None pass through unchanged (a negative number is a number, not text).
    """
    if isinstance(value, str) and value.startswith(INJECTION_PREFIXES):
        return "'" + value
    return value


@dataclass
class Column:
    """One column of an exported sheet."""

    header: str
    width: int = 14
    locked: bool = False  # with a protected sheet: the user cannot change these cells
    number: bool = False  # a numeric column: number format and (when editable) data validation
    decimals: int = 2
    min_value: Decimal | None = None
    hidden: bool = False  # a column the file carries for the system (e.g. versions), not for the reader


@dataclass
class SheetSpec:
    name: str
    columns: list[Column]
    rows: list[list[Any]]
    protect: bool = False  # lock the `locked` columns (and the header) against edits
    freeze_header: bool = True


def write_workbook(sheets: list[SheetSpec]) -> bytes:
    """An .xlsx with one sheet per spec: Chinese headers, frozen header row, safe text, number
    formats, data validation on editable number columns, and protection of locked columns."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    header = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "locked": True, "text_wrap": True})
    formats: dict[tuple[bool, bool, int], Any] = {}

    def fmt(locked: bool, number: bool, decimals: int) -> Any:
        key = (locked, number, decimals)
        if key not in formats:
            spec: dict[str, Any] = {"locked": locked}
            if number:
                spec["num_format"] = "#,##0" + ("." + "0" * decimals if decimals else "")
            if not locked:
                spec["bg_color"] = "#FFFDE7"
            formats[key] = book.add_format(spec)
        return formats[key]

    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for spec in sheets:
        sheet = book.add_worksheet(spec.name[:31])
        for j, col in enumerate(spec.columns):
            sheet.set_column(j, j, col.width, None, {"hidden": True} if col.hidden else None)
            sheet.write_string(0, j, col.header, header)
        for i, row in enumerate(spec.rows, start=1):
            for j, value in enumerate(row):
                col = spec.columns[j] if j < len(spec.columns) else Column("")
                cell_format = fmt(col.locked or not spec.protect, col.number, col.decimals)
                _write(sheet, i, j, value, cell_format, date_format)
        if spec.rows:
            for j, col in enumerate(spec.columns):
                if col.number and not col.locked:
                    minimum = float(col.min_value) if col.min_value is not None else -1e15
                    sheet.data_validation(
                        1,
                        j,
                        len(spec.rows),
                        j,
                        {
                            "validate": "decimal",
                            "criteria": "between",
                            "minimum": minimum,
                            "maximum": 1e15,
                            "error_title": "请输入数字",
                            "error_message": "这一列只能填写数字"
                            + ("（不小于 0）" if col.min_value == 0 else "")
                            + "，不能填写文字或公式。",
                        },
                    )
        if spec.freeze_header:
            sheet.freeze_panes(1, 0)
        if spec.protect:
            sheet.protect("", {"format_columns": True, "select_locked_cells": True, "select_unlocked_cells": True})
    book.close()
    return buffer.getvalue()


def _write(sheet: Any, row: int, col: int, value: Any, cell_format: Any, date_format: Any) -> None:
    if value is None or value == "":
        sheet.write_blank(row, col, None, cell_format)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, cell_format)
    elif isinstance(value, Decimal | int | float):
        # Excel stores doubles; the export is for reading, the Decimal stays exact in the database.
        sheet.write_number(row, col, float(value), cell_format)
    elif isinstance(value, datetime.date):
        sheet.write_datetime(row, col, value, date_format)
    else:
        sheet.write_string(row, col, str(safe_cell(str(value))), cell_format)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    """An .xlsx download with a Chinese file name."""
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
