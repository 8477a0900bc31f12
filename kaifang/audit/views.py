"""The audit trail page: supervisors and auditors filter who did what, when, to what."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kaifang.accounts.permissions import can_read_all_audit
from kaifang.audit.forms import AuditFilterForm
from kaifang.audit.selectors import filtered_events


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    if not can_read_all_audit(request.user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = filtered_events(request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/list.html", {"form": form, "page": page, "query": query.urlencode()})
