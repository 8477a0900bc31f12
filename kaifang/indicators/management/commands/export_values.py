"""kaifang export_values --indicator CODE --unit CODE --from YYYY-MM --to YYYY-MM -o FILE.xlsx [--user NAME]"""

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from kaifang.accounts.models import Role, User
from kaifang.core import clock
from kaifang.core.actors import SystemActor
from kaifang.core.context import change_context
from kaifang.indicators.exports import explorer_workbook
from kaifang.indicators.periods import parse_period, range_label
from kaifang.indicators.selectors import get_indicator
from kaifang.orgs.models import OrgUnit
from kaifang.orgs.scope import get_unit_for_user


def operator() -> Any:
    """The server operator: sees the whole tree (the CLI runs with the server's own rights)."""
    root = OrgUnit.objects.filter(parent__isnull=True, kind="province").order_by("code").first()
    return SimpleNamespace(
        is_authenticated=True,
        is_active=True,
        role=Role.PROVINCE_ADMIN,
        unit=root,
        username="cli",
        pk=None,
        scope_granted_at=clock.now(),
    )


class Command(BaseCommand):
    help = "导出某单位某指标在一段期间的数据（含下级单位、目标、完成率、同比）到 Excel。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--indicator", required=True, help="指标代码，如 FDI")
        parser.add_argument("--unit", required=True, help="单位代码，如 210100")
        parser.add_argument("--from", dest="period_from", required=True, help="起始月份 YYYY-MM")
        parser.add_argument("--to", dest="period_to", required=True, help="截止月份 YYYY-MM")
        parser.add_argument("-o", "--output", required=True, help="输出文件 .xlsx")
        parser.add_argument("--user", default="", help="以该用户的可见范围导出（默认：全部）")

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"])
        if output.suffix.lower() != ".xlsx":
            raise CommandError("输出文件须以 .xlsx 结尾。")
        if options["user"]:
            user: Any = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"用户不存在或已停用：{options['user']}")
        else:
            user = operator()
        try:
            indicator = get_indicator(options["indicator"])
            unit = get_unit_for_user(user, options["unit"])
            start, end = parse_period(options["period_from"]), parse_period(options["period_to"])
        except Http404 as exc:
            raise CommandError("指标或单位不存在，或不在可见范围内。") from exc
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        if start > end:
            raise CommandError("起始月份不能晚于截止月份。")
        with change_context(channel="cli"):
            content, rows = explorer_workbook(
                user=user,
                indicator=indicator,
                unit=unit,
                period_from=start,
                period_to=end,
                actor=user if options["user"] else SystemActor("cli"),
            )
        output.write_bytes(content)
        self.stdout.write(f"已导出 {unit.name} {indicator.name} {range_label(start, end)} 共 {rows} 行到 {output}。")
