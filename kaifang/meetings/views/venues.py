"""Venue-side pages: a venue's room and contact, its receipt, check-in with the rotating code, the
organiser's 补签, the main venue's code screen (and the JSON it polls) and relay reports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kaifang.accounts.permissions import user_of
from kaifang.audit.services import record_export
from kaifang.core.spreadsheets import Column, SheetSpec, write_workbook, xlsx_response
from kaifang.meetings import checkin, clock, services
from kaifang.meetings.forms import CheckInForm, ManualCheckInForm, ReceiptForm, RelayReportForm, VenueForm
from kaifang.meetings.models import RelayForm
from kaifang.meetings.permissions import can_see_code
from kaifang.meetings.selectors import RELAY_LIST, get_meeting_for_user, get_venue_for_user, relay_rows
from kaifang.meetings.services import roll_call
from kaifang.meetings.views import flash


def _venue_form(
    request: HttpRequest,
    pk: int,
    unit: str,
    form_class: type[forms.Form],
    invalid: str,
    done: str,
    save: Callable[[Any, Any, Any, dict[str, Any]], Any],
) -> HttpResponse:
    """A venue's form posted from the meeting page: the meeting and venue through the guard, the
    form checked, `save(user, meeting, venue, cleaned_data)` called (a service), one message, back."""
    user = user_of(request)
    meeting = get_meeting_for_user(user, pk)
    venue = get_venue_for_user(user, meeting, unit)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, invalid)
        return redirect("meetings:detail", pk=pk)
    try:
        save(user, meeting, venue, form.cleaned_data)
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, done)
    return redirect("meetings:detail", pk=pk)


@login_required
@require_POST
def venue_details(request: HttpRequest, pk: int, unit: str) -> HttpResponse:
    def save(user: Any, _meeting: Any, venue: Any, d: dict[str, Any]) -> Any:
        return roll_call.update_venue(
            actor=user,
            venue=venue,
            room=d["room"],
            contact_name=d["contact_name"],
            contact_phone=d["contact_phone"],
            expected_version=d["version"],
        )

    return _venue_form(request, pk, unit, VenueForm, _("会场信息填写有误。"), _("会场信息已保存。"), save)


@login_required
@require_POST
def receipt(request: HttpRequest, pk: int, unit: str) -> HttpResponse:
    def save(user: Any, _meeting: Any, venue: Any, d: dict[str, Any]) -> Any:
        return roll_call.answer_receipt(
            actor=user,
            venue=venue,
            attending=d["attending"],
            leader_name=d["leader_name"],
            leader_title=d["leader_title"],
            head_count=d["head_count"] or 0,
            leave_reason=d["leave_reason"],
            expected_version=d["version"],
        )

    return _venue_form(request, pk, unit, ReceiptForm, _("回执填写不完整，请检查。"), _("回执已提交。"), save)


@login_required
@require_POST
def check_in(request: HttpRequest, pk: int, unit: str) -> HttpResponse:
    user = user_of(request)
    meeting = get_meeting_for_user(user, pk)
    venue = get_venue_for_user(user, meeting, unit)
    form = CheckInForm(request.POST)
    code = form.cleaned_data["code"] if form.is_valid() else ""
    try:
        venue, created = roll_call.check_in(actor=user, venue=venue, code=code)
    except ValidationError as exc:
        flash(request, exc)
    else:
        if not created:
            messages.info(request, _("本会场已签到，无需重复签到。"))
        elif venue.is_late:
            messages.warning(request, _("签到成功（迟到）。"))
        else:
            messages.success(request, _("签到成功。"))
    return redirect("meetings:detail", pk=pk)


@login_required
@require_POST
def manual_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    meeting = get_meeting_for_user(user, pk)
    form = ManualCheckInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("补签须说明原因。"))
        return redirect("meetings:detail", pk=pk)
    venue = get_venue_for_user(user, meeting, form.cleaned_data["unit"])
    try:
        roll_call.record_manual_check_in(actor=user, venue=venue, note=form.cleaned_data["note"])
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("%(u)s已补签。") % {"u": venue.unit.name})
    return redirect("meetings:detail", pk=pk)


@login_required
def code_screen(request: HttpRequest, pk: int) -> HttpResponse:
    """The main venue's screen: the rotating sign-in code, large, refreshed by meetings.js."""
    user = user_of(request)
    meeting = get_meeting_for_user(user, pk)
    if not can_see_code(user, meeting):
        raise PermissionDenied
    code, remaining = checkin.current_code(meeting.checkin_secret, clock.real_now())
    return render(request, "meetings/code.html", {"meeting": meeting, "code": code, "remaining": remaining})


@never_cache
@login_required
def code_json(request: HttpRequest, pk: int) -> JsonResponse:
    user = user_of(request)
    meeting = get_meeting_for_user(user, pk)
    if not can_see_code(user, meeting):
        raise PermissionDenied
    code, remaining = checkin.current_code(meeting.checkin_secret, clock.real_now())
    venues = meeting.venues.all()
    return JsonResponse(
        {
            "code": code if meeting.can_check_in() else "",
            "expires_in": remaining,
            "open": meeting.can_check_in(),
            "expected": venues.count(),
            "checked_in": venues.filter(checked_in_at__isnull=False).count(),
        }
    )


@login_required
@require_POST
def relay(request: HttpRequest, pk: int, unit: str) -> HttpResponse:
    def save(user: Any, meeting: Any, venue: Any, d: dict[str, Any]) -> Any:
        return services.report_relay(
            actor=user,
            meeting=meeting,
            unit=venue.unit,
            relayed_on=d["relayed_on"],
            form=d["form"],
            attendees=d["attendees"],
            text=d["text"],
            expected_version=d["version"],
        )

    invalid = _("传达落实情况填写不完整，请检查日期、形式和内容。")
    return _venue_form(request, pk, unit, RelayReportForm, invalid, _("传达落实情况已报送。"), save)


@login_required
def relay_list(request: HttpRequest, pk: int) -> HttpResponse:
    """传达落实: every venue in sight, reported or not (未报送 as a filter), a page at a time."""
    user = user_of(request)
    meeting = get_meeting_for_user(user, pk)
    listing = RELAY_LIST.read(request.GET, user=user)
    page = listing.page(relay_rows(user, meeting, listing))
    everyone = relay_rows(user, meeting)
    counts = {"all": everyone.count(), "relayed": everyone.filter(relayed=True).count()}
    context = {"meeting": meeting, "listing": listing, "page": page, "counts": counts, "forms": dict(RelayForm.choices)}
    return render(request, "meetings/relay_list.html", context)


@login_required
def export_relay(request: HttpRequest, pk: int) -> HttpResponse:
    """The filtered relay list as Excel (every page); the export is audited."""
    user = user_of(request)
    meeting = get_meeting_for_user(user, pk)
    listing = RELAY_LIST.read(request.GET, user=user)
    forms_ = dict(RelayForm.choices)
    rows = [
        [
            v.unit.name,
            _("已报送") if v.relayed else _("未报送"),
            v.relayed_on,
            str(forms_.get(v.relay_form, "")) if v.relay_form else "",
            v.relay_attendees,
            v.relay_text or "",
        ]
        for v in relay_rows(user, meeting, listing)
    ]
    record_export(
        actor=user, what="meetings.relay", rows=len(rows), filters={"meeting": meeting.pk, **listing.described()}
    )
    columns = [
        Column("单位", 16), Column("报送情况", 10), Column("传达日期", 12), Column("传达形式", 14),
        Column("参加人数", 10, number=True, decimals=0), Column("落实情况", 60),
    ]  # fmt: skip
    return xlsx_response(write_workbook([SheetSpec("传达落实", columns, rows)]), f"传达落实-{meeting.pk}.xlsx")
