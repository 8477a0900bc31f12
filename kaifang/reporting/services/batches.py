"""Batch writes of the approval queue: 批量审核 / 批量退回 and 催报.

A batch is all or nothing per request: every ticked unit goes through `transition` (the same
checks, audit and notices as one action), inside one transaction; if any unit is refused, nothing
is applied and every unit gets its result (refused with the reason, or "not applied because
another unit was refused"). 催报 reminds units whose report is not in (draft, not started or
returned): a notice to the unit, a `Reminder` row and an audit record, at most once a day each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kaifang.audit.services import record_event
from kaifang.core import clock
from kaifang.core.actors import is_system_actor
from kaifang.indicators.periods import month_label
from kaifang.notifications.services import notify_unit
from kaifang.reporting.models import Reminder, ReportingRound, Submission, SubmissionStatus
from kaifang.reporting.services import transition
from kaifang.reporting.workflow import ACTION_LABELS, REVIEWER, parts_of

BATCH_ACTIONS = ("approve", "return")
MAX_BATCH = 500
URGEABLE = (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)


@dataclass(frozen=True)
class BatchItem:
    unit: str  # unit code
    expected_version: int | None = None
    reason: str = ""  # this unit's own reason (退回: overrides the common one)


@dataclass
class UnitResult:
    unit: str
    unit_name: str = ""
    ok: bool = False  # this unit passed every check
    applied: bool = False  # and the change was committed (False: a repeat, or the batch was refused)
    status: str = ""
    version: int | None = None
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "unit_name": self.unit_name,
            "ok": self.ok,
            "applied": self.applied,
            "status": self.status,
            "version": self.version,
            "message": self.message,
        }


@dataclass
class BatchOutcome:
    action: str
    applied: bool  # the whole batch was committed
    results: list[UnitResult] = field(default_factory=list)

    @property
    def refused(self) -> list[UnitResult]:
        return [r for r in self.results if not r.ok]


class _Refused(Exception):
    """Raised inside the batch's transaction to roll every unit back."""


def _message(exc: Exception) -> str:
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else (str(exc) or "无权操作。")


def _submissions(user: Any, round_: ReportingRound, items: list[BatchItem]) -> dict[str, Submission]:
    codes = [i.unit[:32] for i in items]
    subs = Submission.objects.filter(round=round_, unit__code__in=codes).select_related("unit", "round")
    if not is_system_actor(user):
        subs = subs.filter(pk__in=Submission.objects.visible_to(user).values("pk"))
    return {s.unit.code: s for s in subs}


def _check_size(items: list[BatchItem]) -> None:
    if not items:
        raise ValidationError("请至少勾选一个单位。", code="empty")
    if len(items) > MAX_BATCH:
        raise ValidationError(f"一次最多处理 {MAX_BATCH} 个单位。", code="size")
    codes = [i.unit for i in items]
    if len(set(codes)) != len(codes):
        raise ValidationError("同一单位在一次操作中只能出现一次。", code="duplicate")


def batch_transition(
    *, actor: Any, round_: ReportingRound, action: str, items: list[BatchItem], reason: str = "", key: str = ""
) -> BatchOutcome:
    """批量审核 or 批量退回 the ticked units of a round, all or nothing. A return needs a reason for
    every unit: its own, or the common `reason`. `key` makes a retried request apply once."""
    if action not in BATCH_ACTIONS:
        raise ValidationError("批量操作只能是审核通过或退回。", code="action")
    _check_size(items)
    subs = _submissions(actor, round_, items)
    outcome = BatchOutcome(action=action, applied=False)
    try:
        with transaction.atomic():
            for item in items:
                result = UnitResult(unit=item.unit)
                outcome.results.append(result)
                sub = subs.get(item.unit)
                if sub is None:
                    result.message = f"单位“{item.unit[:32]}”不在本批次中，或您无权查看。"
                    continue
                result.unit_name = sub.unit.name
                why = (item.reason or reason).strip()
                try:
                    with transaction.atomic():
                        done = transition(
                            actor=actor,
                            submission=sub,
                            action=action,
                            reason=why,
                            key=f"{key[:40]}-{sub.pk}" if key else "",
                            expected_version=item.expected_version,
                        )
                except (ValidationError, PermissionDenied) as exc:
                    result.message = _message(exc)
                    continue
                result.ok, result.applied = True, done.applied
                result.status, result.version = done.submission.status, done.submission.version
                label = ACTION_LABELS[action]
                result.message = f"已{label}。" if done.applied else f"此前已{label}，未重复执行。"
            if outcome.refused:
                raise _Refused
    except _Refused:
        for result in outcome.results:
            if result.ok:
                result.applied = False
                result.message = "本单位可以处理，但同批有单位未通过，整批未执行。"
        return outcome
    outcome.applied = True
    return outcome


def urge(*, actor: Any, round_: ReportingRound, units: list[str], note: str = "") -> BatchOutcome:
    """催报: remind each unit (its report in draft, not started or returned) — all or nothing. The
    actor must review the unit. A unit already reminded today is not reminded twice (ok, not applied)."""
    items = [BatchItem(unit=u) for u in units]
    _check_size(items)
    note = (note or "").strip()[:200]
    subs = _submissions(actor, round_, items)
    outcome = BatchOutcome(action="urge", applied=False)
    today = clock.today()
    for item in items:
        result = UnitResult(unit=item.unit)
        outcome.results.append(result)
        sub = subs.get(item.unit)
        if sub is None:
            result.message = f"单位“{item.unit[:32]}”不在本批次中，或您无权查看。"
            continue
        result.unit_name, result.status, result.version = sub.unit.name, sub.status, sub.version
        if not is_system_actor(actor) and REVIEWER not in parts_of(actor, sub.unit):
            result.message = f"您不是{sub.unit.name}的审核单位，不能催报。"
        elif sub.status not in URGEABLE:
            result.message = f"{sub.unit.name}的报送为“{sub.get_status_display()}”，无需催报。"
        else:
            result.ok = True
    if outcome.refused:
        for result in outcome.results:
            if result.ok:
                result.message = "本单位可以催报，但同批有单位不能催报，整批未执行。"
        return outcome
    with transaction.atomic():
        for result in outcome.results:
            sub = subs[result.unit]
            if Reminder.objects.filter(submission=sub, at__date=today).exists():
                result.message = "今天已催报过，未重复发送。"
                continue
            label = f"{month_label(round_.period)}“{round_.name}”"
            title = f"请尽快报送{label}（截止 {timezone.localtime(round_.deadline):%m-%d %H:%M}）"
            notified = notify_unit(
                unit=sub.unit,
                kind="reporting.urged",
                title=title,
                body=note,
                dedup_key=f"reporting.urge.{sub.pk}.{today:%Y%m%d}",
                url=reverse("reporting:entry", args=[round_.pk, sub.unit.code]),
            )
            name = actor if isinstance(actor, str) else str(getattr(actor, "username", "") or actor)
            reminder = Reminder.objects.create(
                submission=sub,
                actor=actor if getattr(actor, "pk", None) is not None else None,
                actor_name=name[:150],
                at=clock.now(),
                status=sub.status,
                note=note,
                notified=notified,
            )
            record_event(
                actor=actor,
                action="reporting.submission.urge",
                obj=sub,
                unit=sub.unit,
                after={"status": sub.status, "note": note or None, "notified": notified, "reminder": reminder.pk},
            )
            result.applied = True
            result.message = (
                f"已催报，通知 {notified} 人。" if notified else "已催报（该单位暂无系统账号，请电话联系）。"
            )
    outcome.applied = True
    return outcome
