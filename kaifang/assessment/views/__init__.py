"""Assessment pages: schemes, running and published results, one unit's breakdown, manual entries
(the figure behind a point is indicators' page). Every row shown goes through the visibility rule."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaifang.accounts.permissions import can_write_for_unit, is_province_user, user_of
from kaifang.assessment import engine, selectors, services
from kaifang.assessment.documents import CONTENT_TYPES
from kaifang.assessment.forms import AdjustmentForm, BulletinForm, PublishForm
from kaifang.assessment.links import default_period, period_or_default, with_links
from kaifang.indicators.periods import parse_period, ytd_label, ytd_text
from kaifang.orgs.models import OrgUnit
from kaifang.orgs.scope import get_unit_for_user


def _period(text: str, year: int) -> Any:
    try:
        period = period_or_default(text, year)
    except ValidationError as exc:
        raise Http404("bad period") from exc
    if period.year != year:
        raise Http404("period outside the scheme's year")
    return period


@login_required
def index(request: HttpRequest) -> HttpResponse:
    schemes = selectors.visible_schemes(request.user)
    rows = [
        {"scheme": s, "period": default_period(s.year), "snapshots": selectors.snapshots_of(s.code)[:4]}
        for s in schemes
    ]
    return render(request, "assessment/index.html", {"rows": rows, "can_manage": is_province_user(request.user)})


@login_required
def scheme_detail(request: HttpRequest, code: str) -> HttpResponse:
    number = request.GET.get("v")
    scheme = selectors.get_scheme_for_user(request.user, code, int(number) if number and number.isdigit() else None)
    items = list(scheme.items.select_related("indicator"))
    context = {
        "scheme": scheme,
        "items": [{"item": i, "formula": i.formula, "missing": engine.missing_rule_text(i.to_engine())} for i in items],
        "rules": engine.rules_text(scheme.to_engine(), scheme.group.members.current().count()),
        "versions": selectors.scheme_versions(scheme.code),
        "snapshots": selectors.snapshots_of(scheme.code),
        "period": default_period(scheme.year),
        "total_weight": scheme.to_engine().total_weight,
        "can_revise": is_province_user(request.user) and scheme.status == "active",
        "can_simulate": is_province_user(request.user),
        "can_manage": is_province_user(request.user),
    }
    return render(request, "assessment/scheme.html", context)


@login_required
@require_POST
def revise(request: HttpRequest, code: str) -> HttpResponse:
    """A new version of a scheme in use with new weights (who and why recorded): put in use at once,
    or kept as a draft (action=draft) to be simulated against the version in use first."""
    user = user_of(request)
    scheme = selectors.get_scheme_for_user(user, code)
    items = []
    for item in scheme.items.select_related("indicator"):
        weight = request.POST.get(f"weight-{item.code}", str(item.weight)).strip()[:12]
        items.append(
            {
                "code": item.code,
                "name": item.name,
                "kind": item.kind,
                "weight": weight,
                "params": item.params,
                "indicator": item.indicator,
                "missing": item.missing,
            }
        )
    draft = request.POST.get("action") == "draft"
    try:
        new = services.revise_scheme(
            actor=user, scheme=scheme, reason=request.POST.get("reason", "")[:500], items=items, activate=not draft
        )
    except (ValidationError, engine.SchemeError) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        return redirect("assessment:scheme", scheme.code)
    if draft:
        messages.success(request, _("已保存为草稿第%(n)s版，可先模拟测算再启用") % {"n": new.number})
        return redirect(reverse("assessment:scheme", args=[scheme.code]) + f"?v={new.number}")
    messages.success(request, _("已生成并启用第%(n)s版") % {"n": new.number})
    return redirect("assessment:scheme", scheme.code)


@login_required
def results(request: HttpRequest, code: str, period: str) -> HttpResponse:
    scheme = selectors.get_scheme_for_user(request.user, code)
    day = _period(period, scheme.year)
    run = selectors.assess(scheme=scheme, period=day)
    context = {
        "scheme": scheme,
        "period": day,
        "period_label": ytd_text(day),
        "results": selectors.visible_results(request.user, run.results()),
        "items": list(scheme.items.all()),
        "live": True,
        "snapshots": selectors.snapshots_of(scheme.code, day),
        "can_publish": is_province_user(request.user),
        "form": PublishForm(),
        "months": [f"{scheme.year}-{m:02d}" for m in range(1, default_period(scheme.year).month + 1)],
    }
    return render(request, "assessment/results.html", context)


@login_required
def unit_score(request: HttpRequest, code: str, period: str, unit: str) -> HttpResponse:
    scheme = selectors.get_scheme_for_user(request.user, code)
    day = _period(period, scheme.year)
    run = selectors.assess(scheme=scheme, period=day)
    data = run.results()
    row = selectors.unit_result(request.user, data, unit)
    context = {
        "scheme": scheme,
        "period": day,
        "period_label": ytd_text(day),
        "row": with_links(row),
        "group_size": len(data["units"]),
        "rules": data["rules"],
        "live": True,
    }
    return render(request, "assessment/unit_score.html", context)


@login_required
def snapshot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    snapshot = selectors.get_snapshot_for_user(request.user, pk)
    visible = selectors.visible_results(request.user, snapshot.results)
    codes = {u["code"] for u in visible["units"]}
    context = {
        "scheme": snapshot.scheme,
        "snapshot": snapshot,
        "period": snapshot.period,
        "period_label": ytd_text(snapshot.period),
        "results": visible,
        "items": list(snapshot.scheme.items.all()),
        "diff": [d for d in snapshot.diff if d["code"] in codes],
        "live": False,
        "outdated": selectors.outdated_rules(snapshot),
        "can_publish": is_province_user(request.user),
    }
    return render(request, "assessment/results.html", context)


@login_required
def snapshot_unit(request: HttpRequest, pk: int, unit: str) -> HttpResponse:
    snapshot = selectors.get_snapshot_for_user(request.user, pk)
    row = selectors.unit_result(request.user, snapshot.results, unit)
    context = {
        "scheme": snapshot.scheme,
        "snapshot": snapshot,
        "period_label": ytd_text(snapshot.period),
        "row": with_links(row),
        "group_size": len(snapshot.results["units"]),
        "rules": snapshot.results["rules"],
        "live": False,
    }
    return render(request, "assessment/unit_score.html", context)


@login_required
@require_POST
def publish(request: HttpRequest, code: str, period: str) -> HttpResponse:
    user = user_of(request)
    scheme = selectors.get_scheme_for_user(user, code)
    day = _period(period, scheme.year)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("发布说明不能超过500字"))
        return redirect("assessment:results", scheme.code, f"{day:%Y-%m}")
    try:
        snapshot = services.publish_assessment(
            actor=user, scheme=scheme, period=day, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("assessment:results", scheme.code, f"{day:%Y-%m}")
    messages.success(request, f"已发布 {ytd_label(day)} 考核结果（第{snapshot.number}版）")
    return redirect("assessment:snapshot", snapshot.pk)


def _adjustment_form(user: Any, data: Any = None, files: Any = None) -> AdjustmentForm:
    form = AdjustmentForm(data, files)
    schemes = [s for s in selectors.visible_schemes(user) if s.status == "active"]
    choices = [
        (f"{s.code}/{i.code}", f"{s.name} · {i.name}")
        for s in schemes
        for i in s.items.all()
        if i.kind in (engine.MANUAL, engine.VETO)
    ]
    form.fields["item"].choices = choices  # type: ignore[attr-defined]
    units = OrgUnit.objects.visible_to(user).filter(groups__schemes__in=schemes).distinct().order_by("path")
    writable = [u.pk for u in units if can_write_for_unit(user, u)]
    chosen = OrgUnit.objects.filter(pk__in=writable)  # scope: visible units the user may write for
    form.fields["unit"].queryset = chosen.order_by("path")  # type: ignore[attr-defined]
    if schemes:
        form.fields["period"].initial = f"{default_period(schemes[0].year):%Y-%m}"
    return form


@login_required
def adjustments(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    form = _adjustment_form(user, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        scheme_code, _sep, item_code = data["item"].partition("/")
        try:
            services.propose_adjustment(
                actor=user,
                scheme_code=scheme_code,
                item_code=item_code,
                unit=get_unit_for_user(user, data["unit"].code),
                period=parse_period(data["period"]),
                points=data["points"],
                reason=data["reason"],
                evidence=data["evidence"],
                evidence_file=data.get("evidence_file"),
            )
        except ValidationError as exc:
            for field, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("已登记，等待省级审批"))
            return redirect("assessment:adjustments")
    listing = selectors.ADJUSTMENT_LIST.read(request.GET, user=user)
    context = {
        "listing": listing,
        "page": listing.page(selectors.visible_adjustments(user, listing)),
        "form": form,
        "can_decide": is_province_user(user),
        "can_propose": form.fields["unit"].queryset.exists(),  # type: ignore[attr-defined]
    }
    return render(request, "assessment/adjustments.html", context)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    entry = selectors.get_adjustment_for_user(user, pk)
    action = request.POST.get("action", "")
    version = request.POST.get("version", "")
    try:
        services.decide_adjustment(
            actor=user, adjustment=entry, action=action, expected_version=int(version) if version.isdigit() else None
        )
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已批准") if action == "approve" else _("已驳回"))
    return redirect("assessment:adjustments")


# --- Bulletins ------------------------------------------------------------------------------------


@login_required
def bulletins(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if not selectors.can_read_bulletins(user):
        raise Http404("bulletins")
    schemes = [s for s in selectors.visible_schemes(user) if s.status == "active"]
    form = BulletinForm(
        request.POST or None, initial={"period": f"{default_period(schemes[0].year):%Y-%m}" if schemes else ""}
    )
    if request.method == "POST" and form.is_valid() and schemes:
        scheme = next((s for s in schemes if s.code == request.POST.get("scheme")), schemes[0])
        try:
            bulletin = services.request_bulletin(
                actor=user,
                scheme=scheme,
                period=parse_period(form.cleaned_data["period"]),
                kind=form.cleaned_data["kind"],
                file_format=form.cleaned_data["format"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return redirect("assessment:bulletin", bulletin.pk)
    listing = selectors.BULLETIN_LIST.read(request.GET, user=user)
    context = {
        "listing": listing,
        "page": listing.page(selectors.bulletins_for_user(user, listing)),
        "form": form,
        "schemes": schemes,
        "can_request": is_province_user(user),
    }
    return render(request, "assessment/bulletins.html", context)


@login_required
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = selectors.get_bulletin_for_user(request.user, pk)
    return render(request, "assessment/bulletin.html", {"bulletin": bulletin})


@login_required
def bulletin_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    from django.http import FileResponse

    bulletin = selectors.get_bulletin_for_user(request.user, pk)
    if bulletin.status != "done" or not bulletin.file:
        raise Http404("bulletin")
    name = f"{bulletin.title or '通报'}.{bulletin.format}"
    return FileResponse(
        bulletin.file.open("rb"), as_attachment=True, filename=name, content_type=CONTENT_TYPES[bulletin.format]
    )
