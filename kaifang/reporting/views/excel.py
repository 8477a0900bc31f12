"""Excel pages of a round: download the template, upload a file, its preview (with a progress bar
while it is checked) and the apply."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kaifang.accounts.permissions import user_of
from kaifang.orgs.scope import get_unit_for_user
from kaifang.reporting import selectors
from kaifang.reporting.excel import build_template
from kaifang.reporting.forms import UploadForm
from kaifang.reporting.models import ImportStatus
from kaifang.reporting.services.imports import get_batch_for_user, request_apply, upload_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LISTED = 2000  # changes listed on the page (every stale row always is)


@login_required
def template(request: HttpRequest, round_id: int) -> HttpResponse:
    """`?unit=<code>`: one unit, or a city with all its reporting counties (default: the user's unit)."""
    user = user_of(request)
    round_ = selectors.get_round_for_user(user, round_id)
    code = request.GET.get("unit") or (user.unit.code if user.unit else "")
    scope = get_unit_for_user(user, code[:32])
    data = build_template(user, round_, scope)
    response = HttpResponse(data, content_type=XLSX)
    name = f"{round_.period:%Y-%m}_{scope.name}_填报模板.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def upload(request: HttpRequest, round_id: int) -> HttpResponse:
    user = user_of(request)
    round_ = selectors.get_round_for_user(user, round_id)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = upload_workbook(user=user, round_=round_, data=upload.read(), filename=upload.name)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error("file", exc.messages if isinstance(exc, ValidationError) else str(exc))
        else:
            return redirect("reporting:batch", batch_id=batch.pk)
    return render(request, "reporting/upload.html", {"round": round_, "form": form}, status=400 if form.errors else 200)


@login_required
def batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    item = get_batch_for_user(user_of(request), batch_id)
    problems = [p for p in item.problems if not p.get("warning")]
    changes = item.plan.get("changes", []) if item.status != ImportStatus.FAILED else []
    stale = [c for c in changes if c["stale"]]
    shown = stale + [c for c in changes if not c["stale"]][: max(0, LISTED - len(stale))]
    warnings = [p for p in item.problems if p.get("warning")]
    running = item.status in (ImportStatus.PENDING, ImportStatus.CHECKING, ImportStatus.APPLYING)
    return render(
        request,
        "reporting/batch.html",
        {
            "batch": item,
            "problems": problems,
            "warnings": warnings,
            "running": running,
            "changes": sorted(shown, key=lambda c: c["row"]),
            "stale": stale,
            "unlisted": len(changes) - len(shown),
            "versioned": item.plan.get("versioned", False),
            "confirmed": set(request.GET.getlist("confirm")),
        },
    )


@login_required
def progress(request: HttpRequest, batch_id: int) -> JsonResponse:
    item = get_batch_for_user(user_of(request), batch_id)
    return JsonResponse({"status": item.status, "progress": item.progress, "summary": item.summary})


@login_required
@require_POST
def apply(request: HttpRequest, batch_id: int) -> HttpResponse:
    user = user_of(request)
    item = get_batch_for_user(user, batch_id)
    try:
        item = request_apply(user=user, batch=item, confirmed=request.POST.getlist("confirm")[:100_000])
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    else:
        if item.status == ImportStatus.APPLIED:
            messages.success(request, item.summary or "已导入。")
    return redirect("reporting:batch", batch_id=item.pk)
