"""kaifang create_admin USERNAME --role ROLE: bootstrap one of the three administrators (三员).

The password is random, printed once, and must be changed at the first sign-in (within
KAIFANG_INITIAL_PASSWORD_HOURS); the second factor is enrolled at that sign-in.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaifang.accounts.models import Role
from kaifang.accounts.services import create_user
from kaifang.accounts.services.lifecycle import random_password
from kaifang.core.actors import SystemActor
from kaifang.core.context import change_context
from kaifang.orgs.models import OrgUnit

CHOICES = [Role.PROVINCE_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR]


class Command(BaseCommand):
    help = "创建系统管理员、安全管理员或审计管理员账号（随机初始密码，首次登录须修改）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[str(r) for r in CHOICES])
        parser.add_argument("--name", default="", help="姓名")

    def handle(self, *args: Any, username: str, role: str, name: str, **options: Any) -> None:
        unit = OrgUnit.objects.filter(code=settings.KAIFANG_PROVINCE_CODE).first()
        if unit is None:
            raise CommandError(
                f"省级单位 {settings.KAIFANG_PROVINCE_CODE} 不存在：请先导入组织机构（load_divisions）。"
            )
        password = random_password()
        try:
            with change_context(channel="cli"):
                create_user(
                    actor=SystemActor("cli"),
                    username=username,
                    password=password,
                    unit=unit,
                    role=role,
                    display_name=name,
                    grant=True,
                )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(password)
        self.stderr.write(
            f"已创建{Role(role).label} {username}；初始密码只显示这一次，"
            f"须在 {settings.KAIFANG_INITIAL_PASSWORD_HOURS} 小时内首次登录并修改。"
        )
