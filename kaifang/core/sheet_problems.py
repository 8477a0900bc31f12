"""What can be wrong with an uploaded workbook, located as a clerk looks for it (sheet, row, column
letter), and the cell-reference arithmetic that locates it. Re-exported by `kaifang.core.spreadsheets`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from kaifang.core.xlsx_writer import INJECTION_PREFIXES as INJECTION_PREFIXES
from kaifang.core.xlsx_writer import XLSX as XLSX
from kaifang.core.xlsx_writer import Column as Column
from kaifang.core.xlsx_writer import SheetSpec as SheetSpec
from kaifang.core.xlsx_writer import safe_cell as safe_cell
from kaifang.core.xlsx_writer import write_workbook as write_workbook
from kaifang.core.xlsx_writer import xlsx_response as xlsx_response  # writing: re-exported for existing importers

_REF_RE = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """A → 0, AA → 26."""
    index = 0
    for char in letters:
        index = index * 26 + (ord(char) - 64)
    return index - 1


def split_ref(ref: str) -> tuple[int, int]:
    """ "C5" → (row 5, column index 2)."""
    match = _REF_RE.match(ref)
    if match is None:
        raise ValueError(ref)
    return int(match.group(2)), column_index(match.group(1))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an uploaded file, located as a clerk would look for it."""

    message: str
    sheet: str = ""
    row: int | None = None  # 1-based, as Excel shows it
    column: int | None = None  # 0-based index; shown as a letter

    @property
    def column_letter(self) -> str:
        return column_letter(self.column) if self.column is not None else ""

    @property
    def where(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column is not None:
            parts.append(f"{self.column_letter}列")
        return "".join(parts)

    def __str__(self) -> str:
        return f"{self.where}：{self.message}" if self.where else self.message


class SpreadsheetError(ValidationError):
    """The file was refused; `problems` says where and why (messages are shown to the user)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__([str(p) for p in problems], code="spreadsheet")


def _refuse(message: str, **where: Any) -> SpreadsheetError:
    return SpreadsheetError([Problem(message, **where)])
