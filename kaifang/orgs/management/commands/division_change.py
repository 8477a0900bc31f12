"""kaifang division_change: propose, review, apply and list administrative-division changes.

    kaifang division_change list
    kaifang division_change propose --kind merge --effective 2018-07 --from 211102,211103 \
        --to 211190:盘锦市中心城区 [--parent 211100] [--heir CODE] [--document 文号] [--as USERNAME]
    kaifang division_change review ID [--reject] [--as USERNAME]
    kaifang division_change apply ID [--dry-run] [--as USERNAME]
    kaifang division_change diff FILE.csv --effective 2016-01 [--propose] [--as USERNAME]

`--to` takes CODE:NAME[:SHARE] once per result. `apply --dry-run` lists every unit, figure,
target, task, project and account the change touches without writing anything. Without `--as`
the command acts as SystemActor("cli").
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from kaifang.core.actors import SystemActor
from kaifang.core.context import change_context
from kaifang.orgs import gb2260
from kaifang.orgs.models import DivisionChange
from kaifang.orgs.services import changes


def _month(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(f"{text}-01" if len(text) == 7 else text).replace(day=1)
    except ValueError as exc:
        raise CommandError(f"生效月份“{text}”格式应为 YYYY-MM。") from exc


class Command(BaseCommand):
    help = "区划调整：提出、审核、实施（可试运行）、列表，以及比对新的 GB/T 2260 区划表并提出调整。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list")
        p = sub.add_parser("propose")
        p.add_argument("--kind", required=True, choices=["rename", "merge", "split", "move"])
        p.add_argument("--effective", required=True)
        p.add_argument("--from", dest="sources", required=True)
        p.add_argument("--to", dest="results", action="append", required=True)
        p.add_argument("--parent", default="")
        p.add_argument("--heir", default="")
        p.add_argument("--document", default="")
        p.add_argument("--as", dest="username", default="")
        r = sub.add_parser("review")
        r.add_argument("id", type=int)
        r.add_argument("--reject", action="store_true")
        r.add_argument("--as", dest="username", default="")
        a = sub.add_parser("apply")
        a.add_argument("id", type=int)
        a.add_argument("--dry-run", action="store_true")
        a.add_argument("--as", dest="username", default="")
        d = sub.add_parser("diff")
        d.add_argument("file", type=Path)
        d.add_argument("--effective", required=True)
        d.add_argument("--propose", action="store_true")
        d.add_argument("--as", dest="username", default="")

    def _actor(self, username: str) -> Any:
        if not username:
            return SystemActor("cli")
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在。")
        return user

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            with change_context(channel="cli"):
                getattr(self, f"do_{action}")(**options)
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError("\n".join(messages)) from exc

    def do_list(self, **options: Any) -> None:
        for change in DivisionChange.objects.all():
            self.stdout.write(f"#{change.pk} [{change.get_state_display()}] {change}")

    def do_propose(self, **o: Any) -> None:
        results = []
        for text in o["results"]:
            code, _sep, rest = text.partition(":")
            name, _sep, share = rest.partition(":")
            results.append({"code": code, "name": name, "parent": o["parent"], "share": share or "1"})
        change = changes.propose(
            actor=self._actor(o["username"]),
            kind=o["kind"],
            effective=_month(o["effective"]),
            sources=[c for c in o["sources"].split(",") if c],
            results=results,
            heir=o["heir"],
            document=o["document"],
        )
        self.stdout.write(f"已提出 #{change.pk}：{change}")

    def do_review(self, **o: Any) -> None:
        change = changes.review(actor=self._actor(o["username"]), change_id=o["id"], approve=not o["reject"])
        self.stdout.write(f"#{change.pk} {change.get_state_display()}")

    def do_apply(self, **o: Any) -> None:
        change = DivisionChange.objects.filter(pk=o["id"]).first()
        if change is None:
            raise CommandError(f"区划调整 #{o['id']} 不存在。")
        if o["dry_run"]:
            self.stdout.write(f"试运行（未写入）#{change.pk}：{change}")
            for item in changes.dry_run(change):
                self.stdout.write(item.line())
            return
        change, moved = changes.apply(actor=self._actor(o["username"]), change_id=change.pk)
        self.stdout.write(f"已实施 #{change.pk}：{change}")
        for item in moved:
            self.stdout.write(item.line())

    def do_diff(self, **o: Any) -> None:
        file: Path = o["file"]
        if not file.is_file():
            raise CommandError(f"文件不存在：{file}")
        effective = _month(o["effective"])
        new = gb2260.read_rows(file.read_text(encoding="utf-8"))
        provinces = {r.code[:2] for r in new}
        old = gb2260.tree_rows(effective - datetime.timedelta(days=1), provinces)
        found = gb2260.diff(old, new)
        for line in found.lines():
            self.stdout.write(line)
        if not found.lines():
            self.stdout.write("与现行区划一致，无需调整。")
        if o["propose"]:
            actor = self._actor(o["username"])
            with transaction.atomic():  # all the proposals or none
                self._propose_all(found, actor, effective, file.name)

    def _propose_all(self, found: gb2260.Diff, actor: Any, effective: datetime.date, document: str) -> None:
        for p in found.proposals:
            change = changes.propose(
                actor=actor,
                kind=p["kind"],
                effective=effective,
                sources=p["sources"],
                results=p["results"],
                document=document,
            )
            self.stdout.write(f"已提出 #{change.pk}：{change}")
