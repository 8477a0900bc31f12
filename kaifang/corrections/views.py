"""Correction pages: the list, a new request, one request with its figures, history, the results it
affects and the buttons its viewer may use, the evidence download."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaifang.accounts.permissions import user_of
from kaifang.core.versions import change_page, error_status
from kaifang.corrections import selectors, services, workflow
from kaifang.corrections.forms import ChooseForm, CorrectionForm, FilterForm, StepForm
from kaifang.corrections.models import CorrectionRequest
from kaifang.indicators.periods import parse_period
from kaifang.orgs.scope import get_unit_for_user

PAGE_SIZE = 50


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    form = FilterForm(request.GET or None)
    state = form.cleaned_data["state"] if form.is_valid() else ""
    page = Paginator(selectors.visible_corrections(user, state=state), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "form": form, "can_request": bool(selectors.requestable_units(user))}
    return render(request, "corrections/index.html", context)


@login_required
def create(request: HttpRequest) -> HttpResponse:
    """Choose the unit and month (GET), then type the new values beside the stored ones (POST)."""
    user = user_of(request)
    units = [(u.code, u.name) for u in selectors.requestable_units(user)]
    if not units:
        raise PermissionDenied
    choose = ChooseForm(request.GET or None, units=units)
    if not choose.is_valid():
        return render(request, "corrections/new.html", {"choose": choose})
    unit = get_unit_for_user(user, choose.cleaned_data["unit"])
    period = parse_period(choose.cleaned_data["period"])
    rows = selectors.stored_rows(user, unit, period)
    form = CorrectionForm(rows, request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                correction = services.create_correction(
                    actor=user,
                    unit=unit,
                    period=period,
                    figures=form.changes(),
                    reason=form.cleaned_data["reason"],
                    evidence_file=form.cleaned_data.get("evidence_file"),
                    submit=form.submit,
                )
            except ValidationError as exc:
                status = error_status(exc)
                form = _with_errors(form, exc, rows=selectors.stored_rows(user, unit, period), request=request)
            else:
                messages.success(request, _("已提出数据更正申请 %(ref)s。") % {"ref": correction.reference})
                return redirect("corrections:detail", correction.pk)
        else:
            status = 400
    context = {"choose": choose, "form": form, "unit": unit, "period": period}
    return render(request, "corrections/new.html", context, status=status)


def _with_errors(form: CorrectionForm, exc: ValidationError, *, rows: Any, request: HttpRequest) -> CorrectionForm:
    """The form again with what the user typed, the stored values as they are now (a stale figure
    shows its new value and version) and each message beside its field."""
    data = request.POST.copy()
    for row in rows:
        data[f"ver_{row.indicator.code}"] = str(row.version)
    fresh = CorrectionForm(rows, data, request.FILES or None)
    fresh.is_valid()
    messages_by_key = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for key, errors in messages_by_key.items():
        fresh.add_error(fresh.field_for(key), errors)
    return fresh


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.get_correction_for_user(request.user, pk))


def _detail(request: HttpRequest, correction: CorrectionRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    user = user_of(request)
    correction = selectors.get_correction_for_user(user, correction.pk)  # fresh, after any change
    context = {
        "correction": correction,
        "figures": selectors.figure_rows(user, correction),
        "steps": selectors.steps_of(correction),
        "actions": workflow.allowed_actions(user, correction),
        "affected": selectors.affected_results(user, correction),
        "can_republish": selectors.can_republish(user),
        "republish_reason": selectors.republish_reason(correction),
        "error": error,
        "typed_reason": request.POST.get("reason", "") if request.method == "POST" else "",
    }
    return render(request, "corrections/detail.html", context, status=status)


@login_required
@require_POST
def step(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    correction = selectors.get_correction_for_user(user, pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        return _detail(request, correction, status=400, error=_("请求不完整，未作任何修改。"))
    data = form.cleaned_data
    return change_page(
        request,
        lambda: services.transition_correction(
            actor=user,
            correction=correction,
            action=data["action"],
            expected_version=data["version"],
            reason=data["reason"],
        ),
        done=_("已%(a)s。") % {"a": workflow.action_label(data["action"])},
        then=reverse("corrections:detail", args=[correction.pk]),
        refused=lambda status, error: _detail(request, correction, status=status, error=error),
    )


@login_required
def evidence(request: HttpRequest, pk: int) -> FileResponse:
    correction = selectors.get_correction_for_user(request.user, pk)
    if not correction.evidence_file:
        raise Http404("no evidence")
    name = (correction.evidence_file.name or "").rsplit("/", 1)[-1]
    return FileResponse(correction.evidence_file.open("rb"), as_attachment=True, filename=name)
