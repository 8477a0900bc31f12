"""kaifang archive_audit: verify the audit chain and copy new events to the archive directory."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kaifang.audit.archive import archive_new_events, purge_eligible
from kaifang.core.context import change_context


class Command(BaseCommand):
    help = "校验审计链并把新的审计记录归档到 KAIFANG_AUDIT_ARCHIVE_DIR（本系统从不删除审计记录）。"

    def handle(self, *args: Any, **options: Any) -> None:
        with change_context(channel="cli"):
            try:
                written, path = archive_new_events()
            except RuntimeError as exc:
                raise CommandError(f"审计链校验失败，未归档：{exc}") from exc
        where = f"，文件 {path}" if path else ""
        self.stdout.write(f"已归档 {written} 条审计记录{where}；超过保存期且已归档的 {purge_eligible().count()} 条")
