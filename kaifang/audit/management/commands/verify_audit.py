"""kaifang verify_audit: recompute the audit hash chain and report every broken link."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kaifang.audit.services import chain_problems


class Command(BaseCommand):
    help = "校验审计日志哈希链。"

    def handle(self, *args: Any, **options: Any) -> None:
        count, problems = chain_problems()
        if problems:
            for pk, reason in problems[:50]:
                self.stderr.write(f"审计记录 {pk}: {reason}")
            raise CommandError(f"审计链校验失败：共 {count} 条，{len(problems)} 条异常，首条编号 {problems[0][0]}")
        self.stdout.write(f"审计链完整：共 {count} 条")
