"""Writes about meetings: create and edit, venues, the status workflow, documents and relay reports.
Receipts and roll call live in `services/roll_call.py`; resolutions and speech drafts → tasks in
`services/resolutions.py`."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaifang.accounts.models import Role
from kaifang.accounts.permissions import can_write_for_unit, role_of
from kaifang.audit.services import record_event
from kaifang.core import versions
from kaifang.core.actors import is_system_actor
from kaifang.core.workflow import Step, Workflow
from kaifang.meetings import checkin, clock
from kaifang.meetings.models import (
    Meeting,
    MeetingDocument,
    MeetingKind,
    MeetingStatus,
    RelayForm,
    RelayReport,
    Venue,
)
from kaifang.meetings.permissions import can_create_meetings, can_organise
from kaifang.orgs.models import OrgUnit

MEETING_FIELDS = [
    "title",
    "kind",
    "starts_at",
    "ends_at",
    "main_room",
    "main_contact",
    "main_phone",
    "conference_link",
    "agenda",
    "late_grace_minutes",
]
ORGANISERS = (Role.PROVINCE_ADMIN, Role.PROVINCE_SUPERVISOR, Role.CITY_OFFICER)

# (from status, action) → (to status, roles allowed). The actor must also organise the meeting.
ACTION_LABELS = {
    "notify": gettext_lazy("发出通知"),
    "start": gettext_lazy("开始会议"),
    "end": gettext_lazy("结束会议"),
    "cancel": gettext_lazy("取消会议"),
}
TRANSITIONS = Workflow(
    {
        (MeetingStatus.DRAFT, "notify"): Step(MeetingStatus.NOTIFIED, frozenset(ORGANISERS)),
        (MeetingStatus.NOTIFIED, "start"): Step(MeetingStatus.IN_PROGRESS, frozenset(ORGANISERS)),
        (MeetingStatus.IN_PROGRESS, "end"): Step(MeetingStatus.ENDED, frozenset(ORGANISERS)),
        (MeetingStatus.DRAFT, "cancel"): Step(MeetingStatus.CANCELLED, frozenset(ORGANISERS)),
        (MeetingStatus.NOTIFIED, "cancel"): Step(MeetingStatus.CANCELLED, frozenset(ORGANISERS)),
    },
    labels=ACTION_LABELS,
)


def _snapshot(meeting: Meeting) -> dict[str, Any]:
    data = {name: getattr(meeting, name) for name in MEETING_FIELDS}
    data.update(main_unit=meeting.main_unit.code, status=meeting.status)
    return data


def check_version(current: int, expected: int | None, what: str) -> None:
    versions.check_version(current, expected, _("%(what)s已被他人修改，请刷新后重试。") % {"what": what})


def _validate_meeting(fields: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if not str(fields.get("title") or "").strip():
        errors["title"] = _("请填写会议名称。")
    if fields.get("kind") not in MeetingKind.values:
        errors["kind"] = _("请选择会议类型。")
    starts, ends = fields.get("starts_at"), fields.get("ends_at")
    if not isinstance(starts, datetime.datetime):
        errors["starts_at"] = _("请填写开始时间。")
    elif ends is not None and ends < starts:
        errors["ends_at"] = _("结束时间不能早于开始时间。")
    link = str(fields.get("conference_link") or "")
    if link and not link.startswith(("https://", "http://")):
        errors["conference_link"] = _("视频会议室链接应以 https:// 或 http:// 开头。")
    if errors:
        raise ValidationError(errors)


def _check_units_in_scope(actor: Any, units: Iterable[OrgUnit]) -> list[OrgUnit]:
    units = list(units)
    outside = [u.name for u in units if not can_write_for_unit(actor, u)]
    if outside:
        raise PermissionDenied(_("不能把权限范围外的单位设为分会场：%(units)s") % {"units": "、".join(outside[:5])})
    return units


def create_meeting(
    *,
    actor: Any,
    title: str,
    starts_at: datetime.datetime,
    main_unit: OrgUnit,
    kind: str = MeetingKind.TELECONFERENCE,
    ends_at: datetime.datetime | None = None,
    main_room: str = "",
    main_contact: str = "",
    main_phone: str = "",
    conference_link: str = "",
    agenda: str = "",
    late_grace_minutes: int = 5,
    venue_units: Iterable[OrgUnit] = (),
    series: Any = None,
) -> Meeting:
    """Create a draft meeting held at `main_unit` with a sub-venue for each of `venue_units` (and,
    for a standing meeting, the series it belongs to)."""
    fields = {
        "title": title.strip(),
        "kind": kind,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "main_room": main_room.strip(),
        "main_contact": main_contact.strip(),
        "main_phone": main_phone.strip(),
        "conference_link": conference_link.strip(),
        "agenda": agenda.strip(),
        "late_grace_minutes": late_grace_minutes,
    }
    if is_system_actor(actor):
        pass  # demo, cli and system writers act for the whole province
    elif not can_create_meetings(actor) or not can_write_for_unit(actor, main_unit):
        raise PermissionDenied(_("您无权在该单位召开会议。"))
    _validate_meeting(fields)
    units = [u for u in venue_units if u.pk != main_unit.pk]
    if not is_system_actor(actor):
        _check_units_in_scope(actor, units)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            **fields,
            series=series,
            main_unit=main_unit,
            checkin_secret=checkin.new_secret(),
            created_by=actor if not is_system_actor(actor) else None,
        )
        Venue.objects.bulk_create([Venue(meeting=meeting, unit=u) for u in units])
        after = {**_snapshot(meeting), "venues": len(units)}
        record_event(actor=actor, action="meetings.meeting.create", obj=meeting, unit=main_unit, after=after)
    return meeting


def update_meeting(
    *,
    actor: Any,
    meeting: Meeting,
    expected_version: int,
    venue_units: Iterable[OrgUnit] | None = None,
    **changes: Any,
) -> Meeting:
    """Edit the meeting's details and, when `venue_units` is given, its sub-venues — all or nothing."""
    unknown = set(changes) - set(MEETING_FIELDS)
    if unknown:
        raise ValidationError(_("不能修改的字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    if not can_organise(actor, meeting):
        raise PermissionDenied(_("只有会议组织单位可以修改会议。"))
    with transaction.atomic():
        locked = Meeting.objects.select_for_update(of=("self",)).select_related("main_unit").get(pk=meeting.pk)
        check_version(locked.version, expected_version, _("会议"))
        if locked.status in (MeetingStatus.ENDED, MeetingStatus.CANCELLED):
            raise ValidationError(_("会议已结束或已取消，不能再修改。"))
        before = _snapshot(locked)
        for name, value in changes.items():
            setattr(locked, name, value.strip() if isinstance(value, str) else value)
        _validate_meeting({name: getattr(locked, name) for name in MEETING_FIELDS})
        locked.version += 1
        locked.save()
        record_event(actor=actor, action="meetings.meeting.update", obj=locked, before=before, after=_snapshot(locked))
        if venue_units is not None:
            set_venues(actor=actor, meeting=locked, units=venue_units)
            locked.refresh_from_db(fields=["version"])
    return locked


def set_venues(*, actor: Any, meeting: Meeting, units: Iterable[OrgUnit]) -> tuple[int, int]:
    """Make the sub-venues exactly `units` (before the meeting starts); returns (added, removed)."""
    if not can_organise(actor, meeting):
        raise PermissionDenied(_("只有会议组织单位可以调整分会场。"))
    wanted = {u.pk: u for u in _check_units_in_scope(actor, units) if u.pk != meeting.main_unit_id}
    with transaction.atomic():
        locked = Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
        if locked.status not in (MeetingStatus.DRAFT, MeetingStatus.NOTIFIED):
            raise ValidationError(_("会议已开始，不能再调整分会场。"))
        existing = {v.unit_id: v for v in Venue.objects.filter(meeting=locked).select_related("unit")}
        to_add = [Venue(meeting=locked, unit=u) for pk, u in wanted.items() if pk not in existing]
        to_remove = [v.pk for uid, v in existing.items() if uid not in wanted]
        removed_codes = [v.unit.code for uid, v in existing.items() if uid not in wanted]
        Venue.objects.bulk_create(to_add)
        Venue.objects.filter(pk__in=to_remove).delete()
        if to_add or to_remove:
            Meeting.objects.filter(pk=locked.pk).update(version=F("version") + 1)
            record_event(
                actor=actor,
                action="meetings.meeting.set_venues",
                obj=locked,
                unit=meeting.main_unit,
                after={"added": [v.unit.code for v in to_add], "removed": removed_codes},
            )
    return len(to_add), len(to_remove)


def transition_meeting(*, actor: Any, meeting: Meeting, action: str, expected_version: int | None = None) -> Meeting:
    """Move the meeting along its workflow (通知 → 开始 → 结束, or 取消); anything else is refused."""
    with transaction.atomic():
        locked = Meeting.objects.select_for_update(of=("self",)).select_related("main_unit").get(pk=meeting.pk)
        forbidden = _("只有会议组织单位可以%(action)s。") % {"action": TRANSITIONS.label(action)}
        to_status = TRANSITIONS.transition(
            locked.status,
            action,
            None if is_system_actor(actor) else {role_of(actor)},
            refused=_("会议当前为“%(status)s”，不能“%(action)s”。")
            % {"status": locked.get_status_display(), "action": TRANSITIONS.label(action)},
            forbidden=forbidden,
        ).to
        if not is_system_actor(actor) and not can_organise(actor, locked):
            raise PermissionDenied(forbidden)
        check_version(locked.version, expected_version, _("会议"))
        before = locked.status
        locked.status = to_status
        locked.version += 1
        locked.save(update_fields=["status", "version"])
        record_event(
            actor=actor,
            action=f"meetings.meeting.{action}",
            obj=locked,
            before={"status": before},
            after={"status": to_status},
        )
    return locked


def add_document(
    *, actor: Any, meeting: Meeting, title: str, text: str, speaker: str = "", file: Any = None
) -> MeetingDocument:
    """Attach a document (usually a speech text) to the meeting."""
    if not is_system_actor(actor) and not can_organise(actor, meeting):
        raise PermissionDenied(_("只有会议组织单位可以上传会议文件。"))
    errors = {}
    if not title.strip():
        errors["title"] = _("请填写文件标题。")
    if not text.strip():
        errors["text"] = _("正文不能为空。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        document = MeetingDocument(
            meeting=meeting,
            title=title.strip()[:200],
            speaker=speaker.strip()[:100],
            text=text.strip(),
            created_by=actor if not is_system_actor(actor) else None,
        )
        if file is not None:
            document.file = file
        document.save()
        record_event(
            actor=actor,
            action="meetings.document.add",
            obj=document,
            unit=meeting.main_unit,
            after={"meeting": meeting.pk, "title": document.title, "speaker": document.speaker, "chars": len(text)},
        )
    return document


def report_relay(
    *,
    actor: Any,
    meeting: Meeting,
    unit: OrgUnit,
    relayed_on: datetime.date,
    form: str,
    text: str,
    attendees: int = 0,
    expected_version: int | None = None,
) -> RelayReport:
    """A unit reports how it relayed the meeting (传达落实); a second report updates the first."""
    if not is_system_actor(actor) and not can_write_for_unit(actor, unit):
        raise PermissionDenied(_("只能报送本单位的传达落实情况。"))
    if not meeting.venues.filter(unit=unit).exists():
        raise ValidationError(_("%(u)s不是本次会议的分会场。") % {"u": unit.name})
    errors: dict[str, str] = {}
    if form not in RelayForm.values:
        errors["form"] = _("请选择传达形式。")
    if not text.strip():
        errors["text"] = _("请填写落实情况。")
    if relayed_on < meeting.starts_at.date():
        errors["relayed_on"] = _("传达日期不能早于会议日期。")
    if relayed_on > clock.today():
        errors["relayed_on"] = _("传达日期不能晚于今天。")
    if not 0 <= attendees <= 100000:
        errors["attendees"] = _("参加人数不正确。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        report = RelayReport.objects.select_for_update().filter(meeting=meeting, unit=unit).first()
        before = None
        if report is None:
            report = RelayReport(meeting=meeting, unit=unit, created_by=actor if not is_system_actor(actor) else None)
        else:
            check_version(report.version, expected_version, _("传达落实情况"))
            before = {"relayed_on": report.relayed_on, "form": report.form, "attendees": report.attendees}
            report.version += 1
        report.relayed_on, report.form, report.attendees, report.text = relayed_on, form, attendees, text.strip()
        report.save()
        record_event(
            actor=actor,
            action="meetings.relay.report",
            obj=report,
            unit=unit,
            before=before,
            after={"relayed_on": relayed_on, "form": form, "attendees": attendees},
        )
    return report
