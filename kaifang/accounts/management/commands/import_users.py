"""kaifang import_users FILE.xlsx [--commit] [--grant --sheet PASSWORDS.xlsx]: bulk accounts.

Without --commit only checks and lists every problem by row. With --commit creates the new
accounts (no scope, no password). --grant also grants each new account the role it was imported
for and writes their one-time passwords to --sheet, for printing and handing out: the operator
acting as the security administrator, as on the command line for the three administrators.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaifang.accounts.models import User
from kaifang.accounts.services.imports import import_accounts, password_sheet
from kaifang.accounts.services.lifecycle import issue_one_time_passwords
from kaifang.core.actors import SystemActor
from kaifang.core.context import change_context


class Command(BaseCommand):
    help = "从 Excel 批量导入账号（默认只检查；--commit 导入；--grant --sheet 同时授权并输出一次性密码表）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--commit", action="store_true", help="写入数据库（默认只检查）")
        parser.add_argument("--grant", action="store_true", help="同时按导入的角色授权并签发一次性密码")
        parser.add_argument("--sheet", type=Path, help="一次性密码表输出文件（.xlsx），与 --grant 一起使用")

    def handle(self, *args: Any, file: Path, commit: bool, grant: bool, sheet: Path | None, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"文件不存在：{file}")
        if grant and (not commit or sheet is None):
            raise CommandError("--grant 须与 --commit 和 --sheet 一起使用。")
        with change_context(channel="cli"):
            result = import_accounts(
                actor=SystemActor("cli"), data=file.read_bytes(), filename=file.name, commit=commit
            )
            if result.problems:
                raise CommandError("\n".join([result.summary(), *(str(p) for p in result.problems)]))
            self.stdout.write(result.summary())
            if grant and sheet is not None and result.new:
                users = list(User.objects.select_related("unit").filter(username__in=[r.username for r in result.new]))
                issued = issue_one_time_passwords(actor=SystemActor("cli"), users=users, grant=True)
                sheet.write_bytes(password_sheet(issued))
                self.stdout.write(f"已授权 {len(issued)} 个账号，一次性密码表：{sheet}（只输出这一次，请打印后删除）")
