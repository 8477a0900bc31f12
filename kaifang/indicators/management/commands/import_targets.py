"""kaifang import_targets FILE.xlsx [--commit]: annual targets from the targets template."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaifang.core.actors import SystemActor
from kaifang.core.context import change_context
from kaifang.indicators.services.target_files import import_targets


class Command(BaseCommand):
    help = "从 Excel 导入年度目标（默认只检查并列出本级与下级合计的差额，加 --commit 写入）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--commit", action="store_true", help="写入数据库（默认只检查）")

    def handle(self, *args: Any, file: Path, commit: bool, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"文件不存在：{file}")
        with change_context(channel="cli"):
            result = import_targets(actor=SystemActor("cli"), data=file.read_bytes(), filename=file.name, commit=commit)
        if result.problems:
            raise CommandError("\n".join([result.summary(), *(str(p) for p in result.problems)]))
        for gap in result.gaps:
            difference = "—" if gap.difference is None else f"{gap.difference:+}"
            self.stdout.write(
                f"{gap.indicator.code} {gap.unit.name}：本级 {gap.own if gap.own is not None else '—'}，"
                f"下级合计 {gap.children_sum}（{gap.with_target}/{gap.children}），差额 {difference}"
            )
        self.stdout.write(result.summary() + ("" if commit else "（加 --commit 写入）"))
