"""kaifang tokens [--all] [--user U]: the API tokens, with owner, scope, expiry and last use."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from kaifang.accounts.models import ApiToken
from kaifang.accounts.services import token_refusal

REFUSALS = {"inactive": "账号已停用", "locked": "账号已锁定", "password": "须先修改密码"}


def state_of(token: ApiToken) -> str:
    if token.revoked_at is not None:
        return "已吊销"
    if token.expires_at <= timezone.now():
        return "已过期"
    return REFUSALS.get(token_refusal(token), "有效")


class Command(BaseCommand):
    help = "列出 API 令牌（默认只列未吊销、未过期的）：前缀、账号、范围、有效期、最近使用。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="也列出已吊销和已过期的令牌")
        parser.add_argument("--user", default="", help="只列出该账号的令牌")

    def handle(self, *args: Any, all: bool, user: str, **options: Any) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "created_at")
        if not all:
            tokens = tokens.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())
        if user:
            tokens = tokens.filter(user__username=user)
        rows = list(tokens)
        for t in rows:
            last = f"{timezone.localtime(t.last_used_at):%Y-%m-%d %H:%M}" if t.last_used_at else "从未使用"
            self.stdout.write(
                "\t".join(
                    [
                        f"{t.prefix}…",
                        t.user.username,
                        "只读" if t.read_only else "读写",
                        f"有效期至 {timezone.localtime(t.expires_at):%Y-%m-%d}",
                        f"最近使用 {last}",
                        state_of(t),
                        t.name,
                    ]
                )
            )
        self.stdout.write(f"共 {len(rows)} 个令牌。")
