"""Catalogue and targets as files: export, templates, and imports with a dry run before the apply."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kaifang.accounts.permissions import is_admin, is_read_only, user_of
from kaifang.audit.services import record_export
from kaifang.core import clock, uploads
from kaifang.core.context import change_context
from kaifang.indicators.models import Indicator
from kaifang.indicators.services import catalogue_files, target_files
from kaifang.orgs.scope import get_unit_for_user, scope_root

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def catalogue_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The catalogue (province-wide, readable by everyone) as .xlsx or .json."""
    user = user_of(request)
    count = Indicator.objects.count()  # scope: the catalogue is global
    record_export(actor=user, what="indicators.catalogue", rows=count, file_format=fmt)
    if fmt == "json":
        return _attachment(catalogue_files.catalogue_json(), "application/json", "catalogue.json")
    return _attachment(catalogue_files.catalogue_workbook(), XLSX, "catalogue.xlsx")


@login_required
def catalogue_import(request: HttpRequest) -> HttpResponse:
    """Upload a catalogue (.xlsx or .json) or adopt the starter catalogue: check, then confirm."""
    user = user_of(request)
    if not is_admin(user):
        raise PermissionDenied(_("只有省级管理员可以维护指标目录。"))

    def run(data: bytes, name: str, commit: bool) -> Any:
        with change_context(channel="import"):
            return catalogue_files.import_catalogue(actor=user, data=data, filename=name, commit=commit)

    if request.method == "POST" and request.POST.get("starter"):
        data = catalogue_files.STARTER.read_bytes()
        result: Any = run(data, catalogue_files.STARTER.name, False)
        token = uploads.stage(request, kind="catalogue", data=data, filename=catalogue_files.STARTER.name)
    else:
        result, token = uploads.check_or_apply(request, kind="catalogue", run=run)
    if result is not None and result.committed:
        messages.success(request, result.summary())
        return redirect("indicators:catalogue")
    context = {"result": result, "token": token, "empty": not Indicator.objects.exists()}  # scope: global catalogue
    return render(request, "indicators/catalogue_import.html", context, status=400 if result and not result.ok else 200)


def _target_parent(request: HttpRequest, user: Any) -> Any:
    root = scope_root(user)
    code = (request.POST.get("unit") or request.GET.get("unit") or (root.code if root else ""))[:32]
    return get_unit_for_user(user, code)


def _year(request: HttpRequest) -> int:
    text = (request.POST.get("year") or request.GET.get("year") or "").strip()
    return min(max(int(text), 2000), 2100) if text.isdigit() else clock.today().year


@login_required
def target_template(request: HttpRequest) -> HttpResponse:
    """The targets workbook of one unit's hand-down (its own row and its children's)."""
    user = user_of(request)
    parent, year = _target_parent(request, user), _year(request)
    content = target_files.target_template(user=user, parent=parent, year=year)
    record_export(actor=user, what="indicators.targets", rows=0, unit=parent, filters={"year": year})
    return _attachment(content, XLSX, f"targets-{parent.code}-{year}.xlsx")


@login_required
def target_import(request: HttpRequest) -> HttpResponse:
    """Upload targets: the dry run lists problems and the hand-down gaps; confirm applies the file."""
    user = user_of(request)
    if is_read_only(user):
        raise PermissionDenied(_("只读账号不能下达目标。"))
    parent, year = _target_parent(request, user), _year(request)

    def run(data: bytes, name: str, commit: bool) -> Any:
        with change_context(channel="import"):
            return target_files.import_targets(actor=user, data=data, filename=name, commit=commit)

    result, token = uploads.check_or_apply(request, kind="targets", run=run)
    if result is not None and result.committed:
        messages.success(request, result.summary())
        return redirect(reverse("indicators:targets") + f"?unit={parent.code}&year={year}")
    context = {
        "result": result,
        "token": token,
        "parent": parent,
        "year": year,
        "extra_fields": [("unit", parent.code), ("year", year)],
        "years": range(clock.today().year - 1, clock.today().year + 2),
    }
    return render(request, "indicators/target_import.html", context, status=400 if result and not result.ok else 200)
