"""`kaifang rotate_personal_keys`: re-encrypt personal fields (phones, ID numbers) under the first
key of KAIFANG_SM4_KEYS, in batches; safe to interrupt and run again. `--check` only counts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaifang.core.personal import current_key_id
from kaifang.security.rotation import remaining, rotate


class Command(BaseCommand):
    help = "用当前 SM4 密钥重新加密个人信息字段（分批提交，可中断后重跑）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=500, help="每批行数（每批一个事务）")
        parser.add_argument("--check", action="store_true", help="只统计尚待加密的行数")

    def handle(self, *args: Any, **options: Any) -> None:
        kid = current_key_id()
        if kid is None:
            raise CommandError("未设置 KAIFANG_SM4_KEYS（格式 新密钥编号:32位十六进制,旧密钥编号:…），无法加密。")
        if options["check"]:
            for name, count in remaining().items():
                self.stdout.write(f"{name}\t待处理 {count} 行")
            return
        report = rotate(batch=max(1, options["batch"]), progress=lambda name, n: self.stdout.write(f"{name}: {n}"))
        for item in report:
            self.stdout.write(f"{item.label}.{item.field}\t已用密钥 {kid} 加密 {item.done} 行")
        left = {k: v for k, v in remaining().items() if v}
        if left:
            raise CommandError(f"仍有未处理的行：{left}")
        self.stdout.write(f"完成：全部个人信息字段已使用密钥 {kid}。")
