"""The catalogue as a file: its format (JSON marker, the workbook's sheet and Chinese headers, the
defaults of an omitted column) and the export to JSON and .xlsx; `kaifang.indicators.services.catalogue_files`
imports it."""

from __future__ import annotations

import json
from typing import Any

from kaifang.core.spreadsheets import (
    Column,
    SheetSpec,
    write_workbook,
)
from kaifang.indicators.models import Indicator
from kaifang.indicators.services.catalogue import CHOICES, EDITABLE

FORMAT = "kaifang.catalogue"


SHEET = "指标目录"


# Spreadsheet column → field, in the order of the export.
HEADERS = {
    "指标代码": "code",
    "指标名称": "name",
    "计量单位": "unit_of_measure",
    "类别": "category",
    "方向": "direction",
    "时间汇总": "time_aggregation",
    "报送口径": "reported_as",
    "单位汇总": "unit_aggregation",
    "小数位数": "decimals",
    "数据来源": "source",
    "权威口径": "authority",
    "计算公式": "formula",
    "说明": "description",
    "启用": "is_active",
    "允许负数": "allow_negative",
    "排序": "sort_order",
}


REQUIRED_HEADERS = ["指标代码", "指标名称", "计量单位"]


DEFAULTS: dict[str, Any] = {
    "category": "",
    "direction": "higher",
    "time_aggregation": "flow",
    "reported_as": "ytd",
    "unit_aggregation": "sum",
    "decimals": 2,
    "source": "reported",
    "authority": "self",
    "formula": "",
    "description": "",
    "is_active": True,
    "allow_negative": False,
    "sort_order": 0,
}


LABEL = {v: k for k, v in HEADERS.items()}


def catalogue_document(*, include_inactive: bool = True) -> dict[str, Any]:
    """The whole catalogue as a JSON-ready document (the format `import_catalogue` reads back)."""
    rows = Indicator.objects.all() if include_inactive else Indicator.objects.active()
    return {
        "format": FORMAT,
        "version": 1,
        "indicators": [{"code": i.code, **{f: getattr(i, f) for f in EDITABLE}} for i in rows],
    }


def catalogue_json() -> bytes:
    return json.dumps(catalogue_document(), ensure_ascii=False, indent=2).encode("utf-8")


def catalogue_workbook() -> bytes:
    """The catalogue as an .xlsx: one row per indicator with Chinese labels for the choices, and a
    sheet listing what each choice column accepts."""
    labels = {name: dict(choices.choices) for name, choices in CHOICES.items()}
    rows = []
    for item in catalogue_document()["indicators"]:
        row = []
        for name in HEADERS.values():
            value = item[name]
            if name in labels:
                value = str(labels[name].get(value, value))
            elif name in ("is_active", "allow_negative"):
                value = "是" if value else "否"
            row.append(value)
        rows.append(row)
    choices = [[LABEL[name], "、".join(str(label) for label in labels[name].values())] for name in CHOICES]
    return write_workbook(
        [
            SheetSpec(SHEET, [Column(h, 14, number=h in ("小数位数", "排序"), decimals=0) for h in HEADERS], rows),
            SheetSpec(
                "可选值",
                [Column("列", 14), Column("可填写的值（也可填英文代码）", 60)],
                [
                    *choices,
                    ["启用", "是、否"],
                    ["计算公式", "如 share(EXPORT, TRADE) * 100，可用 + - * /、括号、share、ratio、yoy"],
                ],
            ),
        ]
    )
