"""`kaifang workday_override 2018-10-08 --off --note "省政府通知"`: record a provincial arrangement."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaifang.core import workdays
from kaifang.core.actors import SystemActor
from kaifang.project import services


class Command(BaseCommand):
    help = "录入或删除本省工作日调整（覆盖全国节假日安排）；不带 --work/--off/--remove 时显示当日是否上班。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("day", help="日期 YYYY-MM-DD")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--work", action="store_true", help="该日上班")
        group.add_argument("--off", action="store_true", help="该日放假")
        group.add_argument("--remove", action="store_true", help="删除调整，恢复全国安排")
        parser.add_argument("--note", default="", help="调整依据（通知文号）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = datetime.date.fromisoformat(options["day"])
        except ValueError:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{options['day']}") from None
        try:
            if options["work"] or options["off"] or options["remove"]:
                value = None if options["remove"] else bool(options["work"])
                services.set_override(actor=SystemActor("cli"), day=day, is_workday=value, note=options["note"])
            self.stdout.write(f"{day.isoformat()} {'上班' if workdays.is_workday(day) else '休息'}")
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
