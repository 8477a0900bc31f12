"""The leaders' cockpit (驾驶舱): the province (or the user's city, or own unit) at a glance."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kaifang.assessment.links import default_period
from kaifang.dashboards import selectors
from kaifang.indicators.periods import parse_period, ytd_text
from kaifang.orgs.models import OrgUnit
from kaifang.orgs.scope import get_unit_for_user


def _period(request: HttpRequest) -> datetime.date:
    text = request.GET.get("period", "")
    if not text:
        return selectors.data_period()
    try:
        return parse_period(text)
    except ValidationError as exc:
        raise Http404("bad period") from exc


@login_required
def index(request: HttpRequest) -> HttpResponse:
    root = selectors.cockpit_root(request.user)
    if root is None:
        raise Http404("no scope")
    return _cockpit(request, root.code)


@login_required
def unit(request: HttpRequest, code: str) -> HttpResponse:
    return _cockpit(request, code)


def breadcrumb(user: Any, target: OrgUnit) -> list[OrgUnit]:
    """The way back up: the user's own cockpit unit down to the unit shown (only units the user may see)."""
    from kaifang.orgs.scope import can_see_unit

    return [u for u in target.ancestors() if can_see_unit(user, u)]


def _cockpit(request: HttpRequest, code: str) -> HttpResponse:
    target = get_unit_for_user(request.user, code)
    period = _period(request)
    context = {
        "unit": target,
        "breadcrumb": breadcrumb(request.user, target),
        "period": period,
        "period_label": ytd_text(period),
        "period_ym": f"{period:%Y-%m}",
        "cards": selectors.cards(target, period),
        "tasks": selectors.task_summary(request.user, target),
        "warnings": selectors.warning_rows(target, period),
        "scheme": selectors.scheme_for_children(target, period.year),
        "own_score": own_score(request, target, period),
        "has_map": bool(selectors.map_children(target, period)),
        "months": [f"{period.year}-{m:02d}" for m in range(1, default_period(period.year).month + 1)],
        "map_urls": map_urls(target),
        "messages_js": js_messages(),
    }
    return render(request, "dashboards/cockpit.html", context)


def js_messages() -> dict[str, str]:
    """The words the cockpit's script draws (the map legend, ranking and detail), in the page's language."""
    return {
        "high": _("高"),
        "low": _("低"),
        "missing": _("未报"),
        "partial": _("不完整"),
        "ranking": _("排名"),
        "trend": _("与上年对比"),
        "score_detail": _("得分明细"),
        "data": _("数据"),
        "unit_page": _("单位驾驶舱"),
        "failed": _("数据加载失败："),
        "legend_partial": _("斜纹：未报齐（n/m 已报，同比按可比口径）"),
        "legend_missing": _("灰色：未报"),
        "sep": _("："),  # a name and its value
        "open": _("（"),
        "close": _("）"),
    }


def own_score(request: HttpRequest, target: OrgUnit, period: datetime.date) -> dict[str, Any] | None:
    """The unit's own row in the scheme that ranks it (its parent's scheme), when there is one."""
    from kaifang.assessment.selectors import running_results, unit_result

    if target.parent is None:
        return None
    scheme = selectors.scheme_for_children(target.parent, period.year)
    if scheme is None:
        return None
    results = running_results(scheme, period)
    try:
        row = unit_result(request.user, results, target.code)
    except Http404:
        return None
    return {"scheme": scheme, "row": row, "group_size": len(results["units"]), "period": f"{period:%Y-%m}"}


def map_urls(target: OrgUnit) -> dict[str, str]:
    """Static URLs of the map outlines the page may need: the unit's own and its cities' (drill-down)."""
    from django.contrib.staticfiles import finders
    from django.templatetags.static import static

    codes = [target.code, *OrgUnit.objects.filter(parent=target).values_list("code", flat=True)]
    out = {}
    for code in codes:
        name = f"kaifang/maps/{code}.geojson"
        if finders.find(name):
            out[code] = static(name)
    return out


@login_required
def export(request: HttpRequest, code: str) -> HttpResponse:
    """The unit's cockpit panels as Excel (404 outside the user's scope); the export is audited."""
    from kaifang.audit.services import record_export
    from kaifang.core.spreadsheets import xlsx_response
    from kaifang.dashboards.exports import cockpit_workbook

    target = get_unit_for_user(request.user, code)
    period = _period(request)
    data, rows = cockpit_workbook(request.user, target, period)
    record_export(
        actor=request.user, what="dashboards.cockpit", rows=rows, filters={"unit": code, "period": f"{period:%Y-%m}"}
    )
    return xlsx_response(data, f"{target.name}驾驶舱{ytd_text(period)}.xlsx")


@login_required
def data(request: HttpRequest, code: str) -> JsonResponse:
    """Map, ranking and trend data of one unit's cockpit (404 outside the user's scope)."""
    target = get_unit_for_user(request.user, code)
    payload = selectors.map_data(request.user, target, _period(request), request.GET.get("metric", "score")[:32])
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})
