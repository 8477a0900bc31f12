"""kaifang verify_audit: recompute the audit hash chain and report any broken link."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kaifang.audit.services import verify_chain


class Command(BaseCommand):
    help = "校验审计日志哈希链。"

    def handle(self, *args: Any, **options: Any) -> None:
        count, broken = verify_chain()
        if broken:
            raise CommandError(f"审计链校验失败：共 {count} 条，{len(broken)} 条异常，首条编号 {broken[0]}")
        self.stdout.write(f"审计链完整：共 {count} 条")
