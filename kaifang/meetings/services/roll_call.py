"""Writes by and about sub-venues: their room and contact, receipts (回执) and roll call (签到).

Check-in needs the rotating code shown at the main venue (see `checkin.py`); a venue checks itself
in, only its own unit's users may, and the organiser may sign a venue in by hand (补签) with a reason.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from kaifang.audit.services import record_event
from kaifang.core.actors import is_system_actor
from kaifang.meetings import checkin, clock
from kaifang.meetings.models import ReceiptStatus, Venue
from kaifang.meetings.permissions import can_answer_for, can_check_in, can_organise
from kaifang.meetings.services import check_version

MAX_FAILED_CHECKINS = 20


def _venue_snapshot(venue: Venue) -> dict[str, Any]:
    return {
        "unit": venue.unit.code,
        "receipt_status": venue.receipt_status,
        "leader_name": venue.leader_name,
        "leader_title": venue.leader_title,
        "head_count": venue.head_count,
        "leave_reason": venue.leave_reason,
        "checked_in_at": venue.checked_in_at,
    }


def update_venue(
    *, actor: Any, venue: Venue, room: str, contact_name: str, contact_phone: str, expected_version: int | None = None
) -> Venue:
    """A venue's room and contact, set by the venue or the organiser."""
    if not is_system_actor(actor) and not (can_answer_for(actor, venue) or can_organise(actor, venue.meeting)):
        raise PermissionDenied(_("您无权修改该分会场。"))
    with transaction.atomic():
        locked = Venue.objects.select_for_update(of=("self",)).select_related("unit", "meeting").get(pk=venue.pk)
        check_version(locked.version, expected_version, _("分会场信息"))
        before = {"room": locked.room, "contact_name": locked.contact_name, "contact_phone": locked.contact_phone}
        locked.room, locked.contact_name, locked.contact_phone = (
            room.strip(),
            contact_name.strip(),
            contact_phone.strip(),
        )
        locked.version += 1
        locked.save(update_fields=["room", "contact_name", "contact_phone", "version"])
        after = {"room": locked.room, "contact_name": locked.contact_name, "contact_phone": locked.contact_phone}
        record_event(
            actor=actor, action="meetings.venue.update", obj=locked, unit=locked.unit, before=before, after=after
        )
    return locked


def answer_receipt(
    *,
    actor: Any,
    venue: Venue,
    attending: bool,
    leader_name: str = "",
    leader_title: str = "",
    head_count: int = 0,
    leave_reason: str = "",
    expected_version: int | None = None,
) -> Venue:
    """A venue answers the notice (回执): the attending leader and head count, or a leave request."""
    if not is_system_actor(actor) and not can_answer_for(actor, venue):
        raise PermissionDenied(_("只能为本单位的分会场填写回执。"))
    errors: dict[str, str] = {}
    if attending:
        if not leader_name.strip():
            errors["leader_name"] = _("请填写参会领导姓名。")
        if not 1 <= head_count <= 500:
            errors["head_count"] = _("参会人数应在 1 到 500 之间。")
    elif not leave_reason.strip():
        errors["leave_reason"] = _("请假须说明事由。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Venue.objects.select_for_update(of=("self",)).select_related("unit", "meeting").get(pk=venue.pk)
        if not locked.meeting.can_answer():
            raise ValidationError(_("会议“%(s)s”，不能填写回执。") % {"s": locked.meeting.get_status_display()})
        check_version(locked.version, expected_version, _("回执"))
        before = _venue_snapshot(locked)
        locked.receipt_status = ReceiptStatus.ATTENDING if attending else ReceiptStatus.LEAVE
        locked.leader_name = leader_name.strip() if attending else ""
        locked.leader_title = leader_title.strip() if attending else ""
        locked.head_count = head_count if attending else 0
        locked.leave_reason = "" if attending else leave_reason.strip()
        locked.receipt_at = clock.now()
        locked.version += 1
        locked.save()
        record_event(
            actor=actor,
            action="meetings.venue.receipt",
            obj=locked,
            unit=locked.unit,
            before=before,
            after=_venue_snapshot(locked),
        )
    return locked


def check_in(*, actor: Any, venue: Venue, code: str, at: datetime.datetime | None = None) -> tuple[Venue, bool]:
    """Sign a venue in with the code shown at the main venue; returns (venue, newly checked in).

    `at` is the wall-clock moment (tests inject it); a second check-in changes nothing.
    """
    if not can_check_in(actor, venue):
        raise PermissionDenied(_("只能为本单位的分会场签到。"))
    moment = at or clock.real_now()
    with transaction.atomic():
        locked = Venue.objects.select_for_update(of=("self",)).select_related("unit", "meeting").get(pk=venue.pk)
        meeting = locked.meeting
        if locked.checked_in_at is not None:
            return locked, False
        if not meeting.can_check_in():
            raise ValidationError(_("会议“%(s)s”，现在不能签到。") % {"s": meeting.get_status_display()})
        if locked.failed_checkins >= MAX_FAILED_CHECKINS:
            raise ValidationError(_("签到码错误次数过多，请联系主会场补签。"))
        valid = checkin.code_is_valid(meeting.checkin_secret, code, moment)
        if valid:
            locked.checked_in_at = at or clock.now()
            locked.checked_in_by = actor
            locked.version += 1
            locked.save(update_fields=["checked_in_at", "checked_in_by", "version"])
            after = {**_venue_snapshot(locked), "late": locked.is_late}
            record_event(actor=actor, action="meetings.venue.check_in", obj=locked, unit=locked.unit, after=after)
            return locked, True
        Venue.objects.filter(pk=locked.pk).update(failed_checkins=F("failed_checkins") + 1)
    raise ValidationError({"code": _("签到码不正确或已过期：请输入主会场屏幕上当前显示的 6 位数字。")})


def record_manual_check_in(*, actor: Any, venue: Venue, note: str, at: datetime.datetime | None = None) -> Venue:
    """The organiser signs a venue in by hand (补签), e.g. after a code failure, with a reason."""
    if not is_system_actor(actor) and not can_organise(actor, venue.meeting):
        raise PermissionDenied(_("只有会议组织单位可以补签。"))
    if not note.strip():
        raise ValidationError({"note": _("补签须说明原因。")})
    with transaction.atomic():
        locked = Venue.objects.select_for_update(of=("self",)).select_related("unit", "meeting").get(pk=venue.pk)
        if locked.checked_in_at is not None:
            raise ValidationError(_("该分会场已签到。"))
        locked.checked_in_at = at or clock.now()
        locked.checked_in_by = actor if not is_system_actor(actor) else None
        locked.checkin_note = note.strip()[:200]
        locked.version += 1
        locked.save(update_fields=["checked_in_at", "checked_in_by", "checkin_note", "version"])
        after = {**_venue_snapshot(locked), "note": locked.checkin_note}
        record_event(actor=actor, action="meetings.venue.manual_check_in", obj=locked, unit=locked.unit, after=after)
    return locked
