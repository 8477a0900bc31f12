"""kaifang assess --scheme CODE --period YYYY-MM [--json]: score a scheme's group from the current data."""

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaifang.assessment.models import AssessmentScheme
from kaifang.assessment.selectors import assess
from kaifang.indicators.periods import parse_period, ytd_label


def scheme_and_period(code: str, period: str) -> tuple[AssessmentScheme, Any]:
    scheme = AssessmentScheme.objects.current().filter(code=code).select_related("group").first()
    if scheme is None:
        raise CommandError(f"没有使用中的考核方案：{code}")
    try:
        day = parse_period(period)
    except ValidationError as exc:
        raise CommandError("；".join(exc.messages)) from None
    if day.year != scheme.year:
        raise CommandError(f"期间应在{scheme.year}年内")
    return scheme, day


class Command(BaseCommand):
    help = "按当前数据计算考核得分（不发布）。--json 输出每个单位的总分、名次、等次和各项得分、输入与公式。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scheme", required=True, help="方案代码，如 KH-2018-CITY")
        parser.add_argument("--period", required=True, help="期间 YYYY-MM")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args: Any, scheme: str, period: str, json: bool, **options: Any) -> None:
        found, day = scheme_and_period(scheme, period)
        run = assess(scheme=found, period=day)
        if json:
            self.stdout.write(_dumps(run.results()))
            return
        for unit in run.outcome.units:
            self.stdout.write(f"{unit.rank:>3}  {unit.name:<8} {unit.total:>8}  {unit.grade}  {'、'.join(unit.flags)}")
        self.stdout.write(
            f"{found.name} {ytd_label(day)}：已计算 {len(run.outcome.units)} 个单位（实时得分，未发布）。"
        )


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
