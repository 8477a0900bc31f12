"""kaifang load_reference [--commit]: (re)load the reference lists and strategy groups from data/reference/."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from kaifang.core.actors import SystemActor
from kaifang.core.context import change_context
from kaifang.refdata.services import load_reference


class DryRun(Exception):
    pass


class Command(BaseCommand):
    help = "载入参考数据（行业分类、平台类型、战略分组及其成员）。不加 --commit 时只检查不写入。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--commit", action="store_true", help="写入数据库（默认只检查）")

    def handle(self, *args: Any, commit: bool, **options: Any) -> None:
        try:
            with change_context(channel="cli"), transaction.atomic():
                changed = load_reference(actor=SystemActor("cli"))
                if not commit:
                    raise DryRun
        except DryRun:
            self.stdout.write(f"检查通过（未写入，加 --commit 写入）：{changed}")
            return
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        self.stdout.write(f"已写入：{changed}")
