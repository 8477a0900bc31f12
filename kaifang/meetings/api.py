"""/api/v1/meetings: meetings a unit takes part in, receipts, check-in with the code, attendance
statistics and the speech parser. Same services and visibility guard as the pages."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from kaifang.accounts.permissions import user_of
from kaifang.core.listing import ApiPagination
from kaifang.core.numbers import figure_text
from kaifang.core.schemas import ErrorOut, PathId, UnitRef, Version
from kaifang.meetings import services
from kaifang.meetings.models import Meeting, Venue
from kaifang.meetings.permissions import can_parse_speeches
from kaifang.meetings.selectors import (
    RELAY_LIST,
    attendance_for,
    get_meeting_for_user,
    get_venue_for_user,
    relay_rows,
    relay_status,
    venues_for_user,
    visible_meetings,
)
from kaifang.meetings.services import resolutions, roll_call
from kaifang.meetings.stats import AttendanceRow

router = Router(tags=["meetings"])
CODE_PATTERN = r"^[A-Za-z0-9_-]{1,32}$"


class MeetingOut(Schema):
    id: int
    title: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None
    main_unit: UnitRef
    main_room: str
    conference_link: str
    version: int

    @staticmethod
    def resolve_kind_label(obj: Meeting) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_status_label(obj: Meeting) -> str:
        return str(obj.get_status_display())


class VenueOut(Schema):
    unit: UnitRef
    room: str
    contact_name: str
    contact_phone: str
    receipt_status: str
    leader_name: str
    leader_title: str
    head_count: int
    leave_reason: str
    checked_in_at: datetime.datetime | None
    late: bool
    version: int

    @staticmethod
    def resolve_late(obj: Venue) -> bool:
        return obj.is_late


class DocumentOut(Schema):
    id: int
    title: str
    speaker: str


class MeetingDetailOut(MeetingOut):
    venues: list[VenueOut]
    documents: list[DocumentOut]

    @staticmethod
    def resolve_venues(obj: Meeting) -> list[Venue]:
        return obj.visible_venues  # type: ignore[attr-defined,no-any-return]

    @staticmethod
    def resolve_documents(obj: Meeting) -> list[Any]:
        return list(obj.documents.all())


class ReceiptIn(Schema):
    attending: bool
    leader_name: str = Field("", max_length=50)
    leader_title: str = Field("", max_length=100)
    head_count: int = Field(0, ge=0, le=500)
    leave_reason: str = Field("", max_length=300)
    version: Version | None = None


class CheckInIn(Schema):
    code: str = Field(..., max_length=12)


class CheckInOut(Schema):
    checked_in: bool
    newly_checked_in: bool
    checked_in_at: datetime.datetime | None
    late: bool


class AttendanceRowOut(Schema):
    code: str
    name: str
    expected: int
    present: int
    leave: int
    late: int
    absent: int
    rate: str | None = Field(description="参会率（%，文本，一位小数；应到为 0 时为空）")


class AttendanceOut(Schema):
    total: AttendanceRowOut
    cities: list[AttendanceRowOut]


class RelayIn(Schema):
    relayed_on: datetime.date
    form: str = Field(..., max_length=20)
    attendees: int = Field(0, ge=0, le=100000)
    text: str = Field(..., max_length=10000)
    version: Version | None = None


class RelayOut(Schema):
    unit: UnitRef
    relayed_on: datetime.date
    form: str
    attendees: int
    text: str
    version: int


class RelayStatusOut(Schema):
    reports: list[RelayOut]
    missing: list[UnitRef]


class SpeechIn(Schema):
    text: str = Field(..., max_length=resolutions.MAX_SPEECH_CHARS)


def _row(row: AttendanceRow) -> dict[str, Any]:
    out = {k: getattr(row, k) for k in ("code", "name", "expected", "present", "leave", "late", "absent")}
    return {**out, "rate": figure_text(row.rate, 1)}


@router.get("", response={200: list[MeetingOut], 401: ErrorOut}, summary="我参加的会议")
def list_meetings(request: HttpRequest) -> Any:
    return list(visible_meetings(user_of(request)))


@router.post(
    "/parse-speech",
    response={200: dict[str, Any], 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="解析讲话稿（只返回草稿，不生成任何事项）",
)
def parse_speech_text(request: HttpRequest, payload: SpeechIn) -> Any:
    if not can_parse_speeches(user_of(request)):
        raise PermissionDenied("只有省级督查人员可以解析讲话。")
    return resolutions.parse_speech_text(payload.text)


@router.get("/{int:meeting_id}", response={200: MeetingDetailOut, 401: ErrorOut, 404: ErrorOut}, summary="会议详情")
def get_meeting(request: HttpRequest, meeting_id: PathId) -> Any:
    user = user_of(request)
    meeting = get_meeting_for_user(user, meeting_id)
    meeting.visible_venues = list(venues_for_user(user, meeting))  # type: ignore[attr-defined]
    return meeting


@router.post(
    "/{int:meeting_id}/venues/{unit_code}/receipt",
    response={200: VenueOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="填写回执（参会或请假）",
)
def answer_receipt(request: HttpRequest, meeting_id: PathId, unit_code: str, payload: ReceiptIn) -> Any:
    user = user_of(request)
    meeting = get_meeting_for_user(user, meeting_id)
    venue = get_venue_for_user(user, meeting, unit_code[:32])
    return roll_call.answer_receipt(
        actor=user,
        venue=venue,
        attending=payload.attending,
        leader_name=payload.leader_name,
        leader_title=payload.leader_title,
        head_count=payload.head_count,
        leave_reason=payload.leave_reason,
        expected_version=payload.version,
    )


@router.post(
    "/{int:meeting_id}/venues/{unit_code}/check-in",
    response={200: CheckInOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="分会场签到（输入主会场显示的动态签到码）",
)
def check_in(request: HttpRequest, meeting_id: PathId, unit_code: str, payload: CheckInIn) -> Any:
    user = user_of(request)
    meeting = get_meeting_for_user(user, meeting_id)
    venue = get_venue_for_user(user, meeting, unit_code[:32])
    venue, created = roll_call.check_in(actor=user, venue=venue, code=payload.code)
    return {
        "checked_in": venue.checked_in_at is not None,
        "newly_checked_in": created,
        "checked_in_at": venue.checked_in_at,
        "late": venue.is_late,
    }


@router.get(
    "/{int:meeting_id}/attendance",
    response={200: AttendanceOut, 401: ErrorOut, 404: ErrorOut},
    summary="参会统计（应到、实到、请假、迟到、参会率，按市）",
)
def attendance(request: HttpRequest, meeting_id: PathId) -> Any:
    user = user_of(request)
    meeting = get_meeting_for_user(user, meeting_id)
    total, cities = attendance_for(user, meeting)
    return {"total": _row(total), "cities": [_row(r) for r in cities]}


@router.get(
    "/{int:meeting_id}/relay-reports",
    response={200: RelayStatusOut, 401: ErrorOut, 404: ErrorOut},
    summary="传达落实情况和未报送单位",
)
def relay_reports(request: HttpRequest, meeting_id: PathId) -> Any:
    user = user_of(request)
    reports, missing = relay_status(user, get_meeting_for_user(user, meeting_id))
    return {"reports": reports, "missing": missing}


class RelayRowOut(Schema):
    unit: UnitRef
    relayed: bool
    relayed_on: datetime.date | None
    form: str | None = Field(None, alias="relay_form")
    attendees: int | None = Field(None, alias="relay_attendees")
    text: str | None = Field(None, alias="relay_text")


class RelayFilters(Schema):
    status: str | None = Field(None, pattern=r"^(missing|relayed)$", description="missing 未报送 / relayed 已报送")
    unit: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]{1,32}$", description="单位代码（含下级）")
    form: str | None = Field(None, max_length=20)
    q: str | None = Field(None, max_length=50, description="单位名称或落实情况中包含")
    sort: str | None = Field(None, max_length=20, description="unit（默认）、missing、date")


@router.get(
    "/{int:meeting_id}/relay",
    response={200: list[RelayRowOut], 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
    summary="传达落实：每个应报送单位一行（分页，可筛选未报送）",
)
@paginate(ApiPagination)
def relay_list(request: HttpRequest, meeting_id: PathId, filters: Query[RelayFilters]) -> Any:
    user = user_of(request)
    meeting = get_meeting_for_user(user, meeting_id)
    return relay_rows(user, meeting, RELAY_LIST.read(filters.dict(exclude_none=True), user=user).strict())


@router.post(
    "/{int:meeting_id}/venues/{unit_code}/relay",
    response={200: RelayOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="报送本单位传达落实情况",
)
def report_relay(request: HttpRequest, meeting_id: PathId, unit_code: str, payload: RelayIn) -> Any:
    user = user_of(request)
    meeting = get_meeting_for_user(user, meeting_id)
    venue = get_venue_for_user(user, meeting, unit_code[:32])
    return services.report_relay(
        actor=user,
        meeting=meeting,
        unit=venue.unit,
        relayed_on=payload.relayed_on,
        form=payload.form,
        attendees=payload.attendees,
        text=payload.text,
        expected_version=payload.version,
    )
