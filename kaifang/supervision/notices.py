"""The formal supervision notice (督办通知单) as a printable A4 PDF (WeasyPrint, Noto CJK fonts)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from kaifang.supervision.lights import fmt_day
from kaifang.supervision.models import SupervisionAction


def render_notice_pdf(action: SupervisionAction) -> bytes:
    from weasyprint import HTML

    task = action.task
    html = render_to_string(
        "supervision/notice_pdf.html",
        {
            "action": action,
            "task": task,
            "issuer": settings.KAIFANG_ISSUER_NAME,
            "deadline": fmt_day(task.deadline),
            "reply_by": fmt_day(action.reply_by) if action.reply_by else "",
            "date": fmt_day(action.on),
        },
    )
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]
