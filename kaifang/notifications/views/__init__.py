"""The inbox (消息提醒): a person's own notifications, in words, a page at a time, filtered and exported."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kaifang import labels
from kaifang.audit.services import record_export
from kaifang.core.listing import Filter, ListSpec, Sort
from kaifang.core.spreadsheets import Column, SheetSpec, write_workbook, xlsx_response
from kaifang.notifications.models import Notification
from kaifang.notifications.services import mark_read
from kaifang.orgs.forms import unit_filter


def _read_state(items: Any, value: str) -> Any:
    return items.filter(read_at__isnull=value == "unread")


def _kinds(user: Any) -> list[tuple[str, str]]:
    kinds = Notification.objects.for_user(user).values_list("kind", flat=True).distinct()
    return sorted((kind, labels.notice_label(kind)) for kind in kinds)


INBOX = ListSpec(
    filters=(
        Filter("read", _("状态"), lookup=_read_state, choices=[("unread", _("未读")), ("read", _("已读"))]),
        Filter("kind", _("类型"), lookup="kind", choices_for=_kinds),
        unit_filter(label=_("单位")),
    ),
    search=("title", "body"),
    search_label=_("标题或内容"),
    sorts=(
        Sort("new", _("时间（新→旧）"), ("-created_at", "-id")),
        Sort("old", _("时间（旧→新）"), ("created_at", "id")),
    ),
    page_size=30,
)


def _inbox(request: HttpRequest) -> tuple[Any, Any]:
    listing = INBOX.read(request.GET, user=request.user)
    return listing, listing.apply(Notification.objects.for_user(request.user).select_related("unit"))


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    listing, items = _inbox(request)
    page = listing.page(items)
    for item in page:
        item.kind_label = labels.notice_label(item.kind)  # type: ignore[attr-defined]
    unread = Notification.objects.for_user(request.user).unread().count()
    return render(request, "notifications/inbox.html", {"page": page, "listing": listing, "unread": unread})


@login_required
def export_inbox(request: HttpRequest) -> HttpResponse:
    """The filtered inbox as Excel (every page); the export is audited."""
    listing, items = _inbox(request)
    rows = [
        [n.created_at.strftime("%Y-%m-%d %H:%M"), labels.notice_label(n.kind), n.title, n.body, str(n.unit or "")]
        for n in items
    ]
    record_export(actor=request.user, what="notifications.inbox", rows=len(rows), filters=listing.described())
    columns = [Column("时间", 16), Column("类型", 16), Column("标题", 40), Column("内容", 40), Column("单位", 16)]
    return xlsx_response(write_workbook([SheetSpec("消息", columns, rows)]), "消息.xlsx")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    mark_read(user=request.user)
    return redirect("notifications:inbox")
