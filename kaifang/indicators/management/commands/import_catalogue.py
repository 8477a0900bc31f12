"""kaifang import_catalogue FILE.xlsx|FILE.json [--commit] | --starter [--commit]: the indicator catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaifang.core.actors import SystemActor
from kaifang.core.context import change_context
from kaifang.indicators.services.catalogue_files import STARTER, import_catalogue


class Command(BaseCommand):
    help = "导入指标目录（Excel 或 JSON；--starter 采用初始指标目录）。默认只检查，加 --commit 写入。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument("--starter", action="store_true", help="采用初始指标目录（对外开放常用指标）")
        parser.add_argument("--commit", action="store_true", help="写入数据库（默认只检查）")

    def handle(self, *args: Any, file: Path | None, starter: bool, commit: bool, **options: Any) -> None:
        path = STARTER if starter else file
        if path is None or not path.is_file():
            raise CommandError(f"文件不存在：{path}" if path else "请给出文件，或用 --starter。")
        with change_context(channel="cli"):
            result = import_catalogue(
                actor=SystemActor("cli"), data=path.read_bytes(), filename=path.name, commit=commit
            )
        if result.problems:
            raise CommandError("\n".join([result.summary(), *(str(p) for p in result.problems)]))
        self.stdout.write(result.summary() + ("" if commit else "（加 --commit 写入）"))
