"""kaifang init_province --divisions FILE.csv [--departments FILE.csv] [--commit]: a new province.

Takes an empty database to a usable province without any demo data: the division list (GB/T
2260), the provincial departments, the standard unit groups, the three administrators (三员) with
one-time passwords printed once, and the starter indicator catalogue. Without --commit everything
is checked and rolled back. Running it again changes nothing and creates no second administrator.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from kaifang.accounts.models import Role, User
from kaifang.accounts.services import create_user
from kaifang.accounts.services.lifecycle import random_password
from kaifang.core.actors import SystemActor
from kaifang.core.context import change_context
from kaifang.indicators.services.catalogue_files import adopt_starter_catalogue
from kaifang.orgs.models import OrgUnit, UnitKind
from kaifang.orgs.services import load_departments, load_divisions, set_standard_groups

ADMINS = [
    ("sysadmin", Role.PROVINCE_ADMIN, "系统管理员"),
    ("secadmin", Role.SECURITY_ADMIN, "安全管理员"),
    ("auditadmin", Role.AUDITOR, "审计管理员"),
]


class DryRun(Exception):
    pass


class Command(BaseCommand):
    help = "初始化一个新省份：行政区划、省直部门、考核组、三员账号、初始指标目录。不加 --commit 只检查。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--divisions", type=Path, required=True, help="行政区划 CSV：code,name,parent_code,level")
        parser.add_argument("--departments", type=Path, help="省直部门 CSV：code,name[,short_name]")
        parser.add_argument("--sysadmin", default=ADMINS[0][0], help="系统管理员账号")
        parser.add_argument("--secadmin", default=ADMINS[1][0], help="安全管理员账号")
        parser.add_argument("--auditadmin", default=ADMINS[2][0], help="审计管理员账号")
        parser.add_argument("--no-catalogue", action="store_true", help="不采用初始指标目录（之后自行导入）")
        parser.add_argument("--commit", action="store_true", help="写入数据库（默认只检查）")

    def handle(self, *args: Any, **o: Any) -> None:
        texts = {name: self._read(o[name]) for name in ("divisions", "departments") if o[name] is not None}
        usernames: dict[str, str] = {
            Role.PROVINCE_ADMIN: o["sysadmin"],
            Role.SECURITY_ADMIN: o["secadmin"],
            Role.AUDITOR: o["auditadmin"],
        }
        lines: list[str] = []
        try:
            with change_context(channel="cli"), transaction.atomic():
                lines += self._setup(texts, usernames, catalogue=not o["no_catalogue"])
                if not o["commit"]:
                    raise DryRun
        except DryRun:
            self.stdout.write("检查通过（未写入，加 --commit 执行）：")
            for line in lines:
                if "密码" not in line:
                    self.stdout.write(f"  {line}")
            return
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        for line in lines:
            self.stdout.write(line)
        self.stderr.write(
            f"三员的一次性密码只显示这一次，须在 {settings.KAIFANG_INITIAL_PASSWORD_HOURS} 小时内首次登录并修改；"
            "登录时设置手机动态口令。下一步：系统管理员导入账号、安全管理员授权（见 docs/onboarding.md）。"
        )

    def _read(self, path: Path) -> str:
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} 须为 UTF-8 编码的 CSV。") from exc

    def _setup(self, texts: dict[str, str], usernames: dict[str, str], *, catalogue: bool) -> list[str]:
        lines = [f"行政区划：{load_divisions(actor=SystemActor('cli'), text=texts['divisions']).summary()}"]
        code = settings.KAIFANG_PROVINCE_CODE
        province = OrgUnit.objects.filter(code=code, kind=UnitKind.PROVINCE).first()
        if province is None:
            found = ", ".join(OrgUnit.objects.filter(kind=UnitKind.PROVINCE).values_list("code", flat=True))
            raise ValidationError(
                f"省级单位 {code}（KAIFANG_PROVINCE_CODE）不在行政区划中（其中的省级单位：{found or '无'}）；"
                "请在 .env 中把 KAIFANG_PROVINCE_CODE 设为本省代码。"
            )
        if "departments" in texts:
            loaded = load_departments(actor=SystemActor("cli"), text=texts["departments"], province=province)
            lines.append(f"省直部门：{loaded.summary()}")
        groups = set_standard_groups(actor=SystemActor("cli"))
        lines.append("考核组：" + "、".join(f"{g.name}（{g.members.count()}）" for g in groups))
        for role, label in ((r, label) for _u, r, label in ADMINS):
            username = usernames[role]
            existing = User.objects.filter(role=role, unit=province, is_active=True).first()
            if existing is not None:
                lines.append(f"{label}：已有 {existing.username}，不再创建")
                continue
            password = random_password()
            create_user(
                actor=SystemActor("cli"),
                username=username,
                password=password,
                unit=province,
                role=role,
                display_name=label,
                grant=True,
            )
            lines.append(f"{label}：{username}  一次性密码：{password}")
        if catalogue:
            lines.append(f"指标目录：{adopt_starter_catalogue(actor=SystemActor('cli')).summary()}")
        return lines
