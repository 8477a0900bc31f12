"""The approval queue page: figures, warnings and explanations per unit; tick-box 批量审核 / 批量退回
(one reason for all, or one each) and 催报, all through `kaifang.reporting.services.batches`."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaifang.accounts.permissions import user_of
from kaifang.reporting import selectors
from kaifang.reporting.models import SubmissionStatus
from kaifang.reporting.selectors.queue import queue_rows
from kaifang.reporting.services.batches import BatchItem, BatchOutcome, batch_transition, urge

FILTERS = {"": "", "submitted": SubmissionStatus.SUBMITTED, "draft": SubmissionStatus.DRAFT}


@login_required
def queue(request: HttpRequest, round_id: int) -> HttpResponse:
    return _render(request, round_id)


def _render(
    request: HttpRequest,
    round_id: int,
    *,
    outcome: BatchOutcome | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = user_of(request)
    round_ = selectors.get_round_for_user(user, round_id)
    shown = request.GET.get("status", "")
    rows = queue_rows(user, round_, status=FILTERS.get(shown, ""))
    posted = request.POST if request.method == "POST" else None
    ticked = set(posted.getlist("unit")) if posted else set()
    results = {r.unit: r for r in outcome.results} if outcome else {}
    lines = [
        {
            "row": row,
            "ticked": row.sub.unit.code in ticked,
            "reason": posted.get(f"reason_{row.sub.unit.code}", "") if posted else "",
            "result": results.get(row.sub.unit.code),
        }
        for row in rows
    ]
    context = {
        "round": round_,
        "lines": lines,
        "shown": shown if shown in FILTERS else "",
        "waiting": sum(1 for r in rows if r.sub.status == SubmissionStatus.SUBMITTED),
        "not_in": sum(1 for r in rows if r.can_urge),
        "key": uuid.uuid4().hex,
        "common_reason": posted.get("reason", "") if posted else "",
        "note": posted.get("note", "") if posted else "",
        "outcome": outcome,
        "error": error,
    }
    return render(request, "reporting/queue.html", context, status=status)


def _items(request: HttpRequest) -> list[BatchItem]:
    items = []
    for code in request.POST.getlist("unit")[:600]:
        code = code[:32]
        version = request.POST.get(f"ver_{code}", "")
        items.append(
            BatchItem(
                unit=code,
                expected_version=int(version) if version.isdigit() and len(version) < 10 else None,
                reason=request.POST.get(f"reason_{code}", "")[:1000],
            )
        )
    return items


@login_required
@require_POST
def batch(request: HttpRequest, round_id: int) -> HttpResponse:
    """批量审核 / 批量退回 / 催报 of the ticked units; all or nothing, each unit's result shown."""
    user = user_of(request)
    round_ = selectors.get_round_for_user(user, round_id)
    action = request.POST.get("action", "")
    items = _items(request)
    try:
        if action == "urge":
            outcome = urge(actor=user, round_=round_, units=[i.unit for i in items], note=request.POST.get("note", ""))
        else:
            outcome = batch_transition(
                actor=user,
                round_=round_,
                action=action,
                items=items,
                reason=request.POST.get("reason", "")[:1000],
                key=request.POST.get("key", "")[:40],
            )
    except ValidationError as exc:
        return _render(request, round_id, error="；".join(exc.messages), status=400)
    if not outcome.applied:
        refused = len(outcome.refused)
        text = _("%(n)s 个单位未通过，整批未执行：请按各单位下方的说明处理后重试。") % {"n": refused}
        return _render(request, round_id, outcome=outcome, error=text, status=400)
    messages.success(request, _summary(outcome))
    back = reverse("reporting:queue", args=[round_.pk])
    shown = request.GET.get("status", "")
    return redirect(f"{back}?status={shown}" if shown in FILTERS and shown else back)


def _summary(outcome: BatchOutcome) -> str:
    done = [r.unit_name for r in outcome.results if r.applied]
    repeat = len(outcome.results) - len(done)
    label: dict[str, Any] = {"approve": _("审核通过"), "return": _("退回"), "urge": _("催报")}
    text = _("已%(a)s %(n)s 个单位：%(units)s。") % {
        "a": label[outcome.action],
        "n": len(done),
        "units": "、".join(done) or "—",
    }
    if repeat:
        text += _("另有 %(n)s 个单位此前已处理，未重复执行。") % {"n": repeat}
    return text
