"""kaifang publish --scheme CODE --period YYYY-MM --reason ... --commit: freeze a result."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaifang.assessment.management.commands.assess import scheme_and_period
from kaifang.assessment.services import publish_assessment
from kaifang.core.actors import SystemActor
from kaifang.core.context import change_context
from kaifang.indicators.periods import ytd_label


class Command(BaseCommand):
    help = "发布（冻结）考核结果；同一期间再次发布须说明原因，生成新版本并列出差异。须加 --commit。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scheme", required=True)
        parser.add_argument("--period", required=True, help="期间 YYYY-MM")
        parser.add_argument("--reason", default="", help="发布说明（重新发布时必填）")
        parser.add_argument("--commit", action="store_true")

    def handle(self, *args: Any, scheme: str, period: str, reason: str, commit: bool, **options: Any) -> None:
        found, day = scheme_and_period(scheme, period)
        if not commit:
            self.stdout.write(f"将发布 {found.name} {ytd_label(day)} 的考核结果，加 --commit 执行。")
            return
        try:
            with change_context(channel="cli"):
                snapshot = publish_assessment(actor=SystemActor("cli"), scheme=found, period=day, reason=reason)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from None
        self.stdout.write(
            f"已发布 {found.name} {ytd_label(day)}（第{snapshot.number}版，{len(snapshot.diff)} 个单位有变化）。"
        )
