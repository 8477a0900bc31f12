"""kaifang parse_speech FILE [--json]: a speech (txt or docx) → speakers and numbered points."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaifang.core.context import change_context
from kaifang.meetings.services.resolutions import parse_speech_text
from kaifang.meetings.speech import MAX_FILE_BYTES, SpeechFileError, read_speech_file


class Command(BaseCommand):
    help = "解析讲话稿或会议报道（txt、docx），列出讲话人和分条工作要求。只输出草稿，不生成任何督办事项。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="讲话稿文件（.txt 或 .docx）；“-”表示从标准输入读取")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        with change_context(channel="cli"):
            result = parse_speech_text(self._read(options["file"]))
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        self.stdout.write(outline(result))

    def _read(self, name: str) -> str:
        try:
            if name == "-":
                data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
            else:
                path = Path(name)
                if not path.is_file():
                    raise CommandError(f"找不到文件：{name}")
                with path.open("rb") as handle:
                    data = handle.read(MAX_FILE_BYTES + 1)
            return read_speech_file(data, filename=name if name != "-" else "stdin.txt")
        except SpeechFileError as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc


def outline(result: dict[str, Any]) -> str:
    """A readable Chinese outline of a parse result, ending with a one-line summary."""
    lines = []
    if result.get("title"):
        lines.append(f"标题：{result['title']}")
    if result.get("date"):
        lines.append(f"日期：{result['date']}")
    total = 0
    for segment in result.get("segments", []):
        lines.append(f"\n【{segment['speaker'] or '（未识别讲话人）'}】")
        for item in segment["items"]:
            total += 1
            lines.append(f"  {item['ordinal']}. {item['title']}（{item['marker']}）")
            if item["places"]:
                lines.append("     涉及：" + "、".join(p["name"] for p in item["places"]))
            if item["suggested_units"]:
                lines.append("     建议牵头：" + "、".join(u["name"] for u in item["suggested_units"][:3]))
    speakers = len(result.get("segments", []))
    lines.append(f"\n共识别 {speakers} 段讲话、{total} 条工作要求（草稿，须人工确认后才能立项）。")
    return "\n".join(lines)
