"""kaifang copy_scheme CODE --year YEAR [--code NEW] [--commit]: last year's scheme as a draft for a new year."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from kaifang.assessment.models import AssessmentScheme, SchemeStatus
from kaifang.assessment.services.schemes import copy_scheme_to_year, next_year_code
from kaifang.core.actors import SystemActor
from kaifang.core.context import change_context


class Command(BaseCommand):
    help = "把方案（使用中的版本）复制到新年度，作为草稿第1版。不加 --commit 只显示将生成的代码。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--new-code", default="", help="新方案代码（默认把年份替换为新年度）")
        parser.add_argument("--commit", action="store_true")

    def handle(self, *args: Any, code: str, year: int, new_code: str, commit: bool, **options: Any) -> None:
        schemes = AssessmentScheme.objects.filter(code=code)
        scheme = schemes.filter(status=SchemeStatus.ACTIVE).first() or schemes.order_by("-number").first()
        if scheme is None:
            raise CommandError(f"方案不存在：{code}")
        if not commit:
            self.stdout.write(
                f"将复制为 {new_code or next_year_code(scheme.code, scheme.year, year)}（加 --commit 执行）"
            )
            return
        try:
            with change_context(channel="cli"), transaction.atomic():
                copy = copy_scheme_to_year(actor=SystemActor("cli"), scheme=scheme, year=year, code=new_code)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(f"已复制为 {copy.code}（草稿第1版）")
