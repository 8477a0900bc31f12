"""kaifang recompute_ledger_indicators [--commit]: rebuild every ledger-derived indicator figure."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from kaifang.core.actors import SystemActor
from kaifang.core.context import change_context
from kaifang.ledgers.derived import recompute_all


class Command(BaseCommand):
    help = "按台账重新计算“来自台账”的指标数据。默认只统计；加 --commit 才写入。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--commit", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        with change_context(channel="cli"), transaction.atomic():
            summary = recompute_all(actor=SystemActor("cli"), commit=options["commit"])
        if options["commit"]:
            self.stdout.write(
                f"已按台账重算 {summary['indicators']} 个指标、{summary['keys']} 个单位月份，"
                f"更新 {summary['changed']} 个数值。"
            )
        else:
            self.stdout.write(
                f"将重算 {summary['indicators']} 个指标、{summary['keys']} 个单位月份（未写入；加 --commit 执行）。"
            )
