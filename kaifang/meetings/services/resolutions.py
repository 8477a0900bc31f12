"""Meeting → supervised tasks: resolutions (会议确定事项) and confirmed speech-parser drafts.

Tasks are always created as drafts through `kaifang.supervision.services.create_task`; nothing a
parser finds is published without a person confirming it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kaifang.audit.services import record_event
from kaifang.core.actors import is_system_actor
from kaifang.meetings import clock
from kaifang.meetings.models import Meeting, Resolution, SpeechDraft
from kaifang.meetings.permissions import can_organise, can_parse_speeches
from kaifang.meetings.speech import build_gazetteer, parse_speech
from kaifang.orgs.models import OrgUnit, UnitKind
from kaifang.supervision.services import create_task

MAX_SPEECH_CHARS = 200_000
ASSIGNABLE_KINDS = (UnitKind.CITY, UnitKind.COUNTY, UnitKind.DEPARTMENT, UnitKind.PLATFORM)


def assignable_units() -> Any:
    """Units a task can be led by: cities, counties, departments and platforms in use today."""
    return OrgUnit.objects.current(clock.today()).filter(kind__in=ASSIGNABLE_KINDS).order_by("path")


def _create_task(**kwargs: Any) -> Any:
    return create_task(**kwargs)


def _validate_task_fields(*, title: str, lead_unit: OrgUnit | None, deadline: datetime.date | None) -> None:
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("请填写事项名称。")
    if lead_unit is None:
        errors["lead_unit"] = _("请选择牵头单位。")
    elif lead_unit.kind not in ASSIGNABLE_KINDS:
        errors["lead_unit"] = _("牵头单位应为市、县（市、区）、省直部门或开放平台。")
    if deadline is None:
        errors["deadline"] = _("请填写完成时限。")
    if errors:
        raise ValidationError(errors)


def add_resolution(
    *,
    actor: Any,
    meeting: Meeting,
    title: str,
    excerpt: str = "",
    speaker: str = "",
    lead_unit: OrgUnit | None = None,
    deadline: datetime.date | None = None,
) -> Resolution:
    """Record a decision of the meeting; it becomes a task later, in one click."""
    if not is_system_actor(actor) and not can_organise(actor, meeting):
        raise PermissionDenied(_("只有会议组织单位可以登记会议确定事项。"))
    if not title.strip():
        raise ValidationError({"title": _("请填写事项名称。")})
    with transaction.atomic():
        ordinal = meeting.resolutions.count() + 1
        resolution = Resolution.objects.create(
            meeting=meeting,
            ordinal=ordinal,
            title=title.strip()[:300],
            excerpt=excerpt.strip(),
            speaker=speaker.strip()[:100],
            lead_unit=lead_unit,
            deadline=deadline,
        )
        record_event(
            actor=actor,
            action="meetings.resolution.add",
            obj=resolution,
            unit=meeting.main_unit,
            after={
                "meeting": meeting.pk,
                "title": resolution.title,
                "lead_unit": lead_unit.code if lead_unit else None,
            },
        )
    return resolution


def make_task_from_resolution(
    *,
    actor: Any,
    resolution: Resolution,
    lead_unit: OrgUnit | None = None,
    deadline: datetime.date | None = None,
) -> tuple[Any, bool]:
    """Turn a resolution into a draft task (once); returns (task id, created now).

    `lead_unit` and `deadline`, when given, complete or correct the resolution's own first.
    """
    meeting = resolution.meeting
    if not is_system_actor(actor) and not can_organise(actor, meeting):
        raise PermissionDenied(_("只有会议组织单位可以把会议确定事项转为督办事项。"))
    lead_unit = lead_unit or resolution.lead_unit
    deadline = deadline or resolution.deadline
    _validate_task_fields(title=resolution.title, lead_unit=lead_unit, deadline=deadline)
    with transaction.atomic():
        locked = Resolution.objects.select_for_update(of=("self",)).select_related("lead_unit").get(pk=resolution.pk)
        if locked.task_id is not None:
            return locked.task_id, False
        locked.lead_unit, locked.deadline = lead_unit, deadline
        task = _create_task(
            actor=actor,
            title=locked.title,
            lead_unit=locked.lead_unit,
            deadline=locked.deadline,
            body=locked.excerpt,
            responsible_leader=locked.speaker,
            source_kind="meeting",
            source_title=meeting.title,
            source_excerpt=locked.excerpt or locked.title,
            source_meeting_id=meeting.pk,
        )
        locked.task_id = task.pk
        locked.version += 1
        locked.save(update_fields=["task_id", "lead_unit", "deadline", "version"])
        record_event(
            actor=actor,
            action="meetings.resolution.make_task",
            obj=locked,
            unit=meeting.main_unit,
            after={"task": task.pk},
        )
    return task.pk, True


def parse_speech_text(text: str) -> dict[str, Any]:
    """Parse with the current org tree as gazetteer; ValidationError (Chinese) for unusable input."""
    if len(text) > MAX_SPEECH_CHARS:
        raise ValidationError({"text": _("文字过长（超过 20 万字）：请拆分后分次解析。")})
    try:
        return parse_speech(text, gazetteer=build_gazetteer())
    except ValueError as exc:
        raise ValidationError({"text": str(exc)}) from exc


def save_speech_draft(*, actor: Any, text: str, meeting: Meeting | None = None) -> SpeechDraft:
    """Parse a speech and keep the result as a draft awaiting confirmation."""
    if not is_system_actor(actor) and not can_parse_speeches(actor):
        raise PermissionDenied(_("只有省级督查人员可以解析讲话。"))
    if meeting is not None and not is_system_actor(actor) and not can_organise(actor, meeting):
        raise PermissionDenied(_("您无权为该会议生成督办事项。"))
    result = parse_speech_text(text)
    with transaction.atomic():
        draft = SpeechDraft.objects.create(
            meeting=meeting,
            title=(result.get("title") or "")[:200],
            text=text,
            result=result,
            created_by=actor if not is_system_actor(actor) else None,
        )
        record_event(
            actor=actor,
            action="meetings.speech.parse",
            obj=draft,
            unit=getattr(actor, "unit", None),
            after={"items": len(draft.items()), "meeting": meeting.pk if meeting else None},
        )
    return draft


@dataclass
class ConfirmedItem:
    """One ticked row of the draft table, as the supervisor edited it."""

    title: str
    body: str
    lead_unit: OrgUnit | None
    deadline: datetime.date | None
    speaker: str = ""
    places: str = ""


def confirm_speech_draft(*, actor: Any, draft: SpeechDraft, items: list[ConfirmedItem]) -> list[int]:
    """Turn the ticked items into draft tasks (and the meeting's resolutions), all or nothing, once."""
    if not is_system_actor(actor) and not can_parse_speeches(actor):
        raise PermissionDenied(_("只有省级督查人员可以确认解析结果。"))
    if not items:
        raise ValidationError(_("请至少勾选一项。"))
    for item in items:
        _validate_task_fields(title=item.title, lead_unit=item.lead_unit, deadline=item.deadline)
    with transaction.atomic():
        locked = SpeechDraft.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=draft.pk)
        if locked.confirmed_at is not None:
            raise ValidationError(_("这份解析结果已经确认过，督办事项已生成，不会重复生成。"), code="already_confirmed")
        meeting = locked.meeting
        task_ids: list[int] = []
        for item in items:
            excerpt = item.body.strip() or item.title
            task = _create_task(
                actor=actor,
                title=item.title.strip()[:200],
                lead_unit=item.lead_unit,
                deadline=item.deadline,
                body=item.body.strip(),
                responsible_leader=item.speaker.strip(),
                source_kind="meeting" if meeting else "document",
                source_title=meeting.title if meeting else (locked.title or _("讲话")),
                source_excerpt=excerpt,
                source_meeting_id=meeting.pk if meeting else None,
            )
            task_ids.append(task.pk)
            if meeting is not None:
                Resolution.objects.create(
                    meeting=meeting,
                    ordinal=meeting.resolutions.count() + 1,
                    title=item.title.strip()[:300],
                    excerpt=excerpt,
                    speaker=item.speaker.strip()[:100],
                    lead_unit=item.lead_unit,
                    deadline=item.deadline,
                    task_id=task.pk,
                )
        locked.confirmed_at = clock.now()
        locked.task_ids = task_ids
        locked.save(update_fields=["confirmed_at", "task_ids"])
        record_event(
            actor=actor,
            action="meetings.speech.confirm",
            obj=locked,
            unit=getattr(actor, "unit", None),
            after={"tasks": task_ids, "meeting": meeting.pk if meeting else None},
        )
    return task_ids
