"""Reporting pages: my rounds, the entry form, the review queue, the round overview.

Excel template and upload pages live in `kaifang.reporting.views.excel`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaifang.accounts.permissions import can_write_for_unit, user_of
from kaifang.indicators.figures import StaleValues
from kaifang.reporting import selectors
from kaifang.reporting.forms import ActionForm, EntryForm
from kaifang.reporting.services import check_submission, save_submission_values, transition
from kaifang.reporting.workflow import ACTION_LABELS, REPORTER, REVIEWER, allowed_actions, parts_of


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    rounds = selectors.visible_rounds(user)
    mine = {s.round_id: s for s in selectors.my_submissions(user)}
    rows = [{"round": r, "mine": mine.get(r.pk), "counts": selectors.status_counts(r, user)} for r in rounds]
    return render(request, "reporting/index.html", {"rows": rows})


@login_required
def overview(request: HttpRequest, round_id: int) -> HttpResponse:
    user = user_of(request)
    round_ = selectors.get_round_for_user(user, round_id)
    totals = selectors.round_totals(user, round_)
    return render(
        request,
        "reporting/overview.html",
        {"round": round_, "overview": selectors.round_overview(user, round_), "totals": totals},
    )


@login_required
def entry(request: HttpRequest, round_id: int, unit_code: str) -> HttpResponse:
    """The entry form: save a draft, or save and submit; a conflict keeps what the user typed."""
    user = user_of(request)
    sub = selectors.get_unit_submission_for_user(user, round_id, unit_code)
    rows = selectors.entry_rows(sub)
    if request.method != "POST":
        form = EntryForm(rows)
        check = check_submission(sub, final=False)
        return _render_entry(request, sub, rows, form, check)
    form = EntryForm(rows, request.POST)
    if not form.is_valid():
        return _render_entry(request, sub, rows, form, None, status=400)
    submitting = form.cleaned_data.get("action") == "submit"
    check = check_submission(sub, typed=form.typed(), comments=form.comments(), final=submitting)
    valid = _valid_values(check)
    try:
        save_submission_values(actor=user, submission=sub, entries=form.entries(valid))
    except StaleValues as exc:
        return _render_conflict(request, sub, form, exc)
    except (ValidationError, PermissionDenied) as exc:
        return _render_entry(request, sub, rows, form, check, errors=_messages(exc), status=400)
    if len(valid) < len(check.values):
        fresh = selectors.entry_rows(sub)
        errors = [_("标红的数据格式有误，未保存；其余数据已保存为草稿。")]
        return _render_entry(request, sub, fresh, _rebound(fresh, form), check, errors=errors, status=400)
    if submitting:
        try:
            transition(actor=user, submission=sub, action="submit", key=form.cleaned_data["key"])
        except (ValidationError, PermissionDenied) as exc:
            fresh = selectors.entry_rows(sub)
            errors = [_("草稿已保存，但未能提交："), *_messages(exc)]
            return _render_entry(request, sub, fresh, _rebound(fresh, form), check, errors=errors, status=400)
        messages.success(
            request, _("%(unit)s的%(round)s已提交，等待审核。") % {"unit": sub.unit.name, "round": sub.round.name}
        )
    else:
        messages.success(request, _("草稿已保存。"))
    return redirect("reporting:entry", round_id=sub.round_id, unit_code=sub.unit.code)


def _valid_values(check: Any) -> dict[str, Any]:
    """Figures to save: every parsed one; a field with a type error is not saved (it stays typed)."""
    bad = {f.indicator for f in check.errors if f.rule in ("type", "decimals", "range")}
    return {code: value for code, value in check.values.items() if code not in bad}


def _rebound(rows: list[selectors.EntryRow], form: EntryForm) -> EntryForm:
    """The same typed values with the versions now stored (after a successful save)."""
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict
    for row in rows:
        if row.value is not None and not row.read_only:
            data[f"ver_{row.indicator.code}"] = str(row.value.version)
    new = EntryForm(rows, data)
    new.is_valid()
    return new


def _render_conflict(request: HttpRequest, sub: Any, form: EntryForm, exc: StaleValues) -> HttpResponse:
    """Keep what the user typed, show the stored values, and take the current versions so that
    saving again (after reading the conflict) is a deliberate overwrite."""
    rows = selectors.entry_rows(sub)
    new = _rebound(rows, form)
    conflicts = {c.indicator_code: c for c in exc.conflicts}
    check = check_submission(sub, typed=new.typed(), comments=new.comments(), final=False)
    return _render_entry(request, sub, rows, new, check, errors=exc.messages, conflicts=conflicts, status=409)


def _render_entry(
    request: HttpRequest,
    sub: Any,
    rows: list[selectors.EntryRow],
    form: EntryForm,
    check: Any,
    *,
    errors: list[str] | None = None,
    conflicts: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = user_of(request)
    parts = parts_of(user, sub.unit)
    editable = sub.is_editable and sub.round.status == "open" and can_write_for_unit(user, sub.unit)
    findings: dict[str, list[Any]] = {}
    if check is not None:
        for f in check.findings:
            findings.setdefault(f.indicator, []).append(f)
    lines = []
    for row in rows:
        code = row.indicator.code
        lines.append(
            {
                "row": row,
                "field": form[f"v_{code}"] if not row.read_only else None,
                "comment": form[f"c_{code}"] if not row.read_only else None,
                "version": form[f"ver_{code}"] if not row.read_only else None,
                "findings": findings.get(code, []),
                "has_error": any(f.severity == "error" for f in findings.get(code, [])),
                "has_warning": any(f.severity == "warning" and not f.explained for f in findings.get(code, [])),
                "conflict": (conflicts or {}).get(code),
            }
        )
    context = {
        "sub": sub,
        "round": sub.round,
        "form": form,
        "lines": lines,
        "editable": editable,
        "can_submit": editable and REPORTER in parts,
        "errors": errors or [],
        "review_actions": [a for a in allowed_actions(user, sub.unit, sub.status) if a not in ("submit", "withdraw")],
        "can_withdraw": "withdraw" in allowed_actions(user, sub.unit, sub.status),
        "is_reviewer": REVIEWER in parts,
        "labels": ACTION_LABELS,
        "events": list(sub.events.select_related("actor").order_by("-at")[:20]),
    }
    return render(request, "reporting/entry.html", context, status=status)


@login_required
@require_POST
def check(request: HttpRequest, round_id: int, unit_code: str) -> JsonResponse:
    """Run the server rules on the typed values without saving (the form calls this as you type)."""
    user = user_of(request)
    sub = selectors.get_unit_submission_for_user(user, round_id, unit_code)
    rows = selectors.entry_rows(sub)
    form = EntryForm(rows, {**request.POST.dict(), "key": "check"})
    if not form.is_valid():
        return JsonResponse({"findings": [], "errors": form.errors.get_json_data()}, status=400)
    result = check_submission(sub, typed=form.typed(), comments=form.comments(), final=False)
    return JsonResponse({"findings": [f.as_dict() for f in result.findings], "blocking": result.blocks_submission})


@login_required
@require_POST
def act(request: HttpRequest, round_id: int, unit_code: str) -> HttpResponse:
    """A workflow action from the queue or the form page: approve, return (with reason), unapprove, lock."""
    user = user_of(request)
    sub = selectors.get_unit_submission_for_user(user, round_id, unit_code)
    form = ActionForm(request.POST)
    back = request.POST.get("next") or reverse("reporting:queue", args=[sub.round_id])
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("reporting:queue", args=[sub.round_id])
    if not form.is_valid():
        messages.error(request, _("操作参数不完整。"))
        return redirect(back)
    data = form.cleaned_data
    try:
        outcome = transition(
            actor=user,
            submission=sub,
            action=data["action"],
            reason=data["reason"],
            key=data["key"],
            expected_version=data["version"],
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(back)
    label = ACTION_LABELS[data["action"]]
    if outcome.applied:
        messages.success(request, _("%(unit)s：已%(a)s。") % {"unit": sub.unit.name, "a": label})
    else:
        messages.info(request, _("%(unit)s：此前已%(a)s，未重复执行。") % {"unit": sub.unit.name, "a": label})
    return redirect(back)


def _messages(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    return [str(exc) or _("无权操作")]


@login_required
def new_round(request: HttpRequest) -> HttpResponse:
    """A province supervisor opens a round (the units that must report get a draft submission each)."""
    import datetime

    from django.utils import timezone

    from kaifang.accounts.permissions import is_supervisor
    from kaifang.indicators.models import Indicator, Source
    from kaifang.orgs.models import OrgUnit, UnitKind
    from kaifang.reporting.forms import RoundForm
    from kaifang.reporting.services import open_round

    user = user_of(request)
    if not is_supervisor(user):
        raise PermissionDenied(_("只有省级督查可以发起报送批次。"))
    indicators = list(Indicator.objects.active().filter(source__in=[Source.REPORTED, Source.LEDGER]))
    cities = list(OrgUnit.objects.visible_to(user).of_kind(UnitKind.CITY).current().order_by("code"))
    departments = list(OrgUnit.objects.visible_to(user).of_kind(UnitKind.DEPARTMENT).current().order_by("code"))
    initial = {"indicators": [i.code for i in indicators], "cities": [c.code for c in cities], "grace_days": 2}
    form = RoundForm(
        request.POST or None, initial=initial, indicators=indicators, cities=cities, departments=departments
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        period = data["period"]
        tz = timezone.get_current_timezone()
        visible = OrgUnit.objects.visible_to(user)
        counties = visible.of_kind(UnitKind.COUNTY).current(period).filter(parent__code__in=data["cities"])
        units = [*counties, *visible.filter(code__in=[*data["city_level"], *data["departments"]])]
        try:
            round_ = open_round(
                actor=user,
                period=period,
                name=data["name"],
                indicators=[i for i in indicators if i.code in data["indicators"]],
                units=units,
                opens_at=datetime.datetime.combine(data["opens_on"], datetime.time.min, tzinfo=tz),
                deadline=datetime.datetime.combine(data["deadline_on"], datetime.time(23, 59, 59), tzinfo=tz),
                grace_days=data["grace_days"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("已发起“%(name)s”，%(n)s 个单位需报送。") % {"name": round_.name, "n": len(units)}
            )
            return redirect("reporting:overview", round_id=round_.pk)
    return render(request, "reporting/new_round.html", {"form": form}, status=400 if form.errors else 200)
