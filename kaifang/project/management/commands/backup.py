"""kaifang backup [-o FILE] [--media]: a consistent copy of the database with a SHA-256 beside it."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from kaifang.audit.services import record_event
from kaifang.core.actors import SystemActor
from kaifang.core.context import change_context
from kaifang.security.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份数据库（SQLite 在线备份；PostgreSQL 用 pg_dump），旁边写 .sha256 校验文件。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", type=Path, help="备份文件路径（默认 KAIFANG_BACKUP_DIR 下按时间命名）")
        parser.add_argument("--media", action="store_true", help="同时打包上传文件目录")

    def handle(self, *args: Any, output: Path | None, media: bool, **options: Any) -> None:
        try:
            result = backup(output, media=media)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        with change_context(channel="cli"), transaction.atomic():
            record_event(
                actor=SystemActor("cli"),
                action="security.backup",
                object_type="backup",
                object_repr=result.path.name,
                after={"sha256": result.sha256, "bytes": result.size, "engine": result.engine},
            )
        self.stdout.write(f"已备份到 {result.path}（{result.size:,} 字节，sha256 {result.sha256[:16]}…）")
