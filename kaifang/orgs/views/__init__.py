"""Org tree pages: the tree a user may see, and one unit's page (404 outside scope)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kaifang.orgs.scope import get_unit_for_user
from kaifang.orgs.selectors import groups_of, lineage_rows, tree_rows, visible_units
from kaifang.refdata.selectors import names as reference_names


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    rows = tree_rows(request.user)
    query = request.GET.get("q", "").strip()[:50]
    if query:
        rows = [row for row in rows if query in row["unit"].name or query in row["unit"].code]
    return render(request, "orgs/tree.html", {"rows": rows, "query": query})


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_unit_for_user(request.user, code)
    children = visible_units(request.user, parent=unit.code)
    ancestors = [a for a in unit.ancestors() if visible_units(request.user).filter(pk=a.pk).exists()]
    return render(
        request,
        "orgs/unit_detail.html",
        {
            "unit": unit,
            "children": children,
            "ancestors": ancestors,
            "groups": groups_of(unit),
            "lineage": lineage_rows(request.user, unit),
            "platform_kind": reference_names("platform_kind").get(unit.platform_type, unit.platform_type),
        },
    )
