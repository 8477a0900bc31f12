"""`kaifang channel_route`: list, add, disable, enable and test message channel routes.

Keys and secrets are read from environment variables named on the command line (so they stay out
of shell history and process lists):

    KEY=… kaifang channel_route add --channel wecom --unit 210112 \\
        --url https://qyapi.weixin.qq.com/cgi-bin/webhook/send --token-env KEY
    TOKEN=… SECRET=… kaifang channel_route add --channel dingtalk --url https://oapi.dingtalk.com/robot/send \\
        --token-env TOKEN --secret-env SECRET --kind urge
    kaifang channel_route list
    kaifang channel_route disable 3
    kaifang channel_route test 3        # one test message, recorded like any other send
"""

from __future__ import annotations

import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaifang.core.actors import SystemActor
from kaifang.core.context import change_context
from kaifang.notifications.models import ChannelRoute
from kaifang.orgs.models import OrgUnit

ACTOR = SystemActor("cli")


class Command(BaseCommand):
    help = "管理消息渠道（企业微信、钉钉群机器人，短信网关）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["list", "add", "disable", "enable", "test"])
        parser.add_argument("route_id", nargs="?", type=int)
        parser.add_argument("--channel", default="")
        parser.add_argument("--unit", default="", help="单位代码；不填表示所有未单独配置的单位")
        parser.add_argument("--kind", default="", help="消息类型；不填表示所有类型")
        parser.add_argument("--url", default="")
        parser.add_argument("--token-env", default="", help="存放密钥的环境变量名")
        parser.add_argument("--secret-env", default="", help="存放钉钉加签密钥的环境变量名")
        parser.add_argument("--template-id", default="")
        parser.add_argument("--per-minute", type=int, default=20)

    def handle(self, *args: Any, **options: Any) -> None:
        with change_context(channel="cli"):
            getattr(self, f"_{options['action']}")(options)

    def _route(self, options: dict[str, Any]) -> ChannelRoute:
        route = ChannelRoute.objects.filter(pk=options["route_id"]).first()
        if route is None:
            raise CommandError(f"没有编号为 {options['route_id']} 的渠道。")
        return route

    def _list(self, options: dict[str, Any]) -> None:
        for r in ChannelRoute.objects.select_related("unit"):
            unit = r.unit.name if r.unit else "（所有单位）"
            state = "启用" if r.enabled else "停用"
            self.stdout.write(f"{r.pk}\t{r.get_channel_display()}\t{unit}\t{r.kind or '（所有类型）'}\t{state}")

    def _add(self, options: dict[str, Any]) -> None:
        from kaifang.notifications.services.routes import add_route

        unit = None
        if options["unit"]:
            unit = OrgUnit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"没有代码为 {options['unit']} 的单位。")
        try:
            route = add_route(
                actor=ACTOR,
                channel=options["channel"],
                url=options["url"],
                token=os.environ.get(options["token_env"], "") if options["token_env"] else "",
                secret=os.environ.get(options["secret_env"], "") if options["secret_env"] else "",
                unit=unit,
                kind=options["kind"],
                template_id=options["template_id"],
                per_minute=options["per_minute"],
            )
        except ValidationError as exc:
            raise CommandError("；".join(m for ms in exc.message_dict.values() for m in ms)) from None
        self.stdout.write(f"已添加渠道 {route.pk}")

    def _disable(self, options: dict[str, Any]) -> None:
        from kaifang.notifications.services.routes import set_enabled

        set_enabled(actor=ACTOR, route=self._route(options), enabled=False)
        self.stdout.write("已停用")

    def _enable(self, options: dict[str, Any]) -> None:
        from kaifang.notifications.services.routes import set_enabled

        set_enabled(actor=ACTOR, route=self._route(options), enabled=True)
        self.stdout.write("已启用")

    def _test(self, options: dict[str, Any]) -> None:
        from kaifang.notifications.delivery import send_test

        route = self._route(options)
        unit = route.unit or OrgUnit.objects.filter(parent__isnull=True).first()
        outcome, delivery = send_test(route=route, unit=unit, sender=ACTOR)
        self.stdout.write(f"{outcome}：{delivery.get_status_display()} {delivery.last_error}".strip())
