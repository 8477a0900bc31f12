"""Division-change pages for province system administrators: the list, and one change with the
dry run of what it touches and the review and apply buttons (both through the one service)."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaifang.orgs.models import ChangeState, DivisionChange
from kaifang.orgs.services import changes

PREVIEW_LINES = 200


def _admin_only(request: HttpRequest) -> None:
    if getattr(request.user, "role", None) != "province_admin" or not getattr(request.user, "has_scope", False):
        raise Http404("not found")


@login_required
def change_list(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    return render(request, "orgs/changes.html", {"changes": DivisionChange.objects.all()[:200]})


@login_required
def change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    change = DivisionChange.objects.filter(pk=pk).first()
    if change is None:
        raise Http404("not found")
    touched = changes.dry_run(change) if change.state in (ChangeState.PROPOSED, ChangeState.REVIEWED) else []
    counts = Counter(item.kind for item in touched)
    return render(
        request,
        "orgs/change_detail.html",
        {
            "change": change,
            "counts": sorted(counts.items()),
            "lines": [item.line() for item in touched[:PREVIEW_LINES]],
            "more": max(0, len(touched) - PREVIEW_LINES),
            "moved": change.moved[:PREVIEW_LINES],
        },
    )


@login_required
@require_POST
def change_action(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    action = request.POST.get("action", "")
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        if action in ("approve", "reject"):
            changes.review(actor=request.user, change_id=pk, approve=action == "approve", version=version)
            messages.success(request, _("已审核。") if action == "approve" else _("已退回。"))
        elif action == "apply":
            _change, moved = changes.apply(actor=request.user, change_id=pk, version=version)
            messages.success(request, _("已实施，随调整移交 %(n)d 项。") % {"n": len(moved)})
        else:
            messages.error(request, _("未知的操作。"))
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("您无权执行该操作。"))
    return redirect("orgs:change", pk=pk)
