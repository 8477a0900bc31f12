"""The audit trail page: the audit administrator (all events) and province supervisors (business
events) filter who did what, when, to what; the audit administrator exports it as CSV."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kaifang.accounts.permissions import can_read_all_audit, can_read_security_audit
from kaifang.audit.forms import AuditFilterForm
from kaifang.audit.selectors import filtered_events
from kaifang.audit.services import record_export
from kaifang.core import clock
from kaifang.core.spreadsheets import safe_cell

EXPORT_LIMIT = 100_000
EXPORT_COLUMNS = [
    ("at", "时间"), ("actor_username", "账号"), ("actor_role", "角色"), ("actor_unit_code", "所属单位"),
    ("action", "操作"), ("object_type", "对象类型"), ("object_id", "对象编号"), ("object_repr", "对象"),
    ("channel", "渠道"), ("ip", "IP"), ("request_id", "请求编号"), ("before", "修改前"), ("after", "修改后"),
    ("hash", "哈希"),
]  # fmt: skip


def _filters(request: HttpRequest) -> tuple[AuditFilterForm, dict[str, object]]:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, {k: v for k, v in filters.items() if v}


@require_GET
@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    if not can_read_all_audit(request.user):
        raise PermissionDenied
    form, filters = _filters(request)
    events = filtered_events(request.user, **filters)  # type: ignore[arg-type]
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_export": can_read_security_audit(request.user),
    }
    return render(request, "audit/list.html", context)


@require_GET
@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    """The filtered trail as CSV (UTF-8 with BOM for Excel); the export itself is audited."""
    if not can_read_security_audit(request.user):
        raise PermissionDenied
    _, filters = _filters(request)
    events = list(filtered_events(request.user, **filters)[:EXPORT_LIMIT])  # type: ignore[arg-type]
    record_export(
        actor=request.user,
        what="audit.events",
        rows=len(events),
        filters={k: str(v) for k, v in filters.items()},
        file_format="csv",
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"audit-{clock.today():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([label for _, label in EXPORT_COLUMNS])
    for event in events:
        writer.writerow(
            [
                safe_cell(str(getattr(event, field) if getattr(event, field) is not None else ""))
                for field, _ in EXPORT_COLUMNS
            ]
        )
    return response
