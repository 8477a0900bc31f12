"""Reporting API: rounds with completeness, submissions, their figures and workflow actions.

Everything goes through the same selectors (visibility) and services (scope, lock, validation,
transition table) as the pages. A stale version answers 409 and applies nothing.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from kaifang.accounts.permissions import user_of
from kaifang.core.numbers import FIGURE_DESCRIPTION, RATIO_DESCRIPTION, figure_text, ratio_text
from kaifang.core.schemas import MAX_ID, ErrorOut, PathId, Version
from kaifang.indicators.figures import StaleValues, ValueEntry, clean_figure
from kaifang.indicators.selectors import stored_rows
from kaifang.reporting import selectors
from kaifang.reporting.models import ReportingRound, Submission, SubmissionStatus
from kaifang.reporting.services import check_submission, save_submission_values, transition
from kaifang.reporting.workflow import allowed_actions

rounds_router = Router(tags=["reporting"])
submissions_router = Router(tags=["reporting"])

CODE = r"^[A-Za-z0-9_-]{1,32}$"


class TallyOut(Schema):
    label: str
    code: str
    required: int
    done: int
    approved: int
    on_time: int
    grace: int
    late: int
    missing: int
    completeness: str | None = Field(description=f"报送率；{RATIO_DESCRIPTION}")
    timeliness: str | None = Field(description=f"及时率；{RATIO_DESCRIPTION}")
    missing_units: list[str]
    late_units: list[str]


class RoundOut(Schema):
    id: int
    name: str
    period: datetime.date
    opens_at: datetime.datetime
    deadline: datetime.datetime
    grace_days: int
    status: str
    indicators: list[str]
    version: int


class RoundDetailOut(RoundOut):
    total: TallyOut
    by_city: list[TallyOut]


class SubmissionOut(Schema):
    id: int
    round: int
    unit: str
    unit_name: str
    status: str
    status_label: str
    version: int
    submitted_at: datetime.datetime | None
    first_submitted_at: datetime.datetime | None
    timeliness: str
    return_reason: str
    allowed_actions: list[str]


class SubmissionValueOut(Schema):
    indicator: str
    reported: str | None = Field(description=FIGURE_DESCRIPTION)
    month_value: str | None = Field(description=FIGURE_DESCRIPTION)
    ytd_value: str | None = Field(description=FIGURE_DESCRIPTION)
    comment: str
    version: int


class FindingOut(Schema):
    indicator: str
    severity: str
    rule: str
    message: str
    explained: bool


class SubmissionDetailOut(SubmissionOut):
    values: list[SubmissionValueOut]
    findings: list[FindingOut]


class ActionIn(Schema):
    expected_version: Version | None = None
    reason: str = Field("", max_length=1000)
    idempotency_key: str = Field("", max_length=64)


class SubmissionActionOut(SubmissionOut):
    applied: bool


class SubmissionEntryIn(Schema):
    indicator: str = Field(pattern=CODE)
    value: str | None = Field(None, max_length=40, description='数值以文本传入（如 "1234.5"），null 表示清空')
    comment: str = Field("", max_length=2000)
    expected_version: Version | None = None


class ValuesIn(Schema):
    entries: list[SubmissionEntryIn] = Field(max_length=500)


class SubmissionFilters(Schema):
    round: int | None = Field(None, ge=1, le=MAX_ID)
    status: SubmissionStatus | None = None
    unit: str | None = Field(None, pattern=CODE)


def _tally(t: selectors.Tally) -> dict[str, Any]:
    return {
        "label": t.label,
        "code": t.code,
        "required": t.required,
        "done": t.done,
        "approved": t.approved,
        "on_time": t.on_time,
        "grace": t.grace,
        "late": t.late,
        "missing": len(t.missing),
        "completeness": ratio_text(t.completeness),
        "timeliness": ratio_text(t.timeliness),
        "missing_units": [s.unit.code for s in t.missing],
        "late_units": [s.unit.code for s in t.late_units],
    }


def _round(r: ReportingRound) -> dict[str, Any]:
    return {
        "id": r.pk,
        "name": r.name,
        "period": r.period,
        "opens_at": r.opens_at,
        "deadline": r.deadline,
        "grace_days": r.grace_days,
        "status": r.status,
        "indicators": [i.code for i in r.indicators.order_by("sort_order", "code")],
        "version": r.version,
    }


def _submission(user: Any, s: Submission) -> dict[str, Any]:
    return {
        "id": s.pk,
        "round": s.round_id,
        "unit": s.unit.code,
        "unit_name": s.unit.name,
        "status": s.status,
        "status_label": str(s.get_status_display()),
        "version": s.version,
        "submitted_at": s.submitted_at,
        "first_submitted_at": s.first_submitted_at,
        "timeliness": s.timeliness,
        "return_reason": s.return_reason,
        "allowed_actions": allowed_actions(user, s.unit, s.status),
    }


def _values(s: Submission) -> list[dict[str, Any]]:
    rows = stored_rows(units=[s.unit], indicators=s.round.indicators.all(), periods=[s.round.period])
    return [
        {
            "indicator": v.indicator.code,
            "reported": figure_text(v.reported, v.indicator.decimals),
            "month_value": figure_text(v.month_value, v.indicator.decimals),
            "ytd_value": figure_text(v.ytd_value, v.indicator.decimals),
            "comment": v.comment,
            "version": v.version,
        }
        for v in rows
    ]


@rounds_router.get("", response={200: list[RoundOut], 401: ErrorOut}, summary="报送批次列表")
def list_rounds(request: HttpRequest) -> list[dict[str, Any]]:
    return [_round(r) for r in selectors.visible_rounds(user_of(request))]


@rounds_router.get(
    "/{round_id}", response={200: RoundDetailOut, 401: ErrorOut, 404: ErrorOut}, summary="报送批次及完成情况"
)
def get_round(request: HttpRequest, round_id: PathId) -> dict[str, Any]:
    user = user_of(request)
    r = selectors.get_round_for_user(user, round_id)
    overview = selectors.round_overview(user, r)
    return {**_round(r), "total": _tally(overview.total), "by_city": [_tally(t) for t in overview.groups]}


@rounds_router.get(
    "/{round_id}/completeness",
    response={200: list[TallyOut], 401: ErrorOut, 404: ErrorOut},
    summary="分地区报送率与及时率",
)
def round_completeness(request: HttpRequest, round_id: PathId) -> list[dict[str, Any]]:
    user = user_of(request)
    overview = selectors.round_overview(user, selectors.get_round_for_user(user, round_id))
    return [_tally(overview.total), *(_tally(t) for t in overview.groups)]


@submissions_router.get("", response={200: list[SubmissionOut], 401: ErrorOut}, summary="报送列表（可见范围内）")
def list_submissions(request: HttpRequest, filters: Query[SubmissionFilters]) -> list[dict[str, Any]]:
    user = user_of(request)
    qs = Submission.objects.visible_to(user).select_related("unit", "round").order_by("round", "unit__path")
    if filters.round:
        qs = qs.filter(round_id=filters.round)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.unit:
        qs = qs.filter(unit__code=filters.unit)
    return [_submission(user, s) for s in qs[:2000]]


@submissions_router.get(
    "/{submission_id}", response={200: SubmissionDetailOut, 401: ErrorOut, 404: ErrorOut}, summary="报送详情"
)
def get_submission(request: HttpRequest, submission_id: PathId) -> dict[str, Any]:
    user = user_of(request)
    s = selectors.get_submission_for_user(user, submission_id)
    findings = [f.as_dict() for f in check_submission(s, final=False).findings]
    return {**_submission(user, s), "values": _values(s), "findings": findings}


@submissions_router.post(
    "/{submission_id}/values",
    response={200: SubmissionDetailOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="保存报送数据（全部成功或全部不写入；版本过期返回 409）",
)
def save_values(request: HttpRequest, submission_id: PathId, payload: ValuesIn) -> dict[str, Any]:
    user = user_of(request)
    s = selectors.get_submission_for_user(user, submission_id)
    entries = []
    errors = []
    for e in payload.entries:
        try:
            entries.append(
                ValueEntry(e.indicator, clean_figure(e.value, label=e.indicator), e.comment, e.expected_version)
            )
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    try:
        save_submission_values(actor=user, submission=s, entries=entries)
    except StaleValues as exc:
        raise HttpError(409, "；".join(exc.messages)) from exc
    return get_submission(request, submission_id)


def _act(request: HttpRequest, submission_id: PathId, action: str, payload: ActionIn) -> dict[str, Any]:
    user = user_of(request)
    s = selectors.get_submission_for_user(user, submission_id)
    outcome = transition(
        actor=user,
        submission=s,
        action=action,
        reason=payload.reason,
        key=payload.idempotency_key,
        expected_version=payload.expected_version,
    )
    return {**_submission(user, outcome.submission), "applied": outcome.applied}


ACTION_RESPONSES = {200: SubmissionActionOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


@submissions_router.post("/{submission_id}/submit", response=ACTION_RESPONSES, summary="提交（运行全部校验）")
def submit(request: HttpRequest, submission_id: PathId, payload: ActionIn) -> dict[str, Any]:
    return _act(request, submission_id, "submit", payload)


@submissions_router.post("/{submission_id}/approve", response=ACTION_RESPONSES, summary="审核通过")
def approve(request: HttpRequest, submission_id: PathId, payload: ActionIn) -> dict[str, Any]:
    return _act(request, submission_id, "approve", payload)


@submissions_router.post("/{submission_id}/return", response=ACTION_RESPONSES, summary="退回（须填写原因）")
def return_(request: HttpRequest, submission_id: PathId, payload: ActionIn) -> dict[str, Any]:
    return _act(request, submission_id, "return", payload)


@submissions_router.post("/{submission_id}/unapprove", response=ACTION_RESPONSES, summary="撤销审核（重新打开）")
def unapprove(request: HttpRequest, submission_id: PathId, payload: ActionIn) -> dict[str, Any]:
    return _act(request, submission_id, "unapprove", payload)


@submissions_router.post("/{submission_id}/withdraw", response=ACTION_RESPONSES, summary="撤回（报送单位，上级审核前）")
def withdraw(request: HttpRequest, submission_id: PathId, payload: ActionIn) -> dict[str, Any]:
    return _act(request, submission_id, "withdraw", payload)


# --- The year's calendar -------------------------------------------------------------------------


class CalendarIn(Schema):
    year: int = Field(ge=2000, le=2100)
    months: list[Annotated[int, Field(ge=1, le=12)]] = Field(default_factory=lambda: list(range(1, 13)), max_length=12)
    opens_day: int = Field(1, ge=1, le=28)
    deadline_day: int = Field(10, ge=1, le=28)
    grace_days: int = Field(2, ge=0, le=30)
    weekend_to_monday: bool = True
    unit_kinds: list[str] = Field(default_factory=lambda: ["county", "department"], max_length=4)
    indicators: list[str] = Field(default_factory=list, max_length=500)
    commit: bool = False


class PlannedOut(Schema):
    period: str
    name: str
    opens_at: datetime.datetime
    deadline: datetime.datetime
    grace_days: int
    units: int
    indicators: int
    exists: bool
    status: str


@rounds_router.post(
    "/calendar/plan",
    response={200: list[PlannedOut], 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="年度报送日历：按规则预览（commit=false）或生成全年报送批次",
)
def calendar(request: HttpRequest, payload: CalendarIn) -> list[dict[str, Any]]:
    from kaifang.core.context import change_context
    from kaifang.reporting.services.calendar import CalendarRule, create_calendar, plan_calendar

    user = user_of(request)
    rule = CalendarRule(
        year=payload.year,
        months=tuple(payload.months),
        opens_day=payload.opens_day,
        deadline_day=payload.deadline_day,
        grace_days=payload.grace_days,
        weekend_to_monday=payload.weekend_to_monday,
        unit_kinds=tuple(payload.unit_kinds),
        indicators=tuple(payload.indicators),
    )
    from kaifang.accounts.permissions import is_supervisor

    if not is_supervisor(user):
        raise PermissionDenied("只有省级督查可以生成年度报送日历。")
    plans = plan_calendar(actor=user, rule=rule)
    created = {}
    if payload.commit:
        with change_context(channel="api"):
            created = {(r.period, r.name): r for r in create_calendar(actor=user, rule=rule)}
    return [
        {
            "period": f"{p.period:%Y-%m}",
            "name": p.name,
            "opens_at": p.opens_at,
            "deadline": p.deadline,
            "grace_days": p.grace_days,
            "units": len(p.units),
            "indicators": len(p.indicators),
            "exists": p.exists,
            "status": created[(p.period, p.name)].status if (p.period, p.name) in created else "",
        }
        for p in plans
    ]


from kaifang.reporting import api_batch  # noqa: E402,F401  (registers the batch actions on rounds_router)
