"""The formal supervision notice (督办通知单) as a printable A4 PDF (WeasyPrint), in the official-document
layout of GB/T 9704-2012 (`kaifang.core.official_layout`): A4 with its margins, the red 版头 with the
发文字号 (the notice's 督办〔2018〕1号) and the red rule, 小标宋 title, 仿宋 body, — 1 — page numbers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from kaifang.core import official_layout as layout
from kaifang.supervision.lights import fmt_day
from kaifang.supervision.models import SupervisionAction

LEAD = "根据工作安排，现将下列事项列为督办事项，请高度重视，压实工作责任，按要求抓好落实，并按时反馈办理情况。"
FOOTNOTE = "本通知单由开放工作督考合一平台生成，办理情况请在平台“督查督办”中报送。"


def notice_fields(action: SupervisionAction) -> dict[str, Any]:
    """What the notice says, once for every format (PDF here, OFD in `kaifang.core.ofd`)."""
    task = action.task
    rows: list[tuple[str, str]] = [("事项编号", task.code), ("督办事项", task.title)]
    if task.source_title:
        rows.append(("事项来源", task.source_title))
    rows.append(("牵头单位", task.lead_unit.name))
    co = "、".join(u.name for u in task.co_units.all())
    if co:
        rows.append(("配合单位", co))
    rows.append(("办理时限", fmt_day(task.deadline)))
    rows.append(("督办要求", action.message))
    if action.reply_by:
        rows.append(("反馈时限", f"请于{fmt_day(action.reply_by)}前书面反馈办理情况"))
    return {
        "issuer": settings.KAIFANG_ISSUER_NAME,
        "number": action.number,
        "title": "督办通知单",
        "to": task.lead_unit.name,
        "lead": LEAD,
        "rows": rows,
        "date": fmt_day(action.on),
        "footnote": FOOTNOTE,
    }


def render_notice_pdf(action: SupervisionAction) -> bytes:
    from weasyprint import HTML

    fields = notice_fields(action)
    html = render_to_string(
        "supervision/notice_pdf.html",
        {
            "n": fields,
            "page_css": layout.page_css(),
            "line_pitch": layout.LINE_PITCH_PT,
            "fonts": {"title": layout.TITLE.css, "body": layout.BODY.css, "h1": layout.HEADING_1.css},
            "mark_size": layout.mark_size(fields["issuer"]),
        },
    )
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]


def render_notice_ofd(action: SupervisionAction) -> bytes:
    """The same notice as OFD (GB/T 33190) with real text, by the configured writer (`kaifang.core.ofd`)."""
    from kaifang.core.ofd import DocInfo, write_ofd

    fields = notice_fields(action)
    info = DocInfo(f"{fields['title']} {fields['number']}", fields["issuer"], f"{action.on:%Y-%m-%d}")
    return write_ofd(render_notice_pdf(action), info)
