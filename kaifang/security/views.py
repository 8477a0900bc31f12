"""The audit trail page: the audit administrator (all events) and province supervisors (business
events) filter who did what, when, to what; the audit administrator exports it as CSV."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kaifang import labels
from kaifang.accounts.permissions import can_read_all_audit, can_read_security_audit
from kaifang.audit.models import AuditEvent
from kaifang.audit.services import record_export
from kaifang.core import clock
from kaifang.core.spreadsheets import safe_cell
from kaifang.security.selectors import audit_list, filtered_events

EXPORT_LIMIT = 100_000
EXPORT_COLUMNS = [
    ("at", "时间"), ("actor_username", "账号"), ("actor_role", "角色"), ("actor_unit_code", "所属单位"),
    ("action", "操作"), ("object_type", "对象类型"), ("object_id", "对象编号"), ("object_repr", "对象"),
    ("channel", "渠道"), ("ip", "IP"), ("request_id", "请求编号"), ("before", "修改前"), ("after", "修改后"),
    ("hash", "哈希"),
]  # fmt: skip


AUDIT_LIST = audit_list(labels.action_choices)


def in_words(event: AuditEvent) -> AuditEvent:
    """The event with its codes in words for the page (`kaifang.labels`)."""
    event.action_label = labels.action_label(event.action)  # type: ignore[attr-defined]
    event.role_label = labels.role_label(event.actor_role)  # type: ignore[attr-defined]
    event.channel_label = labels.channel_label(event.channel)  # type: ignore[attr-defined]
    event.changes = labels.changes(event.action, event.before, event.after)  # type: ignore[attr-defined]
    return event


@require_GET
@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    if not can_read_all_audit(request.user):
        raise PermissionDenied
    listing = AUDIT_LIST.read(request.GET, user=request.user)
    page = listing.page(filtered_events(request.user, listing))
    for event in page:
        in_words(event)
    context = {"listing": listing, "page": page, "can_export": can_read_security_audit(request.user)}
    return render(request, "audit/list.html", context)


@require_GET
@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    """The filtered trail as CSV (UTF-8 with BOM for Excel); the export itself is audited."""
    if not can_read_security_audit(request.user):
        raise PermissionDenied
    listing = AUDIT_LIST.read(request.GET, user=request.user)
    events = list(filtered_events(request.user, listing)[:EXPORT_LIMIT])
    record_export(
        actor=request.user, what="audit.events", rows=len(events), filters=listing.described(), file_format="csv"
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"audit-{clock.today():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([label for _, label in EXPORT_COLUMNS] + ["操作说明", "修改内容"])
    for event in events:
        words = in_words(event)
        changed = "；".join(f"{c.field}：{c.before or ''} → {c.after or ''}" for c in words.changes)  # type: ignore[attr-defined]
        writer.writerow(
            [
                safe_cell(str(getattr(event, field) if getattr(event, field) is not None else ""))
                for field, _ in EXPORT_COLUMNS
            ]
            + [safe_cell(words.action_label), safe_cell(changed)]  # type: ignore[attr-defined]
        )
    return response
