"""Writes of the reporting workflow: rounds, a submission's figures, and its transitions.

Figures go through `kaifang.indicators.services.save_many`, the one door that checks permission,
the catalogue, the figure, the write window and the lock (and versions, history, exact YTD). A
round adds only that a submission carries the round's indicators. Reporting records what happens
to rounds and submissions and drives the figures' windows through
`kaifang.indicators.services.windows`: a round opens them, a submitted, approved or locked
submission locks its unit's, a return or un-approval reopens them while the round is open, and
a closed round locks them all. Indicators decide every write against them. A transition follows
the table in `kaifang.reporting.workflow`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kaifang.accounts.permissions import is_supervisor
from kaifang.audit.services import record_event
from kaifang.core import clock
from kaifang.core.actors import actor_name as _actor_name
from kaifang.core.actors import actor_user as _actor_user
from kaifang.core.actors import is_system_actor
from kaifang.core.versions import check_version
from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.models import Indicator, Source
from kaifang.indicators.periods import check_period
from kaifang.indicators.selectors import stored_entries
from kaifang.indicators.services import save_many
from kaifang.indicators.services.windows import lock_windows, open_windows, reopen_windows
from kaifang.orgs.models import OrgUnit
from kaifang.reporting.models import (
    ReportingRound,
    RoundKind,
    RoundStatus,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    Timeliness,
)
from kaifang.reporting.notices import notify_transition
from kaifang.reporting.validation import CheckResult, check_values
from kaifang.reporting.workflow import ACTION_LABELS, TRANSITIONS, parts_of

if TYPE_CHECKING:
    from kaifang.indicators.models import DataValue

# The result state of each action whose repetition is harmless: repeating it is a no-op.
REPEATABLE_RESULT = {
    "submit": SubmissionStatus.SUBMITTED,
    "approve": SubmissionStatus.APPROVED,
    "return": SubmissionStatus.RETURNED,
    "lock": SubmissionStatus.LOCKED,
}


def server_now() -> datetime.datetime:
    """The app clock at commit time (`kaifang.core.clock.now`); timeliness is decided by it. The
    demo loader pins it with `pinned_clock` to replay July 2018; tests replace this function."""
    return clock.now()


# Replay history at a moment (the demo loader); never used by a request.
pinned_clock = clock.pinned


def timeliness_of(round_: ReportingRound, at: datetime.datetime) -> str:
    """On time up to the deadline; within grace up to deadline + grace days; late after."""
    if at <= round_.deadline:
        return Timeliness.ON_TIME
    if at <= round_.grace_until:
        return Timeliness.GRACE
    return Timeliness.LATE


# --- Rounds --------------------------------------------------------------------------------------


def open_round(
    *,
    actor: Any,
    period: datetime.date,
    name: str,
    indicators: Iterable[Indicator],
    units: Iterable[OrgUnit],
    opens_at: datetime.datetime,
    deadline: datetime.datetime,
    grace_days: int = 0,
    kind: str = RoundKind.MONTHLY,
    planned: bool = False,
) -> ReportingRound:
    """Create a round, a draft submission for every required unit (a monthly round; a historical
    round has none) and open the figures' windows of its units × indicators for its month.
    Province supervisors only (or a system actor such as the demo loader). A `planned` round (the
    year's calendar) opens nothing yet: `open_planned_round` opens its windows when its day comes."""
    if not is_system_actor(actor) and not is_supervisor(actor):
        raise PermissionDenied("只有省级督查可以发起报送批次。")
    if kind not in RoundKind.values:
        raise ValidationError("未知的报送批次类型。", code="kind")
    period = check_period(period)
    if deadline < opens_at:
        raise ValidationError("截止时间不能早于开始时间。", code="dates")
    indicators, units = list(indicators), list(units)
    if not indicators or not units:
        raise ValidationError("报送批次至少要有一个指标和一个报送单位。", code="empty")
    with transaction.atomic():
        if ReportingRound.objects.filter(period=period, name=name).exists():
            raise ValidationError(f"已有同名的报送批次：{name}。", code="duplicate")
        round_ = ReportingRound.objects.create(
            period=period,
            name=name,
            kind=kind,
            opens_at=opens_at,
            deadline=deadline,
            grace_days=grace_days,
            status=RoundStatus.PLANNED if planned else RoundStatus.OPEN,
            created_by=_actor_user(actor),
        )
        round_.indicators.set(indicators)
        round_.units.set(units)
        if kind == RoundKind.MONTHLY:
            Submission.objects.bulk_create([Submission(round=round_, unit=u) for u in units])
        if not planned:
            open_windows(
                actor=actor, units=units, indicators=_stored(indicators), period=period, reason=f"报送批次“{name}”"
            )
        record_event(
            actor=actor,
            action="reporting.round.open",
            obj=round_,
            after={
                "kind": kind,
                "period": f"{period:%Y-%m}",
                "indicators": [i.code for i in indicators],
                "units": len(units),
                "deadline": deadline,
                "grace_days": grace_days,
            },
        )
    return round_


# --- Figures -------------------------------------------------------------------------------------


def open_planned_round(*, actor: Any, round_: ReportingRound) -> None:
    """A planned round's day has come: its figures' windows open (inside the caller's transaction)."""
    open_windows(
        actor=actor,
        units=list(round_.units.all()),
        indicators=_stored(round_.indicators.all()),
        period=round_.period,
        reason=f"报送批次“{round_.name}”",
    )


def _stored(indicators: Iterable[Indicator]) -> list[Indicator]:
    """The round's indicators whose figures are stored (typed and ledger-derived; a formula's is
    computed when read): these have windows."""
    return [i for i in indicators if i.source != Source.FORMULA]


def save_submission_values(*, actor: Any, submission: Submission, entries: list[ValueEntry]) -> list[DataValue]:
    """Save figures of a submission, all or nothing, through `save_many` (which decides whether the
    submission's figures are open: a submitted, approved or locked one, or one of a closed round,
    is refused there). Only the round's typed indicators are accepted. Stale versions raise
    `StaleValues` (nothing applied)."""
    return save_submissions_values(actor=actor, items=[(submission, entries)])[0]


def save_submissions_values(*, actor: Any, items: list[tuple[Submission, list[ValueEntry]]]) -> list[list[DataValue]]:
    """`save_submission_values` for several submissions of one round (an Excel import of a city and
    its counties): one `save_many` call, one transaction, nothing applied if any unit fails."""
    if not items:
        return []
    with transaction.atomic():
        current = {
            s.pk: s
            for s in Submission.objects.select_for_update(of=("self",))
            .select_related("round", "unit")
            .filter(pk__in=sorted(s.pk for s, _e in items))
            .order_by("pk")
        }
        rounds = {s.round_id for s in current.values()}
        if len(rounds) != 1:
            raise ValidationError("一次只能保存同一报送批次的数据。", code="round")
        round_ = next(iter(current.values())).round
        allowed = {i.code for i in round_.indicators.all() if i.is_typed}
        batches: list[tuple[OrgUnit, list[ValueEntry]]] = []
        for submission, entries in items:
            foreign = [e.indicator_code for e in entries if e.indicator_code not in allowed]
            if foreign:
                raise ValidationError(
                    f"以下指标不在本批次的填报范围内：{'、'.join(sorted(set(foreign)))[:200]}。", code="indicator"
                )
            batches.append((current[submission.pk].unit, entries))
        return save_many(actor=actor, period=round_.period, batches=batches)


def submission_figures(submission: Submission) -> tuple[dict[str, Any], dict[str, str]]:
    """The submission's stored figures (as typed) and comments by indicator code."""
    rows = stored_entries(
        units=[submission.unit], period=submission.round.period, indicators=submission.round.indicators.all()
    )
    values = {code: entry.reported for (_u, code), entry in rows.items()}
    comments = {code: entry.comment for (_u, code), entry in rows.items()}
    return values, comments


def check_submission(
    submission: Submission, *, typed: dict[str, Any] | None = None, comments: dict[str, str] | None = None, final: bool
) -> CheckResult:
    """Run the validation rules on typed figures (the form as you type) or, by default, the stored ones."""
    stored_values, stored_comments = submission_figures(submission)
    return check_values(
        unit=submission.unit,
        period=submission.round.period,
        indicators=list(submission.round.indicators.all()),
        typed=stored_values if typed is None else typed,
        comments=stored_comments if comments is None else comments,
        final=final,
    )


# --- Transitions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    submission: Submission
    applied: bool  # False: a repeat of an action already applied (idempotent no-op)


def transition(
    *,
    actor: Any,
    submission: Submission,
    action: str,
    reason: str = "",
    key: str = "",
    expected_version: int | None = None,
) -> Outcome:
    """Apply one workflow action, or refuse it with a clear Chinese message.

    Order of checks: the actor's part for this unit (PermissionDenied); a repeat (same key, or the
    result state already holds) is a no-op; a stale `expected_version` raises code "stale"; an
    action the table does not allow from the current state raises code "state". Submitting runs
    every validation rule on the stored figures. Audited and notified in the same transaction.
    """
    if action not in ACTION_LABELS:
        raise ValidationError("未知的操作。", code="action")
    key = (key or "")[:64]
    reason = (reason or "").strip()[:1000]
    who_may = TRANSITIONS.who_may(action)
    if not is_system_actor(actor) and not parts_of(actor, submission.unit) & who_may:
        raise PermissionDenied(f"您无权对{submission.unit.name}的报送执行“{ACTION_LABELS[action]}”。")
    try:
        with transaction.atomic():
            return _transition(
                actor=actor, pk=submission.pk, action=action, reason=reason, key=key, expected_version=expected_version
            )
    except IntegrityError:
        # The same key was applied by a concurrent request an instant ago: that one counts.
        current = Submission.objects.select_related("round", "unit").get(pk=submission.pk)
        if key and current.events.filter(key=key).exists():
            return Outcome(current, applied=False)
        raise


def _transition(*, actor: Any, pk: int, action: str, reason: str, key: str, expected_version: int | None) -> Outcome:
    sub = Submission.objects.select_for_update().select_related("round", "unit").get(pk=pk)
    if key and sub.events.filter(key=key).exists():
        return Outcome(sub, applied=False)
    if REPEATABLE_RESULT.get(action) == sub.status and (expected_version is None or expected_version < sub.version):
        return Outcome(sub, applied=False)
    check_version(
        sub,
        expected_version,
        f"该报送已被他人处理（当前状态“{sub.get_status_display()}”，第 {sub.version} 版），请刷新后再操作。",
    )
    to_status = TRANSITIONS.transition(
        sub.status,
        action,
        None if is_system_actor(actor) else parts_of(actor, sub.unit),
        refused=f"{sub.unit.name}的报送当前为“{sub.get_status_display()}”，不能“{ACTION_LABELS[action]}”。",
        forbidden=f"您无权对{sub.unit.name}的报送执行“{ACTION_LABELS[action]}”。",
        code="state",
    ).to
    now = server_now()
    from_status = sub.status
    before = {"status": sub.status, "version": sub.version}
    if action == "submit":
        _check_can_submit(sub, now)
        sub.submitted_at, sub.submitted_by = now, _actor_user(actor)
        if sub.first_submitted_at is None:
            sub.first_submitted_at = now
            sub.timeliness = timeliness_of(sub.round, now)
        sub.return_reason = ""
    elif action == "return":
        if not reason:
            raise ValidationError("退回时必须填写退回原因。", code="reason")
        sub.return_reason = reason
        sub.reviewed_at, sub.reviewed_by = now, _actor_user(actor)
    elif action == "withdraw":
        if sub.round.status != RoundStatus.OPEN:
            raise ValidationError("该报送批次已关闭，撤回后无法再提交，不能撤回。", code="closed")
    else:  # a withdrawal keeps its first submission time (timeliness) and is no review
        sub.reviewed_at, sub.reviewed_by = now, _actor_user(actor)
    sub.status = to_status
    sub.version += 1
    sub.updated_at = now
    sub.save()
    SubmissionEvent.objects.create(
        submission=sub,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=_actor_user(actor),
        actor_name=_actor_name(actor),
        at=now,
        reason=reason,
        key=key,
    )
    _move_windows(actor, sub, action)
    notify_transition(sub, action, reason)
    record_event(
        actor=actor,
        action=f"reporting.submission.{action}",
        obj=sub,
        unit=sub.unit,
        before=before,
        after={"status": sub.status, "version": sub.version, "timeliness": sub.timeliness, "reason": reason or None},
    )
    return Outcome(sub, applied=True)


# What a submission's figures become after each action, and the reason their windows record.
LOCKING = {"submit": "已提交", "approve": "已审核", "lock": "已锁定"}
REOPENING = {"return": "已退回修改", "unapprove": "已撤销审核", "withdraw": "已撤回修改"}


def _move_windows(actor: Any, sub: Submission, action: str) -> None:
    """Lock the unit's figures of the round once submitted (approved, locked); reopen them when it
    is returned or un-approved — only while the round is open (a closed round keeps them locked)."""
    indicators = _stored(sub.round.indicators.all())
    where = dict(actor=actor, units=[sub.unit], indicators=indicators, period=sub.round.period)
    if action in LOCKING:
        lock_windows(**where, reason=f"{sub.unit.name}报送{LOCKING[action]}")
    elif action in REOPENING and sub.round.status == RoundStatus.OPEN:
        reopen_windows(**where, reason=f"{sub.unit.name}报送{REOPENING[action]}")


def _check_can_submit(sub: Submission, now: datetime.datetime) -> None:
    if sub.round.status != RoundStatus.OPEN:
        raise ValidationError("该报送批次未开放，不能提交。", code="closed")
    if now < sub.round.opens_at:
        raise ValidationError(
            f"该报送批次 {timezone.localtime(sub.round.opens_at):%Y-%m-%d %H:%M} 才开始。", code="early"
        )
    check_submission(sub, final=True).raise_if_blocking()


def close_round(*, actor: Any, round_: ReportingRound) -> ReportingRound:
    """Close a round: nothing more can be typed or submitted in it — every figure of its units ×
    indicators is locked."""
    if not is_system_actor(actor) and not is_supervisor(actor):
        raise PermissionDenied("只有省级督查可以关闭报送批次。")
    with transaction.atomic():
        current = ReportingRound.objects.select_for_update().get(pk=round_.pk)
        if current.status == RoundStatus.CLOSED:
            return current
        current.status = RoundStatus.CLOSED
        current.version += 1
        current.save(update_fields=["status", "version"])
        lock_windows(
            actor=actor,
            units=list(current.units.all()),
            indicators=_stored(current.indicators.all()),
            period=current.period,
            reason="报送批次已关闭",
        )
        record_event(actor=actor, action="reporting.round.close", obj=current, after={"status": current.status})
    return current
