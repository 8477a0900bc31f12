"""The published reference files under `data/reference/`, read and checked row by row.

Pure reading (no database): the loaders write what these return; the origin names are used
directly (ISO 3166 names come from pycountry, these only correct or complete them).
"""

from __future__ import annotations

import csv
import datetime
import functools
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

LISTS = {
    "industry": "gbt4754_2017.csv",
    "platform_kind": "platform_kinds.csv",
    "strategy_tag": "strategy_tags.csv",
}
MEMBERSHIPS = "strategy_groups.csv"
ORIGIN_NAMES = "origin_names.csv"


def reference_dir() -> Path:
    return Path(settings.BASE_DIR) / "data" / "reference"


def _date(text: str, *, file: str, row: int, column: str) -> datetime.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError(
            _("%(f)s 第 %(r)d 行“%(c)s”列：日期“%(v)s”格式应为 YYYY-MM-DD。")
            % {"f": file, "r": row, "c": column, "v": text}
        ) from exc


def read_csv(name: str, *, required: set[str], text: str | None = None) -> list[dict[str, Any]]:
    """Rows of a reference file with `row` numbers and parsed dates; every error names row and column."""
    body = text if text is not None else (reference_dir() / name).read_text(encoding="utf-8")
    reader = csv.DictReader(body.lstrip("\ufeff").splitlines())
    missing = required - set(reader.fieldnames or [])
    if missing:
        raise ValidationError(_("%(f)s 缺少列：%(c)s") % {"f": name, "c": "、".join(sorted(missing))})
    rows, errors = [], []
    for number, raw in enumerate(reader, start=2):
        row: dict[str, Any] = {k: (v or "").strip() for k, v in raw.items() if k}
        row["row"] = number
        try:
            row["valid_from"] = _date(row.get("valid_from", ""), file=name, row=number, column="valid_from")
            row["valid_to"] = _date(row.get("valid_to", ""), file=name, row=number, column="valid_to")
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if row["valid_from"] and row["valid_to"] and row["valid_to"] < row["valid_from"]:
            errors.append(_("%(f)s 第 %(r)d 行：终止日期早于起始日期。") % {"f": name, "r": number})
        for column in sorted(required - {"valid_from", "valid_to"}):
            if column in ("code", "name", "group", "member") and not row.get(column):
                errors.append(_("%(f)s 第 %(r)d 行“%(c)s”列不能为空。") % {"f": name, "r": number, "c": column})
        rows.append(row)
    if errors:
        raise ValidationError(errors)
    return rows


@functools.cache
def list_rows(list_code: str) -> tuple[dict[str, Any], ...]:
    return tuple(read_csv(LISTS[list_code], required={"code", "name", "valid_from", "valid_to", "source"}))


@functools.cache
def origin_overrides() -> dict[str, tuple[str, bool, str]]:
    """Origin code → (Chinese name, counted as foreign, English name)."""
    rows = read_csv(ORIGIN_NAMES, required={"code", "name", "name_en", "is_foreign", "source"})
    return {r["code"]: (r["name"], r["is_foreign"] == "1", r["name_en"]) for r in rows}
