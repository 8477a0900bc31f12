"""kaifang import_values FILE.xlsx --user USERNAME [--round N] [--commit]

Checks a filled round template exactly as the upload page does (same scope, lock, validation) and
prints every problem by sheet, row and column. Nothing is written without --commit; with it, the
file is applied all or nothing. Importing the same file twice changes nothing the second time.
"""

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from kaifang.accounts.models import User
from kaifang.core.context import change_context
from kaifang.core.spreadsheets import DEFAULT_MAX_BYTES, SpreadsheetError
from kaifang.reporting.excel import batch_changes, round_of_workbook
from kaifang.reporting.models import ImportStatus
from kaifang.reporting.selectors import get_round_for_user
from kaifang.reporting.services.imports import confirm_rows, run_apply, stale_rows, upload_workbook


class Command(BaseCommand):
    help = "导入填好的报送模板（.xlsx）。默认只检查不写入；加 --commit 才写入（全部成功或全部不写入）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="填好的 .xlsx 模板")
        parser.add_argument("--user", required=True, help="以该账号的权限导入（填报范围、审核状态与网页相同）")
        parser.add_argument("--round", type=int, help="报送批次编号（默认读取模板“说明”页）")
        parser.add_argument("--commit", action="store_true", help="确认写入")
        parser.add_argument(
            "--confirm-changed",
            action="store_true",
            help="下载模板后被他人修改过的数据，一律以文件为准覆盖（逐行列出；不加此项则不导入任何数据）",
        )

    def handle(self, *args: Any, file: str, user: str, round: int | None, commit: bool, **options: Any) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        if path.stat().st_size > DEFAULT_MAX_BYTES:
            raise CommandError("文件超过 10 MB。")
        data = path.read_bytes()
        person = User.objects.filter(username=user, is_active=True).select_related("unit").first()
        if person is None:
            raise CommandError(f"账号不存在或已停用：{user}")
        try:
            round_id = round or round_of_workbook(data, path.name)
        except SpreadsheetError as exc:
            raise CommandError("；".join(str(p) for p in exc.problems)) from exc
        if round_id is None:
            raise CommandError("模板中没有批次编号，请用 --round 指定。")
        try:
            round_ = get_round_for_user(person, round_id)
        except Http404 as exc:
            raise CommandError(f"报送批次 {round_id} 不存在或不在 {user} 的权限范围内。") from exc
        with change_context(channel="cli"):
            try:
                batch = upload_workbook(user=person, round_=round_, data=data, filename=path.name, run_now=True)
            except (ValidationError, PermissionDenied) as exc:
                raise CommandError(str(exc)) from exc
            for problem in batch.problems:
                self.stdout.write(("提醒 " if problem.get("warning") else "问题 ") + problem["text"])
            if batch.status != ImportStatus.CHECKED:
                raise CommandError(batch.summary)
            if not commit:
                self.stdout.write(f"{batch.summary}（未写入；确认后加 --commit）")
                return
            if options.get("confirm_changed") and (stale := stale_rows(batch)):
                self.stdout.write(f"以文件为准覆盖 {len(stale)} 行下载后被修改的数据：{'、'.join(stale[:50])}")
                try:
                    batch = confirm_rows(user=person, batch=batch, confirmed=stale)
                except (ValidationError, PermissionDenied) as exc:
                    raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from exc
            batch = run_apply(batch.pk)
        if batch.status != ImportStatus.APPLIED:
            for problem in batch.problems:
                self.stdout.write("问题 " + problem["text"])
            raise CommandError(batch.summary)
        self.stdout.write(
            f"已导入：{round_.name}，{len(batch.plan.get('units', {}))} 个单位，{batch_changes(batch)} 个数据。"
        )
