"""kaifang create_token USERNAME [--name NAME] [--days N] [--read-only]: a bearer token for a program
acting as USERNAME (valid KAIFANG_TOKEN_DAYS days unless --days)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kaifang.accounts.models import User
from kaifang.accounts.services import create_token
from kaifang.core.actors import SystemActor
from kaifang.core.context import change_context


class Command(BaseCommand):
    help = "为用户创建 API 令牌（仅显示一次）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="令牌用途说明")
        parser.add_argument("--days", type=int, default=None, help="有效天数（默认 KAIFANG_TOKEN_DAYS，90 天）")
        parser.add_argument("--read-only", action="store_true", help="只读令牌：只能读取，不能修改任何数据")

    def handle(self, *args: Any, username: str, name: str, days: int | None, read_only: bool, **options: Any) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"用户不存在或已停用：{username}")
        with change_context(channel="cli"):
            try:
                row, token = create_token(
                    actor=SystemActor("cli"), user=user, name=name, days=days, read_only=read_only
                )
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(token)
        scope = "只读" if row.read_only else "读写"
        self.stderr.write(
            f"已为 {username} 创建{scope}令牌 {row.prefix}…，有效期至 {timezone.localtime(row.expires_at):%Y-%m-%d}"
            "（请妥善保存，只显示这一次）"
        )
