"""kaifang bulletin --period YYYY-MM --format pdf|docx|xlsx [-o FILE]: write a bulletin (通报)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaifang.assessment.bulletins import bulletin_content
from kaifang.assessment.documents import RENDERERS
from kaifang.assessment.management.commands.assess import scheme_and_period
from kaifang.assessment.models import AssessmentScheme


class Command(BaseCommand):
    help = "生成考核通报（PDF、Word 或 Excel）：依据该期已发布结果，未发布时依据实时得分。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="期间 YYYY-MM")
        parser.add_argument("--format", choices=sorted(RENDERERS), default="pdf")
        parser.add_argument("--scheme", default="", help="方案代码（默认：该年度第一个使用中的方案）")
        parser.add_argument("--kind", choices=["monthly", "quarterly"], default="monthly")
        parser.add_argument("-o", "--output", default="", help="输出文件（默认：通报-YYYY-MM.<格式>）")

    def handle(self, *args: Any, period: str, format: str, scheme: str, kind: str, output: str, **options: Any) -> None:
        if not scheme:
            first = AssessmentScheme.objects.current().filter(year=int(period[:4] or 0)).order_by("code").first()
            if first is None:
                raise CommandError(f"{period[:4]}年没有使用中的考核方案，请用 --scheme 指定")
            scheme = first.code
        found, day = scheme_and_period(scheme, period)
        content = bulletin_content(found, day, kind)
        data = RENDERERS[format](content)
        path = Path(output or f"通报-{day:%Y-%m}.{format}")
        path.write_bytes(data)
        basis = f"已发布第{content.snapshot_number}版" if content.published else "实时得分"
        self.stdout.write(f"已生成《{content.title}》（{basis}，{len(content.rows)} 个单位）：{path}")
