"""kaifang restore FILE --commit: verify the checksum, then replace the database with the backup.

Stop the app servers and the task worker first. Without --commit only the checksum is verified.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from kaifang.audit.services import record_event, verify_chain
from kaifang.core.actors import SystemActor
from kaifang.core.context import change_context
from kaifang.security.backup import BackupError, restore, verify_checksum


class Command(BaseCommand):
    help = "从备份恢复数据库（先校验 sha256；须加 --commit 才执行，执行前请停止应用和任务进程）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--commit", action="store_true", help="确认用备份覆盖当前数据库")

    def handle(self, *args: Any, file: Path, commit: bool, **options: Any) -> None:
        try:
            if not commit:
                digest = verify_checksum(file)
                self.stdout.write(f"校验通过（sha256 {digest[:16]}…）；确认覆盖当前数据库请加 --commit")
                return
            digest = restore(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        count, broken = verify_chain()
        with change_context(channel="cli"), transaction.atomic():
            record_event(
                actor=SystemActor("cli"),
                action="security.restore",
                object_type="backup",
                object_repr=file.name,
                after={"sha256": digest, "audit_events": count, "audit_broken": len(broken)},
            )
        chain = "审计链完整" if not broken else f"审计链有 {len(broken)} 处异常，首条 {broken[0]}"
        self.stdout.write(f"已从 {file} 恢复（sha256 {digest[:16]}…）；{chain}，共 {count} 条审计记录")
