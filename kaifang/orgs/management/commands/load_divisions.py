"""kaifang load_divisions FILE.csv [--commit]: load a province's GB/T 2260 division list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from kaifang.core.actors import SystemActor
from kaifang.core.context import change_context
from kaifang.orgs.services import load_divisions


class DryRun(Exception):
    pass


class Command(BaseCommand):
    help = "载入行政区划表（CSV：code,name,parent_code,level[,valid_from,valid_to]）。不加 --commit 时只检查不写入。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--commit", action="store_true", help="写入数据库（默认只检查）")

    def handle(self, *args: Any, file: Path, commit: bool, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"文件不存在：{file}")
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise CommandError("文件须为 UTF-8 编码的 CSV。") from exc
        try:
            with change_context(channel="cli"), transaction.atomic():
                result = load_divisions(actor=SystemActor("cli"), text=text)
                if not commit:
                    raise DryRun
        except DryRun:
            self.stdout.write(f"检查通过（未写入，加 --commit 写入）：{result.summary()}")
            return
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        self.stdout.write(f"已写入：{result.summary()}")
