"""kaifang plan_rounds --year YEAR [rule options] [--commit]: the year's reporting calendar.

Without --commit prints every round the rule makes (period, opening, deadline, grace, units);
with --commit creates them (rounds already there are skipped; future ones wait as planned).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kaifang.core.actors import SystemActor
from kaifang.core.context import change_context
from kaifang.reporting.services.calendar import CalendarRule, create_calendar, plan_calendar


def _months(text: str) -> tuple[int, ...]:
    months: list[int] = []
    for part in text.split(","):
        first, _sep, last = part.partition("-")
        months += range(int(first), int(last or first) + 1)
    return tuple(months)


class Command(BaseCommand):
    help = "按规则生成全年月度报送批次（默认只预览，加 --commit 生成）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--months", default="1-12", help="如 1-12 或 2-12 或 1,3,6")
        parser.add_argument("--opens-day", type=int, default=1, help="次月几日开始")
        parser.add_argument("--deadline-day", type=int, default=10, help="次月几日截止")
        parser.add_argument("--grace", type=int, default=2, help="宽限天数")
        parser.add_argument("--keep-weekends", action="store_true", help="截止日逢周末不顺延")
        parser.add_argument("--units", default="county,department", help="county,city,department,platform")
        parser.add_argument("--indicators", default="", help="指标代码，逗号分隔（默认全部填报指标）")
        parser.add_argument("--commit", action="store_true")

    def handle(self, *args: Any, **o: Any) -> None:
        try:
            rule = CalendarRule(
                year=o["year"],
                months=_months(o["months"]),
                opens_day=o["opens_day"],
                deadline_day=o["deadline_day"],
                grace_days=o["grace"],
                weekend_to_monday=not o["keep_weekends"],
                unit_kinds=tuple(k.strip() for k in o["units"].split(",") if k.strip()),
                indicators=tuple(c.strip() for c in o["indicators"].split(",") if c.strip()),
            )
            with change_context(channel="cli"):
                if o["commit"]:
                    created = create_calendar(actor=SystemActor("cli"), rule=rule)
                    self.stdout.write(f"已生成 {len(created)} 个报送批次。")
                    return
                for p in plan_calendar(actor=SystemActor("cli"), rule=rule):
                    state = "已存在" if p.exists else ("填报中" if p.opens_now else "未开始")
                    self.stdout.write(
                        f"{p.period:%Y-%m} {p.name}：{timezone.localtime(p.opens_at):%Y-%m-%d} 开始，"
                        f"{timezone.localtime(p.deadline):%Y-%m-%d} 截止，宽限 {p.grace_days} 天，"
                        f"{len(p.units)} 个单位，{len(p.indicators)} 个指标（{state}）"
                    )
        except (ValueError, ValidationError) as exc:
            raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write("以上为预览，加 --commit 生成。")
