"""kaifang simulate_scheme CODE NUMBER --period YYYY-MM [--base N]: score a version beside another."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaifang.assessment.models import AssessmentScheme
from kaifang.assessment.simulation import rank_change_text, simulate
from kaifang.core.actors import SystemActor
from kaifang.core.context import change_context
from kaifang.indicators.periods import parse_period, ytd_label


def _version(code: str, number: int) -> AssessmentScheme:
    scheme = AssessmentScheme.objects.filter(code=code, number=number).select_related("group").first()
    if scheme is None:
        raise CommandError(f"没有考核方案 {code} 第{number}版")
    return scheme


class Command(BaseCommand):
    help = (
        "模拟测算：按当前数据用方案的某个版本（通常是草稿）与使用中的版本（或 --base 指定的版本）分别计算，"
        "打印一行汇总和名次或等次有变化的单位。不发布、不生效，只记一条审计日志。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="方案代码，如 KH-2018-CITY")
        parser.add_argument("number", type=int, help="要测算的版本号")
        parser.add_argument("--period", required=True, help="期间 YYYY-MM")
        parser.add_argument("--base", type=int, default=None, help="对照版本号（默认：使用中的版本）")

    def handle(self, *args: Any, code: str, number: int, period: str, base: int | None, **options: Any) -> None:
        scheme = _version(code, number)
        base_scheme = _version(code, base) if base is not None else None
        try:
            day = parse_period(period)
            with change_context(channel="cli"):
                result = simulate(actor=SystemActor("cli"), scheme=scheme, period=day, base=base_scheme)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from None
        b, c = result.base.number, result.candidate.number
        self.stdout.write(
            f"模拟测算（不发布、不生效）{scheme.name} {ytd_label(day)}：第{c}版对比第{b}版，"
            f"{len(result.units)} 个单位，{len(result.flagged)} 个单位名次或等次有变化。"
        )
        for unit in result.flagged:
            old, new = unit.base, unit.candidate
            before = f"{old['total']} 第{old['rank']}名 {old['grade']}" if old else "不在考核组"
            after = f"{new['total']} 第{new['rank']}名 {new['grade']}" if new else "不在考核组"
            move = rank_change_text(unit)
            self.stdout.write(f"  {unit.code} {unit.name}：{before} → {after}" + (f"（{move}）" if move else ""))
