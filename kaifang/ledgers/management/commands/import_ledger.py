"""kaifang import_ledger FILE.xlsx --user U [--commit]: check (and apply) a ledger workbook."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kaifang.accounts.models import User
from kaifang.core.context import change_context
from kaifang.ledgers.services.imports import import_ledger


class Command(BaseCommand):
    help = "导入招商引资项目台账/人才台账（.xlsx）。默认只检查；加 --commit 才保存。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="以哪个用户的身份和权限导入")
        parser.add_argument("--commit", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).select_related("unit").first()
        if user is None:
            raise CommandError("用户不存在或已停用。")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError("文件不存在。")
        with change_context(channel="cli"):
            result = import_ledger(user=user, data=path.read_bytes(), filename=path.name, commit=options["commit"])
        for problem in result.problems:
            self.stderr.write(str(problem))
        self.stdout.write(result.summary())
        if result.problems:
            raise CommandError("导入未完成。")
