"""kaifang security_user ACTION USERNAME: the operator's tools for one account.

unlock       lift a lock-out          reset-2fa     remove the second factor (lost phone)
logout       end every session        reset-password issue a new random password (printed once)
deactivate   disable the account      activate      enable it again
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaifang.accounts import twofactor
from kaifang.accounts.models import User
from kaifang.accounts.services import lifecycle
from kaifang.core.actors import SystemActor
from kaifang.core.context import change_context

ACTIONS = ["unlock", "reset-2fa", "logout", "reset-password", "deactivate", "activate"]


class Command(BaseCommand):
    help = "账号安全操作：解除锁定、重置动态口令、结束会话、重置密码、停用、启用。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=ACTIONS)
        parser.add_argument("username")
        parser.add_argument("--commit", action="store_true", help="确认执行（停用、重置需要）")

    def handle(self, *args: Any, action: str, username: str, commit: bool, **options: Any) -> None:
        user = User.objects.filter(username__iexact=username.strip()).first()
        if user is None:
            raise CommandError(f"用户不存在：{username}")
        if action in {"reset-2fa", "reset-password", "deactivate"} and not commit:
            raise CommandError(f"将对 {user.username} 执行 {action}；确认请加 --commit")
        with change_context(channel="cli"):
            if action == "unlock":
                lifecycle.unlock(actor=SystemActor("cli"), user=user)
                self.stdout.write(f"已解除 {user.username} 的锁定")
            elif action == "reset-2fa":
                twofactor.reset_second_factor(actor=SystemActor("cli"), user=user)
                self.stdout.write(f"已重置 {user.username} 的动态口令，下次登录重新设置")
            elif action == "logout":
                self.stdout.write(
                    f"已结束 {user.username} 的 {lifecycle.force_logout(actor=SystemActor('cli'), user=user)} 个会话"
                )
            elif action == "reset-password":
                self.stdout.write(lifecycle.reset_password(actor=SystemActor("cli"), user=user))
                self.stderr.write(f"已重置 {user.username} 的密码（只显示这一次，首次登录须修改）")
            else:
                lifecycle.set_active(actor=SystemActor("cli"), user=user, active=action == "activate")
                self.stdout.write(f"已{'启用' if action == 'activate' else '停用'} {user.username}")
