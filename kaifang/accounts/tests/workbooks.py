"""Account workbooks for tests: the template's sheet with given rows, optionally with a formula
planted in one cell (the hostile corpus)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from kaifang.accounts.services.imports import COLUMNS, SHEET
from kaifang.core.testing import xlsx_bytes


def accounts_bytes(rows: list[list[str]], *, formula_at: tuple[int, int] | None = None) -> bytes:
    """The 账号 sheet: the header, then `rows` from row 2. `formula_at`: (row as Excel shows it, column)."""
    return xlsx_bytes({SHEET: [list(COLUMNS), *rows]}, formula_at=(SHEET, *formula_at) if formula_at else None)


def accounts_workbook(rows: list[list[str]], name: str = "accounts.xlsx", **kw: object) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, accounts_bytes(rows, **kw))  # type: ignore[arg-type]
