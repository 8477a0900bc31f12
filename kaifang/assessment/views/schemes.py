"""Schemes as files: export (JSON, YAML), import with a dry run that shows the generated rule texts,
copying a scheme into a new year as a draft, and putting a draft in use."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaifang.accounts.permissions import is_province_user, user_of
from kaifang.assessment import selectors, services
from kaifang.assessment.services import schemes
from kaifang.audit.services import record_export
from kaifang.core import uploads
from kaifang.core.context import change_context

CONTENT_TYPES = {"json": "application/json", "yaml": "application/yaml"}


def _manager(request: HttpRequest) -> Any:
    user = user_of(request)
    if not is_province_user(user):
        raise PermissionDenied(_("只有省级管理员或督查人员可以管理考核方案。"))
    return user


@login_required
def export_scheme(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise Http404("unknown format")
    user = user_of(request)
    number = request.GET.get("v", "")
    scheme = selectors.get_scheme_for_user(user, code, int(number) if number.isdigit() else None)
    record_export(actor=user, what="assessment.scheme", rows=scheme.items.count(), file_format=fmt)
    response = HttpResponse(schemes.scheme_file(scheme, fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{scheme.code}-v{scheme.number}.{fmt}"'
    return response


@login_required
def import_scheme(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    activate = request.POST.get("activate") == "1"

    def run(data: bytes, name: str, commit: bool) -> Any:
        with change_context(channel="import"):
            return schemes.import_scheme(actor=user, data=data, filename=name, commit=commit, activate=activate)

    result, token = uploads.check_or_apply(request, kind="scheme", run=run)
    if isinstance(result, schemes.SchemeImportResult) and result.scheme is not None:
        messages.success(request, result.summary())
        return redirect("assessment:scheme", result.scheme.code)
    status = 400 if result is not None and not result.ok else 200
    return render(request, "assessment/scheme_import.html", {"result": result, "token": token}, status=status)


@login_required
@require_POST
def copy_scheme(request: HttpRequest, code: str) -> HttpResponse:
    user = _manager(request)
    scheme = selectors.get_scheme_for_user(user, code)
    year = request.POST.get("year", "")
    try:
        copy = schemes.copy_scheme_to_year(
            actor=user,
            scheme=scheme,
            year=int(year) if year.isdigit() else 0,
            code=request.POST.get("code", "")[:32],
            name=request.POST.get("name", "")[:120],
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("assessment:scheme", scheme.code)
    messages.success(request, _("已复制为 %(c)s（草稿），检查后启用。") % {"c": copy.code})
    return redirect("assessment:scheme", copy.code)


@login_required
@require_POST
def activate(request: HttpRequest, code: str) -> HttpResponse:
    user = _manager(request)
    number = request.POST.get("number", "")
    scheme = selectors.get_scheme_for_user(user, code, int(number) if number.isdigit() else None)
    try:
        services.activate_scheme(actor=user, scheme=scheme, expected_version=scheme.version)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已启用第%(n)s版。") % {"n": scheme.number})
    return redirect("assessment:scheme", scheme.code)
