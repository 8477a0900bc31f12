"""kaifang create_token USERNAME [--name NAME]: a bearer token for a program acting as USERNAME."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaifang.accounts.models import User
from kaifang.accounts.services import create_token
from kaifang.core.context import change_context


class Command(BaseCommand):
    help = "为用户创建 API 令牌（仅显示一次）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="令牌用途说明")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"用户不存在或已停用：{username}")
        with change_context(channel="cli"):
            row, token = create_token(actor="cli", user=user, name=name)
        self.stdout.write(token)
        self.stderr.write(f"已为 {username} 创建令牌 {row.prefix}…（请妥善保存，只显示这一次）")
