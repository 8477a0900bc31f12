"""/api/v1/tasks: the same services and visibility guard as the pages."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from kaifang.core.listing import ApiPagination
from kaifang.core.schemas import MAX_ID, ErrorOut, PathId, UnitRef, Version
from kaifang.supervision import selectors, services, workflow
from kaifang.supervision.models import Task

router = Router(tags=["tasks"])
CODE_PATTERN = r"^[A-Za-z0-9_-]{1,32}$"


class MilestoneOut(Schema):
    title: str
    due_date: datetime.date
    done: bool


class TaskStepOut(Schema):
    key: str
    label: str
    due: datetime.date
    done_on: datetime.date | None
    overdue: bool
    state_label: str


class TaskOut(Schema):
    id: int
    code: str
    title: str
    category: str
    level: str
    steps: list[TaskStepOut]
    extension_count: int
    state: str
    state_label: str
    lead_unit: UnitRef
    co_units: list[UnitRef]
    responsible_leader: str
    deadline: datetime.date
    report_day: int | None
    progress: int
    light: str
    light_rule: str
    missing_reports: list[datetime.date]
    source_kind: str
    source_title: str
    source_meeting_id: int | None
    parent_code: str | None
    version: int


class TaskDetailOut(TaskOut):
    body: str
    source_excerpt: str
    milestones: list[MilestoneOut]
    allowed_actions: list[str]


class ReportOut(Schema):
    id: int
    period: datetime.date
    percent: int
    text: str
    problems: str
    help_needed: str
    reported_on: datetime.date


class TaskActionOut(Schema):
    id: int
    kind: str
    number: str
    message: str
    on: datetime.date


class TaskFilters(Schema):
    """The board's filters (they combine) and order; `meeting` is the source meeting's title."""

    light: str | None = Field(None, pattern=r"^(green|yellow|red|grey)$")
    state: str | None = Field(None, max_length=24)
    lead_unit: str | None = Field(None, pattern=CODE_PATTERN)
    co_unit: str | None = Field(None, pattern=CODE_PATTERN)
    category: str | None = Field(None, max_length=32)
    meeting: str | None = Field(None, max_length=200)
    q: str | None = Field(None, max_length=50, description="事项名称或编号中包含")
    sort: str | None = Field(
        None, max_length=20, description="light（默认，红灯在前）、deadline、-deadline、code、progress"
    )


class TaskIn(Schema):
    title: str = Field(..., max_length=200)
    lead_unit: str = Field(..., pattern=CODE_PATTERN)
    deadline: datetime.date
    body: str = Field("", max_length=10000)
    category: str = Field("", max_length=32)
    level: str = Field("", pattern=r"^(normal|key)?$")
    co_units: list[str] = Field(default_factory=list, max_length=50)
    responsible_leader: str = Field("", max_length=60)
    source_kind: str = Field("meeting", pattern=r"^(meeting|document|instruction)$")
    source_title: str = Field("", max_length=200)
    source_excerpt: str = Field("", max_length=10000)
    source_meeting_id: int | None = Field(None, ge=1, le=MAX_ID)
    report_day: int | None = Field(25, ge=1, le=28)
    milestones: list[MilestoneOut] = Field(default_factory=list, max_length=50)


class TaskTransitionIn(Schema):
    action: str = Field(..., max_length=24)
    expected_version: Version
    reason: str = Field("", max_length=2000)


class ReportIn(Schema):
    text: str = Field(..., max_length=4000)
    percent: int = Field(..., ge=0, le=100)
    problems: str = Field("", max_length=2000)
    help_needed: str = Field("", max_length=2000)
    expected_version: Version | None = None


class UrgeIn(Schema):
    message: str = Field(..., max_length=2000)


def _out(task: Task, user: Any, *, detail: bool = False, row: selectors.TaskRow | None = None) -> dict[str, Any]:
    row = row or selectors.task_rows([task])[0]
    light = row.light
    data: dict[str, Any] = {
        "id": task.pk,
        "code": task.code,
        "title": task.title,
        "category": task.category,
        "level": task.level,
        "steps": [
            {
                "key": step.key,
                "label": step.label,
                "due": step.due,
                "done_on": step.done_on,
                "overdue": step.overdue,
                "state_label": step.state_label,
            }
            for step in row.steps
        ],
        "extension_count": task.extension_count,
        "state": task.state,
        "state_label": task.get_state_display(),
        "lead_unit": {"code": task.lead_unit.code, "name": task.lead_unit.name},
        "co_units": [{"code": u.code, "name": u.name} for u in task.co_units.all()],
        "responsible_leader": task.responsible_leader,
        "deadline": task.deadline,
        "report_day": task.report_day,
        "progress": row.progress,
        "light": light.color,
        "light_rule": light.rule,
        "missing_reports": row.missing,
        "source_kind": task.source_kind,
        "source_title": task.source_title,
        "source_meeting_id": task.source_meeting_id,
        "parent_code": task.parent.code if task.parent is not None else None,
        "version": task.version,
    }
    if detail:
        data["body"] = task.body
        data["source_excerpt"] = task.source_excerpt
        data["milestones"] = [{"title": m.title, "due_date": m.due_date, "done": m.done} for m in task.milestones.all()]
        data["allowed_actions"] = [action for action, _step in workflow.allowed_actions(user, task)]
    return data


@router.get("", response={200: list[TaskOut], 400: ErrorOut, 401: ErrorOut}, summary="可见的督办事项（分页）")
@paginate(ApiPagination)
def list_tasks(request: HttpRequest, filters: Query[TaskFilters]) -> list[dict[str, Any]]:
    listing = selectors.TASK_LIST.read(filters.dict(exclude_none=True), user=request.user).strict()
    return [_out(row.task, request.user, row=row) for row in selectors.board_rows(request.user, listing)]


@router.get("/{int:task_id}", response={200: TaskDetailOut, 401: ErrorOut, 404: ErrorOut}, summary="单个督办事项")
def get_task(request: HttpRequest, task_id: PathId) -> dict[str, Any]:
    return _out(selectors.get_task_for_user(request.user, task_id), request.user, detail=True)


@router.post(
    "",
    response={201: TaskDetailOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="立项（草稿）；同一 Idempotency-Key 重复提交只立项一次",
)
def create_task(request: HttpRequest, payload: TaskIn) -> Status:
    if not workflow.can_create_tasks(request.user):
        raise PermissionDenied("只有省级督查人员，或市级对本市所辖单位，可以立项。")
    task = services.create_task(
        actor=request.user,
        title=payload.title,
        lead_unit=payload.lead_unit,
        deadline=payload.deadline,
        body=payload.body,
        category=payload.category,
        level=payload.level,
        co_units=payload.co_units,
        responsible_leader=payload.responsible_leader,
        source_kind=payload.source_kind,
        source_title=payload.source_title,
        source_excerpt=payload.source_excerpt,
        source_meeting_id=payload.source_meeting_id,
        report_day=payload.report_day,
        milestones=[(m.title, m.due_date) for m in payload.milestones],
        request_key=request.headers.get("Idempotency-Key", "")[:64],
    )
    return Status(201, _out(selectors.get_task_for_user(request.user, task.pk), request.user, detail=True))


@router.post(
    "/{int:task_id}/transitions",
    response={200: TaskDetailOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="办理一步（签收、申请办结、销号、退回……），须带 expected_version",
)
def transition_task(request: HttpRequest, task_id: PathId, payload: TaskTransitionIn) -> dict[str, Any]:
    task = selectors.get_task_for_user(request.user, task_id)
    services.transition(
        actor=request.user,
        task=task,
        action=payload.action,
        expected_version=payload.expected_version,
        reason=payload.reason,
    )
    return _out(selectors.get_task_for_user(request.user, task_id), request.user, detail=True)


@router.get("/{int:task_id}/reports", response={200: list[ReportOut], 401: ErrorOut, 404: ErrorOut}, summary="进展报告")
def list_reports(request: HttpRequest, task_id: PathId) -> Any:
    task = selectors.get_task_for_user(request.user, task_id)
    return list(task.reports.model.objects.filter(task=task).order_by("period", "id"))


@router.post(
    "/{int:task_id}/reports",
    response={201: ReportOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="报送进展（牵头单位）",
)
def submit_report(request: HttpRequest, task_id: PathId, payload: ReportIn) -> Status:
    task = selectors.get_task_for_user(request.user, task_id)
    report = services.submit_progress_report(
        actor=request.user,
        task=task,
        text=payload.text,
        percent=payload.percent,
        problems=payload.problems,
        help_needed=payload.help_needed,
        expected_version=payload.expected_version,
    )
    return Status(201, report)


@router.post(
    "/{int:task_id}/urge",
    response={201: TaskActionOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="催办（督查人员）",
)
def urge(request: HttpRequest, task_id: PathId, payload: UrgeIn) -> Status:
    task = selectors.get_task_for_user(request.user, task_id)
    return Status(201, services.urge_task(actor=request.user, task=task, message=payload.message))
