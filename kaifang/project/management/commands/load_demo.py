"""kaifang load_demo: the Liaoning 2018 demo (org tree, personas, and each business area's data)."""

from typing import Any

from django.core.management.base import BaseCommand

from kaifang.accounts.demo import DEMO_PASSWORD, PERSONAS, load_personas
from kaifang.assessment.demo import load_assessment_demo
from kaifang.core.actors import SystemActor
from kaifang.core.context import change_context
from kaifang.indicators.demo import load_indicators_demo
from kaifang.ledgers.demo import load_ledgers_demo
from kaifang.meetings.demo import load_meetings_demo
from kaifang.orgs.demo import load_org_tree
from kaifang.reporting.demo import load_reporting_demo
from kaifang.supervision.demo import load_supervision_demo


class Command(BaseCommand):
    help = "载入辽宁省2018年演示数据（示例数据）。可重复执行。"

    def handle(self, *args: Any, **options: Any) -> None:
        with change_context(channel="cli"):
            load_org_tree(actor=SystemActor("demo"))
            load_personas()
            # Each business area's demo data loads here, in dependency order.
            load_indicators_demo()
            load_ledgers_demo()  # after the indicators: pushes the ledger-derived figures
            load_reporting_demo()  # after the indicators: the 2018-06 round types June's figures
            meeting = load_meetings_demo()  # before supervision: its tasks cite the meeting
            load_supervision_demo(meeting_id=meeting.pk)
            load_assessment_demo()  # last: scores and publishes from everything above
        self.stdout.write(f"演示数据已载入。演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, display_name, _role, unit_code in PERSONAS:
            self.stdout.write(f"  {username:<10} {display_name}（{unit_code}）")
