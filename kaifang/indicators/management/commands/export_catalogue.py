"""kaifang export_catalogue -o FILE.xlsx|FILE.json: the whole indicator catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaifang.indicators.services.catalogue_files import catalogue_json, catalogue_workbook


class Command(BaseCommand):
    help = "导出指标目录（按扩展名输出 .xlsx 或 .json）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", type=Path, required=True)

    def handle(self, *args: Any, output: Path, **options: Any) -> None:
        if output.suffix not in (".xlsx", ".json"):
            raise CommandError("输出文件须为 .xlsx 或 .json。")
        output.write_bytes(catalogue_json() if output.suffix == ".json" else catalogue_workbook())
        self.stdout.write(f"已导出：{output}")
