"""Pages for a new version of a scheme before it is in use: the simulation (模拟测算) beside another
version, its Excel export, and putting the version in use. Province admins and supervisors only."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaifang.accounts.models import User
from kaifang.accounts.permissions import is_province_user, user_of
from kaifang.assessment import selectors, services
from kaifang.assessment.links import default_period, period_or_default, source_link
from kaifang.assessment.models import AssessmentScheme
from kaifang.assessment.simulation import Simulation, simulate, simulation_workbook
from kaifang.audit.services import record_export
from kaifang.indicators.periods import ytd_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _version_for_manager(request: HttpRequest, code: str, number: int) -> tuple[User, AssessmentScheme]:
    user = user_of(request)
    scheme = selectors.get_scheme_for_user(user, code, number)
    if not is_province_user(user):
        raise PermissionDenied("只有省级管理员或督查人员可以进行模拟测算")
    return user, scheme


def _period(request: HttpRequest, scheme: AssessmentScheme) -> datetime.date:
    """?period=YYYY-MM within the scheme's year; otherwise (with a message) the running period."""
    try:
        period = period_or_default(request.GET.get("period", "")[:10], scheme.year)
        if period.year != scheme.year:
            raise ValidationError("")
    except ValidationError:
        text = _("期间应为%(year)s年内的月份（如 %(year)s-06），已改为默认期间")
        messages.error(request, text % {"year": scheme.year})
        period = default_period(scheme.year)
    return period


def _run(request: HttpRequest, code: str, number: int) -> tuple[User, Simulation]:
    user, scheme = _version_for_manager(request, code, number)
    base_number = request.GET.get("base", "")
    base = selectors.get_scheme_for_user(user, code, int(base_number)) if base_number.isdigit() else None
    return user, simulate(actor=user, scheme=scheme, period=_period(request, scheme), base=base)


def _links(item: dict[str, Any] | None) -> list[dict[str, str]]:
    return [source_link(s) for s in (item or {}).get("sources") or []]


@login_required
def simulate_page(request: HttpRequest, code: str, number: int) -> HttpResponse:
    try:
        _user, simulation = _run(request, code, number)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(reverse("assessment:scheme", args=[code]) + f"?v={number}")
    candidate = simulation.candidate
    units = [
        {"cmp": u, "items": [{"cmp": i, "links": _links(i.candidate or i.base)} for i in u.items]}
        for u in simulation.units
    ]
    context = {
        "scheme": candidate,
        "sim": simulation,
        "units": units,
        "period_label": ytd_text(simulation.period),
        "months": [f"{candidate.year}-{m:02d}" for m in range(1, default_period(candidate.year).month + 1)],
        "others": [v for v in selectors.scheme_versions(candidate.code) if v.pk != candidate.pk],
        "can_activate": candidate.status == "draft",
    }
    return render(request, "assessment/simulate.html", context)


@login_required
def simulate_export(request: HttpRequest, code: str, number: int) -> HttpResponse:
    try:
        user, simulation = _run(request, code, number)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(reverse("assessment:scheme", args=[code]) + f"?v={number}")
    content = simulation_workbook(simulation, actor=user)
    record_export(
        actor=user,
        what="assessment.simulation",
        rows=len(simulation.units),
        filters={
            "scheme": code,
            "base": simulation.base.number,
            "candidate": simulation.candidate.number,
            "period": f"{simulation.period:%Y-%m}",
        },
    )
    versions = f"第{simulation.base.number}版对第{simulation.candidate.number}版"
    name = f"模拟测算_{code}_{versions}_{simulation.period:%Y-%m}.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
@require_POST
def activate(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """Put a draft version in use (the version in use before it is retired)."""
    user, scheme = _version_for_manager(request, code, number)
    version = request.POST.get("version", "")
    try:
        services.activate_scheme(
            actor=user, scheme=scheme, expected_version=int(version) if version.isdigit() else None
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(reverse("assessment:scheme", args=[code]) + f"?v={number}")
    messages.success(request, _("第%(n)s版已启用") % {"n": scheme.number})
    return redirect("assessment:scheme", code)
