"""kaifang corrections: list correction requests (数据更正), approve or reject one.

    kaifang corrections list --user shenyang [--state submitted]
    kaifang corrections approve GZ-2018-0007 --user shenyang --commit
    kaifang corrections reject GZ-2018-0007 --user shenyang --reason "……" --commit

Everything runs as `--user` through the same guard and services as the pages; without `--commit`
approve and reject only say what they would do.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from kaifang.accounts.models import User
from kaifang.core.context import change_context
from kaifang.corrections import selectors, services
from kaifang.corrections.models import CorrectionState
from kaifang.indicators.figures import plain
from kaifang.indicators.periods import month_label

LIST_LIMIT = 200


class Command(BaseCommand):
    help = "数据更正申请：list 列出；approve / reject 批准或驳回（须加 --commit）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        listing = sub.add_parser("list", help="列出可见的更正申请")
        listing.add_argument("--user", required=True, help="以哪个账号查看")
        listing.add_argument("--state", choices=CorrectionState.values, default="")
        for verb, text in (("approve", "批准并写入更正值"), ("reject", "驳回")):
            step = sub.add_parser(verb, help=text)
            step.add_argument("reference", help="更正编号，如 GZ-2018-0007")
            step.add_argument("--user", required=True, help="以哪个账号审批（须为上一级）")
            step.add_argument("--reason", default="", help="审批意见（驳回时必填）")
            step.add_argument("--commit", action="store_true")

    def handle(self, *args: Any, verb: str, user: str, **options: Any) -> None:
        actor = User.objects.filter(username=user, is_active=True).select_related("unit").first()
        if actor is None:
            raise CommandError(f"用户不存在或已停用：{user}")
        if verb == "list":
            self._list(actor, options["state"])
        else:
            self._step(actor, verb, options["reference"], options["reason"], options["commit"])

    def _list(self, actor: User, state: str) -> None:
        rows = list(selectors.visible_corrections(actor, state=state)[:LIST_LIMIT])
        for c in rows:
            self.stdout.write(
                f"{c.reference}\t{c.unit.name}\t{c.period:%Y-%m}\t{c.get_state_display()}\t{c.requested_by_name}"
            )
        self.stdout.write(f"共 {len(rows)} 项更正申请。")

    def _step(self, actor: User, verb: str, reference: str, reason: str, commit: bool) -> None:
        try:
            correction = selectors.get_correction_by_reference_for_user(actor, reference)
        except Http404:
            raise CommandError(f"更正申请 {reference} 不存在，或不在 {actor.username} 的权限范围内。") from None
        what = "、".join(
            f"{f.indicator.name} {plain(f.old_value) if f.old_value is not None else '空'} → {plain(f.new_value)}"
            for f in selectors.figures_of(correction)
        )
        label = f"{correction.reference}（{correction.unit.name} {month_label(correction.period)}：{what}）"
        if not commit:
            self.stdout.write(f"将{'批准' if verb == 'approve' else '驳回'} {label}，加 --commit 执行。")
            return
        try:
            with change_context(channel="cli"):
                services.transition_correction(
                    actor=actor, correction=correction, action=verb, expected_version=correction.version, reason=reason
                )
        except (ValidationError, PermissionDenied) as exc:
            detail = "；".join(exc.messages) if isinstance(exc, ValidationError) else (str(exc) or "无权操作")
            raise CommandError(detail) from None
        self.stdout.write(f"已{'批准' if verb == 'approve' else '驳回'} {label}。")
