"""Meeting pages: list, create, edit, detail (venues, statistics, documents, resolutions, relay),
and the transitions. Venue-side pages: `views/venues.py`; speech pages: `views/speech.py`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaifang.accounts.permissions import user_of
from kaifang.meetings import clock, services
from kaifang.meetings.forms import (
    CheckInForm,
    DocumentForm,
    MeetingForm,
    ReceiptForm,
    RelayReportForm,
    ResolutionForm,
    ResolutionTaskForm,
    VenueForm,
)
from kaifang.meetings.models import Meeting
from kaifang.meetings.permissions import can_create_meetings, can_organise, can_parse_speeches, can_see_code
from kaifang.meetings.selectors import (
    attendance_for,
    get_meeting_for_user,
    my_venue,
    relay_status,
    tasks_from_meeting,
    venues_for_user,
    visible_meetings,
)
from kaifang.meetings.services import resolutions
from kaifang.meetings.speech import SpeechFileError, read_speech_file
from kaifang.orgs.models import OrgUnit


def apply_errors(form: Form, exc: ValidationError) -> None:
    """Show a service's ValidationError beside the matching fields (or on top of the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def flash(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    meetings = visible_meetings(user)
    from kaifang.meetings.cadence import series_gaps

    context = {
        "meetings": meetings,
        "can_create": can_create_meetings(user),
        "can_parse": can_parse_speeches(user),
        "series_gaps": series_gaps(user, clock.today()) if can_parse_speeches(user) else [],
    }
    return render(request, "meetings/index.html", context)


@login_required
def create(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if not can_create_meetings(user) or user.unit is None:
        raise PermissionDenied
    units = OrgUnit.objects.visible_to(user).current(clock.today()).exclude(pk=user.unit.pk).order_by("path")
    form = MeetingForm(request.POST or None, units=units, initial={"starts_at": clock.now()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version")
        venue_units = set(data.pop("venue_units"))
        venue_units.update(units.filter(kind__in=data.pop("venue_sets")))
        try:
            meeting = services.create_meeting(
                actor=user, main_unit=user.unit, venue_units=sorted(venue_units, key=lambda u: u.path), **data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("会议已创建（草稿），共 %(n)d 个分会场。") % {"n": meeting.venues.count()})
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/create.html", {"form": form})


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the details and the sub-venues (before the meeting starts); a stale version is refused."""
    user = user_of(request)
    meeting = get_meeting_for_user(user, pk)
    if not can_organise(user, meeting):
        raise PermissionDenied
    units = OrgUnit.objects.visible_to(user).current(clock.today()).exclude(pk=meeting.main_unit_id).order_by("path")
    current = list(meeting.venues.values_list("unit_id", flat=True))
    initial = {name: getattr(meeting, name) for name in services.MEETING_FIELDS}
    form = MeetingForm(
        request.POST or None, units=units, initial={**initial, "venue_units": current, "version": meeting.version}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        wanted = set(data.pop("venue_units")) | set(units.filter(kind__in=data.pop("venue_sets")))
        try:
            changed = {u.pk for u in wanted} != set(current)
            meeting = services.update_meeting(
                actor=user,
                meeting=meeting,
                expected_version=version,
                venue_units=wanted if changed else None,
                **data,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("会议信息已保存。"))
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/create.html", {"form": form, "meeting": meeting})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    meeting = get_meeting_for_user(user, pk)
    venue = my_venue(user, meeting)
    organiser = can_organise(user, meeting)
    total, by_city = attendance_for(user, meeting)
    reports, missing = relay_status(user, meeting)
    meeting_tasks = list(tasks_from_meeting(user, meeting))
    context: dict[str, Any] = {
        "meeting": meeting,
        "organiser": organiser,
        "can_see_code": can_see_code(user, meeting),
        "venues": venues_for_user(user, meeting),
        "my_venue": venue,
        "total": total,
        "by_city": by_city,
        "documents": meeting.documents.all(),
        "resolutions": _resolution_rows(meeting, organiser, meeting_tasks),
        "tasks": meeting_tasks,
        "reports": reports,
        "missing": missing,
        "relay_expected": len(reports) + len(missing),
        "actions": [
            (action, services.ACTION_LABELS[action])
            for (state, action) in services.TRANSITIONS
            if state == meeting.status and organiser
        ],
    }
    if venue is not None:
        context["receipt_form"] = ReceiptForm(
            initial={
                "attending": "0" if venue.receipt_status == "leave" else "1",
                "leader_name": venue.leader_name,
                "leader_title": venue.leader_title,
                "head_count": venue.head_count or None,
                "leave_reason": venue.leave_reason,
                "version": venue.version,
            }
        )
        context["checkin_form"] = CheckInForm()
        context["venue_form"] = VenueForm(
            initial={
                "room": venue.room,
                "contact_name": venue.contact_name,
                "contact_phone": venue.contact_phone,
                "version": venue.version,
            }
        )
        report = meeting.relay_reports.filter(unit=venue.unit).first()
        context["relay_form"] = RelayReportForm(
            initial={"relayed_on": clock.today(), "version": report.version if report else None}
            if report is None
            else {
                "relayed_on": report.relayed_on,
                "form": report.form,
                "attendees": report.attendees,
                "text": report.text,
                "version": report.version,
            }
        )
    if organiser:
        context["resolution_form"] = ResolutionForm(units=resolutions.assignable_units())
    return render(request, "meetings/detail.html", context)


@login_required
@require_POST
def transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = user_of(request)
    meeting = get_meeting_for_user(user, pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        services.transition_meeting(actor=user, meeting=meeting, action=action[:20], expected_version=version)
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("已%(a)s。") % {"a": services.ACTION_LABELS.get(action, action)})
    return redirect("meetings:detail", pk=pk)


@login_required
def add_document(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    meeting = get_meeting_for_user(user, pk)
    if not can_organise(user, meeting):
        raise PermissionDenied
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            text = data["text"]
            if upload is not None:
                text = read_speech_file(upload.read(), filename=upload.name)
                upload.seek(0)
            services.add_document(
                actor=user, meeting=meeting, title=data["title"], speaker=data["speaker"], text=text, file=upload
            )
        except SpeechFileError as exc:
            form.add_error("file", str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("会议文件已保存。"))
            return redirect("meetings:detail", pk=pk)
    return render(request, "meetings/document_form.html", {"meeting": meeting, "form": form})


@login_required
def document(request: HttpRequest, pk: int, doc: int) -> HttpResponse:
    user = user_of(request)
    meeting = get_meeting_for_user(user, pk)
    item = meeting.documents.filter(pk=doc).first()
    if item is None:
        raise Http404
    return render(
        request,
        "meetings/document.html",
        {"meeting": meeting, "document": item, "can_parse": can_parse_speeches(user)},
    )


@login_required
@require_POST
def add_resolution(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    meeting = get_meeting_for_user(user, pk)
    form = ResolutionForm(request.POST, units=resolutions.assignable_units())
    if not form.is_valid():
        messages.error(request, _("会议确定事项填写不完整。"))
        return redirect("meetings:detail", pk=pk)
    try:
        resolutions.add_resolution(actor=user, meeting=meeting, **form.cleaned_data)
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("已登记会议确定事项。"))
    return redirect("meetings:detail", pk=pk)


@login_required
@require_POST
def resolution_to_task(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    user = user_of(request)
    meeting = get_meeting_for_user(user, pk)
    resolution = meeting.resolutions.filter(pk=rid).select_related("lead_unit", "meeting").first()
    if resolution is None:
        raise Http404
    form = ResolutionTaskForm(request.POST, prefix=f"r{rid}", units=resolutions.assignable_units())
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    try:
        _task, created = resolutions.make_task_from_resolution(
            actor=user, resolution=resolution, lead_unit=data.get("lead_unit"), deadline=data.get("deadline")
        )
    except ValidationError as exc:
        flash(request, exc)
    else:
        if created:
            messages.success(request, _("已生成督办事项（草稿），请到督查督办中审核下发。"))
        else:
            messages.info(request, _("该事项已生成过督办事项，未重复生成。"))
    return redirect("meetings:detail", pk=pk)


def _resolution_rows(meeting: Meeting, organiser: bool, meeting_tasks: Any = ()) -> list[dict[str, Any]]:
    """Each resolution, with a small form (lead unit, deadline) when the organiser may still convert it;
    then the meeting's tasks registered without a resolution row (e.g. entered on the task form), so
    that resolutions and the tasks they became are counted alike."""
    units = resolutions.assignable_units() if organiser else None
    rows: list[dict[str, Any]] = []
    for resolution in meeting.resolutions.select_related("lead_unit"):
        form = None
        if organiser and resolution.task_id is None:
            form = ResolutionTaskForm(
                units=units,
                prefix=f"r{resolution.pk}",
                initial={"lead_unit": resolution.lead_unit_id, "deadline": resolution.deadline},
            )
        rows.append({"r": resolution, "form": form})
    linked = {row["r"].task_id for row in rows}
    for task in meeting_tasks:
        if task.pk not in linked:
            rows.append({"r": None, "task": task, "ordinal": len(rows) + 1, "form": None})
    return rows


def meetings_for_parser(user: Any) -> Any:
    return [m for m in Meeting.objects.visible_to(user).filter(~Q(status="cancelled"))[:50] if can_organise(user, m)]
