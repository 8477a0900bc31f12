"""Pages: the values explorer (指标数据), its Excel export, the catalogue, targets and value history."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kaifang.accounts.permissions import is_admin, user_of
from kaifang.core import clock
from kaifang.core.context import change_context
from kaifang.indicators import expressions, maths, selectors
from kaifang.indicators.aggregation import SUMMABLE_KINDS
from kaifang.indicators.demo import demo_loaded
from kaifang.indicators.exports import explorer_workbook
from kaifang.indicators.forms import IndicatorForm
from kaifang.indicators.models import DataValue, Indicator
from kaifang.indicators.periods import parse_period, range_text, ytd_text
from kaifang.indicators.services.catalogue import save_indicator
from kaifang.indicators.services.targets import can_set_target, set_targets
from kaifang.orgs.forms import unit_choice_field
from kaifang.orgs.models import OrgUnit
from kaifang.orgs.scope import can_see_unit, get_unit_for_user, scope_root
from kaifang.orgs.selectors import visible_units


def latest_period(user: Any, indicator: Indicator | None) -> datetime.date:
    qs = DataValue.objects.visible_to(user)
    if indicator is not None and indicator.source == "formula":
        # A formula has no rows of its own: the latest month of what it reads (never a full-table scan).
        try:
            codes = expressions.references(expressions.parse(indicator.formula))
        except expressions.ExpressionError:
            codes = set()
        qs = qs.filter(indicator__code__in=sorted(codes)[:5])
    elif indicator is not None:
        qs = qs.filter(indicator=indicator)
    else:
        first = Indicator.objects.active().reported().order_by("sort_order", "code").first()
        qs = qs.filter(indicator=first)
    latest = qs.order_by("-period").values_list("period", flat=True).first()
    today = clock.today()
    return latest or today.replace(day=1)


def _explorer_params(request: HttpRequest) -> dict[str, Any]:
    """Indicator, unit and period range from the query string, defaulting to what the user has."""
    user = user_of(request)
    catalogue = selectors.indicators()
    errors: list[str] = []
    code = request.GET.get("indicator", "")[:32]
    indicator = next((i for i in catalogue if i.code == code), catalogue[0] if catalogue else None)
    root = scope_root(user)
    unit_code = request.GET.get("unit", "")[:32] or (root.code if root else "")
    unit = get_unit_for_user(user, unit_code) if unit_code else None
    end = latest_period(user, indicator)
    try:
        period_to = parse_period(request.GET["to"]) if request.GET.get("to") else end
        period_from = parse_period(request.GET["from"]) if request.GET.get("from") else period_to.replace(month=1)
    except ValidationError as exc:
        errors.extend(exc.messages)
        period_to, period_from = end, end.replace(month=1)
    if period_from > period_to:
        errors.append(_("起始月份不能晚于截止月份，已按截止月份当年 1 月起显示。"))
        period_from = period_to.replace(month=1)
    return {
        "catalogue": catalogue,
        "indicator": indicator,
        "unit": unit,
        "period_from": period_from,
        "period_to": period_to,
        "errors": errors,
    }


@login_required
def explorer(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    params = _explorer_params(request)
    indicator, unit = params["indicator"], params["unit"]
    top: selectors.Figure | None = None
    rows: list[selectors.Figure] = []
    if indicator is not None and unit is not None:
        top, rows = selectors.children_figures(
            user=user,
            indicator=indicator,
            unit=unit,
            period_from=params["period_from"],
            period_to=params["period_to"],
        )
    quiet: list[selectors.Figure] = []
    if not request.GET.get("all"):
        rows, quiet = _split_quiet(rows)
    monthly: list[Any] = []
    if top is not None and not rows and indicator is not None and unit is not None:
        monthly = selectors.series(
            user=user, indicator=indicator, unit=unit, period_from=params["period_from"], period_to=params["period_to"]
        )
    chart: dict[str, Any] | None = None
    phased_completion: Any = None
    if top is not None and indicator is not None and unit is not None:
        chart = selectors.trend(user=user, indicator=indicator, unit=unit, period_to=params["period_to"])
        chart["children"] = [
            {
                "name": f.unit.name,
                "completion": _percent_number(f.completion),
                "light": f.light,
                "status": f.status,
                "coverage": f.coverage_text,
            }
            for f in rows
            if f.has_value or f.unit.kind in SUMMABLE_KINDS  # a division without a figure is shown as 未报
        ]
        chart["time_progress"] = _percent_number(top.time_progress)
        phased_completion = maths.completion(
            top.ytd_value if isinstance(top.ytd_value, Decimal) else None, chart["phased_to_date"]
        )
    ancestors = []
    if unit is not None:
        ancestors = [a for a in unit.ancestors() if can_see_unit(user, a)]
    units = unit_choice_field(visible_units(user).exclude(kind="platform")).widget.render(
        "unit", unit.code if unit is not None else None, attrs={"id": "explorer-unit", "aria-label": _("单位")}
    )
    has_children = set(
        OrgUnit.objects.filter(parent__in=[r.unit for r in rows]).values_list("parent_id", flat=True).distinct()
    )
    return render(
        request,
        "indicators/explorer.html",
        {
            **params,
            "top": top,
            "rows": rows,
            "monthly": monthly,
            "chart": chart,
            "quiet_count": len(quiet),
            "phased_completion": phased_completion,
            "ancestors": ancestors,
            "units": units,
            "has_children": has_children,
            "partial_lines": _partial_lines(rows),
            "range_label": range_text(params["period_from"], params["period_to"]),
            "ytd_label": ytd_text(params["period_to"]),
            "is_demo": demo_loaded(),
            "query": request.GET.urlencode(),
        },
    )


def _partial_lines(rows: list[selectors.Figure]) -> list[str]:
    """Which children a partial figure lacks, named: 未报 (no figure) and 未报齐 (itself partial)."""
    sep = _("、")
    missing = [f.unit.name for f in rows if f.status == "missing" and f.unit.kind in SUMMABLE_KINDS]
    partial = [f"{f.unit.name}（{f.coverage_text}）" for f in rows if f.partial]
    lines = [_("未报：%(names)s。") % {"names": sep.join(missing)}] if missing else []
    if partial:
        lines.append(_("未报齐：%(names)s。") % {"names": sep.join(partial)})
    return lines


def _split_quiet(rows: list[selectors.Figure]) -> tuple[list[selectors.Figure], list[selectors.Figure]]:
    """Departments and platforms with neither a figure nor a target for this indicator add only
    rows of 未报 / 无目标 to a province's table: they are listed on request (`?all=1`)."""
    shown: list[selectors.Figure] = []
    quiet: list[selectors.Figure] = []
    for f in rows:
        empty = f.target is None and not isinstance(f.ytd_value, Decimal) and not isinstance(f.month_value, Decimal)
        (quiet if empty and f.unit.kind not in SUMMABLE_KINDS else shown).append(f)
    return shown, quiet


def _percent_number(value: Any) -> float | None:
    """A ratio as a percentage for drawing (None when not comparable)."""
    return round(float(value) * 100, 1) if isinstance(value, Decimal) else None


@login_required
def export(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    params = _explorer_params(request)
    if params["indicator"] is None or params["unit"] is None:
        return redirect("indicators:index")
    with change_context(channel="web"):
        content, _rows = explorer_workbook(
            user=user,
            indicator=params["indicator"],
            unit=params["unit"],
            period_from=params["period_from"],
            period_to=params["period_to"],
        )
    name = (
        f"{params['indicator'].code}_{params['unit'].code}_{params['period_from']:%Y%m}-{params['period_to']:%Y%m}.xlsx"
    )
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    items = selectors.indicators(active_only=not is_admin(user))
    groups: dict[str, list[Indicator]] = {}
    for item in items:
        groups.setdefault(item.category or _("其他"), []).append(item)
    return render(request, "indicators/catalogue.html", {"groups": groups, "can_edit": is_admin(user)})


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    user = user_of(request)
    indicator = selectors.get_indicator(code)
    root = scope_root(user)
    series: list[Any] = []
    if root is not None:
        end = latest_period(user, indicator)
        start = end.replace(year=end.year - 1, month=1)
        series = selectors.series(user=user, indicator=indicator, unit=root, period_from=start, period_to=end)
    return render(
        request,
        "indicators/detail.html",
        {"indicator": indicator, "can_edit": is_admin(user), "series": series, "root": root},
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    user = user_of(request)
    if not is_admin(user):
        raise PermissionDenied(_("只有省级管理员可以维护指标目录。"))
    indicator = selectors.get_indicator(code) if code else None
    form = IndicatorForm(request.POST or None, instance_obj=indicator)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        typed_code = data.pop("code", "")
        new_code = typed_code if indicator is None else indicator.code
        version = data.pop("version")
        try:
            with change_context(channel="web"):
                saved = save_indicator(actor=user, code=new_code, expected_version=version, **data)
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("指标“%(name)s”已保存。") % {"name": saved.name})
            return redirect("indicators:detail", code=saved.code)
    return render(request, "indicators/edit.html", {"form": form, "indicator": indicator})


def _attach(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_http_methods(["GET", "POST"])
def targets(request: HttpRequest) -> HttpResponse:
    """One indicator's targets for a year: the unit's own and its counties' (hand-down)."""
    user = user_of(request)
    catalogue = [i for i in selectors.indicators() if i.source != "formula"]
    code = (request.POST.get("indicator") or request.GET.get("indicator") or "")[:32]
    indicator = next((i for i in catalogue if i.code == code), catalogue[0] if catalogue else None)
    try:
        year = int(
            (request.POST.get("year") or request.GET.get("year") or "").strip() or latest_period(user, None).year
        )
    except ValueError:
        year = clock.today().year
    year = min(max(year, 2000), 2100)
    root = scope_root(user)
    unit_code = (request.POST.get("unit") or request.GET.get("unit") or (root.code if root else ""))[:32]
    unit = get_unit_for_user(user, unit_code) if unit_code else None
    errors: list[str] = []
    typed: dict[str, str] = {}
    if request.method == "POST" and indicator is not None and unit is not None:
        current_view = selectors.hand_down(user=user, indicator=indicator, unit=unit, year=year)
        candidates = [(unit, current_view.target), *current_view.children]
        changes = []
        for target_unit, target in candidates:
            raw = request.POST.get(f"t-{target_unit.code}")
            if raw is None:
                continue
            typed[target_unit.code] = raw
            raw = raw.strip().replace(",", "")
            current = target.annual if target is not None else None
            if (raw == "" and current is None) or (current is not None and raw and _same(raw, current)):
                continue
            if not can_set_target(user, target_unit):
                errors.append(_("您无权为%(unit)s下达目标。") % {"unit": target_unit.name})
                continue
            version_raw = request.POST.get(f"v-{target_unit.code}", "")
            expected = int(version_raw) if version_raw.isdigit() else None
            changes.append((target_unit, raw, expected))
        if not errors and changes:
            try:
                with change_context(channel="web"):
                    set_targets(actor=user, indicator=indicator, year=year, changes=changes)
            except (ValidationError, PermissionDenied) as exc:
                errors.extend(getattr(exc, "messages", None) or [str(exc)])
            else:
                messages.success(request, _("已保存 %(n)d 个目标。") % {"n": len(changes)})
                url = reverse("indicators:targets")
                return redirect(f"{url}?indicator={indicator.code}&unit={unit.code}&year={year}")
        elif not errors:
            messages.info(request, _("没有需要保存的修改。"))
    view: selectors.HandDown | None = (
        selectors.hand_down(user=user, indicator=indicator, unit=unit, year=year)
        if indicator is not None and unit is not None
        else None
    )
    editable = {}
    if view is not None:
        editable = {u.code: can_set_target(user, u) for u in [view.unit, *(c for c, _t in view.children)]}
    return render(
        request,
        "indicators/targets.html",
        {
            "catalogue": catalogue,
            "indicator": indicator,
            "year": year,
            "unit": unit,
            "view": view,
            "editable": editable,
            "any_editable": any(editable.values()),
            "errors": errors,
            "typed": typed,
            "units": unit_choice_field(visible_units(user).filter(kind__in=["province", "city"])).widget.render(
                "unit", unit.code if unit is not None else None, attrs={"id": "target-unit", "aria-label": _("单位")}
            ),
            "is_demo": demo_loaded(),
        },
    )


def _same(raw: str, current: Decimal) -> bool:
    try:
        return Decimal(raw) == current
    except ArithmeticError:
        return False


@login_required
def history(request: HttpRequest, pk: int) -> HttpResponse:
    """One value's changes: who, when, old → new, through which channel."""
    user = user_of(request)
    value = DataValue.objects.visible_to(user).select_related("indicator", "unit").filter(pk=pk).first()
    if value is None:
        from django.http import Http404

        raise Http404
    rows = selectors.history_of(user=user, value_id=pk)
    template = "indicators/history_rows.html" if request.GET.get("partial") else "indicators/history.html"
    return render(request, template, {"value": value, "rows": rows})
