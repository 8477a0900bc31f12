"""kaifang check_accounts: the standing account checks (SEC-01, SEC-11) for a production database.

Lists active accounts that share a display name or a phone number (one person per account, no
shared accounts), demo accounts, and, with --passwords, accounts whose password is a known
default. Exits non-zero when it finds anything, so CI or cron can alert.
"""

from collections import defaultdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaifang.accounts.demo import ADMIN_PERSONAS, PERSONAS
from kaifang.accounts.models import User
from kaifang.accounts.services.lifecycle import DEFAULT_PASSWORDS


def findings(*, passwords: bool) -> list[str]:
    found: list[str] = []
    users = list(User.objects.filter(is_active=True).order_by("username"))
    for field, label in (("display_name", "姓名"), ("phone", "电话")):
        groups: dict[str, list[str]] = defaultdict(list)
        for user in users:
            value = (getattr(user, field) or "").strip()
            if value:
                groups[value].append(user.username)
        for value, names in groups.items():
            if len(names) > 1:
                found.append(f"{label}重复（{value}）：{', '.join(names)}")
    demo_names = {name for name, *_ in PERSONAS + ADMIN_PERSONAS}
    for user in users:
        if user.username in demo_names:
            found.append(f"演示账号：{user.username}")
        if passwords and any(user.check_password(p) for p in DEFAULT_PASSWORDS):
            found.append(f"默认密码：{user.username}")
    return found


class Command(BaseCommand):
    help = "检查账号：重复的姓名或电话、演示账号、（--passwords）默认密码。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--passwords", action="store_true", help="逐个账号尝试默认密码（较慢）")

    def handle(self, *args: Any, passwords: bool, **options: Any) -> None:
        problems = findings(passwords=passwords)
        for line in problems:
            self.stdout.write(line)
        if problems:
            raise CommandError(f"账号检查发现 {len(problems)} 个问题")
        self.stdout.write("账号检查通过")
