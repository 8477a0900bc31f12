"""kaifang revoke_token PREFIX --commit: revoke a bearer token by its prefix."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaifang.accounts.models import ApiToken
from kaifang.accounts.services import revoke_token
from kaifang.core.actors import SystemActor
from kaifang.core.context import change_context


class Command(BaseCommand):
    help = "吊销 API 令牌（按前缀）。须加 --commit。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix")
        parser.add_argument("--commit", action="store_true")

    def handle(self, *args: Any, prefix: str, commit: bool, **options: Any) -> None:
        tokens = list(ApiToken.objects.active().filter(prefix=prefix))
        if len(tokens) != 1:
            raise CommandError(f"找到 {len(tokens)} 个匹配的有效令牌，须恰好一个。")
        if not commit:
            self.stdout.write(f"将吊销 {tokens[0]}（加 --commit 执行）")
            return
        with change_context(channel="cli"):
            revoke_token(actor=SystemActor("cli"), token=tokens[0])
        self.stdout.write(f"已吊销 {tokens[0]}")
