"""Write windows and locks of figures (填报窗口与锁定): the one place that decides whether a write may
change a figure.

A figure (unit × indicator × month) is typed only inside an OPEN window; a LOCKED month never
changes — neither its own figure nor, through the derived month value or YTD, by way of another
month of the same year (`kaifang.indicators.derived.plan_years`). Reporting drives the windows:
a round opens them for its units and indicators, a submitted, approved or locked submission locks
its unit's, a return or an un-approval reopens them, a closed round locks them all. Every value
write (`kaifang.indicators.services`) calls `check_writable` on the rows it is about to write;
callers never check again. An approved correction (数据更正) is the only way past a lock.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from kaifang.accounts.permissions import can_write_for_unit
from kaifang.audit.services import record_event
from kaifang.core import clock
from kaifang.core.actors import actor_name, actor_user
from kaifang.core.bulk import insert_rows
from kaifang.indicators.derived import Moved
from kaifang.indicators.figures import FiguresRefused
from kaifang.indicators.models import DataValue, FigureWindow, Indicator, WindowState
from kaifang.indicators.periods import check_period, month_label
from kaifang.orgs.models import OrgUnit

WINDOW_COLUMNS = ["unit", "indicator", "period", "state", "reason", "changed_by", "changed_by_name", "changed_at"]
MAX_LISTED = 12  # refusals listed one by one; the rest are counted

Key = tuple[int, int, datetime.date]  # (unit id, indicator id, month)


def lock_units(unit_ids: Iterable[int]) -> None:
    """Serialise writes of a unit's figures and windows, so a save never races a lock and derived
    YTDs of later months never race each other. Always in key order, so two writers over
    overlapping sets of units cannot deadlock."""
    list(OrgUnit.objects.select_for_update().filter(pk__in=sorted(set(unit_ids))).order_by("pk").values_list("pk"))


# --- Opening, locking, reopening ------------------------------------------------------------------


def open_windows(
    *, actor: Any, units: Sequence[OrgUnit], indicators: Sequence[Indicator], period: datetime.date, reason: str
) -> int:
    """Open the figures of `units` × `indicators` for `period` to typing (a round opens). A month
    already locked stays locked: only a return, an un-approval or a correction reopens it."""
    where = dict(actor=actor, units=units, indicators=indicators, period=period, reason=reason)
    return _set_state(**where, verb="open", to=WindowState.OPEN, moving_from=())


def lock_windows(
    *, actor: Any, units: Sequence[OrgUnit], indicators: Sequence[Indicator], period: datetime.date, reason: str
) -> int:
    """Lock the figures (submitted, approved, locked, or the round closed) — an already locked one
    takes the newer reason; a figure with no window yet gets a locked one, so nothing can open it by
    accident later."""
    where = dict(actor=actor, units=units, indicators=indicators, period=period, reason=reason)
    moving_from = (WindowState.OPEN, WindowState.LOCKED)
    return _set_state(**where, verb="lock", to=WindowState.LOCKED, moving_from=moving_from)


def reopen_windows(
    *, actor: Any, units: Sequence[OrgUnit], indicators: Sequence[Indicator], period: datetime.date, reason: str
) -> int:
    """Open locked figures again (a submission returned or un-approved while its round is open)."""
    where = dict(actor=actor, units=units, indicators=indicators, period=period, reason=reason)
    return _set_state(**where, verb="reopen", to=WindowState.OPEN, moving_from=(WindowState.LOCKED,))


def _set_state(
    *,
    actor: Any,
    units: Sequence[OrgUnit],
    indicators: Sequence[Indicator],
    period: datetime.date,
    reason: str,
    verb: str,
    to: str,
    moving_from: tuple[str, ...],
) -> int:
    """Create missing windows in state `to` and move existing ones in a state of `moving_from` to
    it; one audit event for the lot. Returns how many windows were created or changed."""
    period = check_period(period)
    units, indicators = list(units), list(indicators)
    for unit in units:
        if not can_write_for_unit(actor, unit):
            raise PermissionDenied(_("您无权更改%(unit)s的填报窗口。") % {"unit": unit.name})
    if not units or not indicators:
        return 0
    reason = (reason or "").strip()[:200]
    now = clock.now()
    user, name = actor_user(actor), actor_name(actor)[:150]
    with transaction.atomic():
        lock_units(u.pk for u in units)
        existing = {
            (unit_id, indicator_id): (pk, state)
            for pk, unit_id, indicator_id, state in FigureWindow.objects.select_for_update()
            .filter(unit__in=units, indicator__in=indicators, period=period)
            .values_list("pk", "unit_id", "indicator_id", "state")
        }
        changing = [pk for pk, state in existing.values() if state in moving_from]
        FigureWindow.objects.filter(pk__in=changing).update(
            state=to, reason=reason, changed_by=user, changed_by_name=name, changed_at=now
        )
        fresh = [
            (u.pk, i.pk, period, to, reason, getattr(user, "pk", None), name, now)
            for u in units
            for i in indicators
            if (u.pk, i.pk) not in existing
        ]
        insert_rows(FigureWindow, WINDOW_COLUMNS, fresh)
        count = len(changing) + len(fresh)
        if count:
            record_event(
                actor=actor,
                action=f"indicators.windows.{verb}",
                object_type="indicators.figurewindow",
                object_repr=_window_label(units, period),
                unit=units[0] if len(units) == 1 else None,
                after={
                    "period": f"{period:%Y-%m}",
                    "state": to,
                    "reason": reason,
                    "units": sorted(u.code for u in units),
                    "indicators": sorted(i.code for i in indicators),
                    "windows": count,
                },
            )
    return count


def _window_label(units: list[OrgUnit], period: datetime.date) -> str:
    if len(units) == 1:
        return f"{units[0].name} {month_label(period)}"
    return _("%(month)s %(n)d 个单位") % {"month": month_label(period), "n": len(units)}


# --- The decision ---------------------------------------------------------------------------------


def check_writable(
    *,
    changing: Sequence[DataValue],
    moved: Sequence[Moved],
    units: dict[int, OrgUnit],
    indicators: dict[int, Indicator],
    typed: bool,
) -> None:
    """Refuse (`FiguresRefused`, nothing applied) a write that would change a figure it may not.

    `changing` are the rows whose own figure or comment is about to change, `moved` the other
    stored months whose derived month value or YTD would follow (from `plan_years`). A typed write
    (`typed`) needs an open window for every changing row; every write, typed or computed, leaves
    every locked month exactly as it is. One query, whatever the number of rows.
    """
    keys = {_key_of(r) for r in changing} | {(m.unit_id, m.indicator_id, m.period) for m in moved}
    if not keys:
        return
    windows = {
        (u, i, p): (state, reason)
        for u, i, p, state, reason in FigureWindow.objects.filter(
            unit_id__in={k[0] for k in keys},
            indicator_id__in={k[1] for k in keys},
            period__in={k[2] for k in keys},
        ).values_list("unit_id", "indicator_id", "period", "state", "reason")
    }
    locked: list[str] = []
    closed: list[str] = []
    refused = [row for row in changing if _refuses(windows.get(_key_of(row)), typed)]
    for row in sorted(refused, key=_key_of):  # only the refused rows are named, in key order
        window = windows.get(_key_of(row))
        names = {"unit": units[row.unit_id].name, "indicator": indicators[row.indicator_id].name}
        if window is not None and window[0] == WindowState.LOCKED:
            locked.append(
                _("%(month)s已锁定（%(reason)s）：%(unit)s %(indicator)s 不能修改；如需修改，请提交数据更正申请。")
                % {"month": month_label(row.period), "reason": window[1] or _("已锁定"), **names}
            )
        elif typed and window is None:
            closed.append(
                _(
                    "%(unit)s %(month)s %(indicator)s 不在开放的报送批次内，不能填报；"
                    "如需修改已报送数据，请提交数据更正申请。"
                )
                % {"month": month_label(row.period), **names}
            )
    earliest = _earliest_change(changing) if moved else {}
    for m in sorted(moved, key=lambda m: (m.unit_id, m.indicator_id, m.period)):
        window = windows.get((m.unit_id, m.indicator_id, m.period))
        if window is None or window[0] != WindowState.LOCKED:
            continue
        locked.append(
            _(
                "%(month)s已锁定（%(reason)s）：修改%(unit)s %(cause)s %(indicator)s 会改变%(month)s的当月值或累计值，"
                "不能保存；如需修改，请提交数据更正申请。"
            )
            % {
                "month": month_label(m.period),
                "reason": window[1] or _("已锁定"),
                "unit": units[m.unit_id].name,
                "cause": month_label(earliest[(m.unit_id, m.indicator_id, m.period.year)]),
                "indicator": indicators[m.indicator_id].name,
            }
        )
    problems = locked + closed
    if not problems:
        return
    if len(problems) > MAX_LISTED:
        problems = [*problems[:MAX_LISTED], _("……另有 %(n)d 项同样不能保存。") % {"n": len(problems) - MAX_LISTED}]
    raise FiguresRefused(problems, code="locked" if locked else "window")


def _refuses(window: tuple[str, str] | None, typed: bool) -> bool:
    """A locked window refuses every write; no window refuses a typed one."""
    return window[0] == WindowState.LOCKED if window is not None else typed


def _key_of(row: DataValue) -> Key:
    return (row.unit_id, row.indicator_id, row.period)


def _earliest_change(changing: Sequence[DataValue]) -> dict[tuple[int, int, int], datetime.date]:
    """(unit id, indicator id, year) → the earliest month being written (what moves the later ones)."""
    out: dict[tuple[int, int, int], datetime.date] = {}
    for row in changing:
        key = (row.unit_id, row.indicator_id, row.period.year)
        out[key] = min(out.get(key, row.period), row.period)
    return out
