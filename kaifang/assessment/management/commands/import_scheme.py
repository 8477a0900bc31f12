"""kaifang import_scheme FILE.json|FILE.yaml [--commit] [--activate]: an assessment scheme from a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaifang.assessment.services.schemes import import_scheme
from kaifang.core.actors import SystemActor
from kaifang.core.context import change_context


class Command(BaseCommand):
    help = "导入考核方案文件（JSON 或 YAML）并列出由文件生成的计分规则；默认只检查，--commit 导入为草稿。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--commit", action="store_true", help="写入数据库（默认只检查）")
        parser.add_argument("--activate", action="store_true", help="导入后立即启用")

    def handle(self, *args: Any, file: Path, commit: bool, activate: bool, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"文件不存在：{file}")
        with change_context(channel="cli"):
            result = import_scheme(
                actor=SystemActor("cli"), data=file.read_bytes(), filename=file.name, commit=commit, activate=activate
            )
        if result.problems:
            raise CommandError("\n".join([result.summary(), *(str(p) for p in result.problems)]))
        for name, text in result.item_texts:
            self.stdout.write(f"{name}：{text}")
        for label, text in result.rules.items():
            self.stdout.write(f"[{label}] {text}")
        self.stdout.write(result.summary())
