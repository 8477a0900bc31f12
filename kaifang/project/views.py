"""The "my unit" home page: the signed-in user's unit and the units directly below it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kaifang.orgs.models import OrgUnit


@login_required
def home(request: HttpRequest) -> HttpResponse:
    unit = request.user.unit  # type: ignore[union-attr]
    children = OrgUnit.objects.visible_to(request.user).current().filter(parent=unit).order_by("sort_order", "code")
    return render(request, "core/home.html", {"unit": unit, "children": children})
