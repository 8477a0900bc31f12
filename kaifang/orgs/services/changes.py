"""Division changes (区划调整) as operations: propose → review → apply, one service, audited.

A province system administrator proposes a change (rename/recode, merge, split, move) with its
effective month; another one reviews it (four eyes); a system administrator applies it. Applying
creates the new units from the effective month, ends the old ones the day before, writes the
lineage (which share of each old unit's figures belongs to each new one: the rule last year's
figures are re-mapped by), and lets every area move what the change carries (targets, open tasks,
ledger projects, accounts: `kaifang.orgs.movers`). Figures already reported stay where they were
reported; published results are never touched. `dry_run` lists everything a change would touch.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kaifang.audit.services import record_event
from kaifang.core import clock
from kaifang.core.actors import actor_name, is_system_actor
from kaifang.orgs.models import (
    ADMIN_DIVISION_KINDS,
    ChangeKind,
    ChangeState,
    DivisionChange,
    DivisionLineage,
    OrgUnit,
)
from kaifang.orgs.movers import Affected, Moves, movers
from kaifang.orgs.services import short_name_for, upsert_unit

ONE = Decimal(1)
CODE = re.compile(r"^\d{6}$")


def _require_admin(actor: Any) -> None:
    if is_system_actor(actor):
        return
    if getattr(actor, "role", None) != "province_admin" or not getattr(actor, "is_active", False):
        raise PermissionDenied(_("只有省级系统管理员可以办理区划调整。"))


def _share(value: Any, where: str) -> Decimal:
    try:
        share = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(_("%(w)s：份额“%(v)s”不是数字。") % {"w": where, "v": value}) from exc
    if not Decimal(0) < share <= ONE:
        raise ValidationError(_("%(w)s：份额应大于 0 且不超过 1。") % {"w": where})
    return share


def _normalise_results(kind: str, sources: list[OrgUnit], results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Check the results against the kind and fill parent, name and share as the kind implies."""
    counts = {
        ChangeKind.RENAME: (1, 1, 1, 1),
        ChangeKind.MERGE: (2, 99, 1, 1),
        ChangeKind.SPLIT: (1, 1, 2, 99),
        ChangeKind.MOVE: (1, 1, 1, 1),
    }
    low_s, high_s, low_r, high_r = counts[ChangeKind(kind)]
    if not low_s <= len(sources) <= high_s:
        raise ValidationError(_("调整前单位的个数不符合“%(k)s”。") % {"k": ChangeKind(kind).label})
    if not low_r <= len(results) <= high_r:
        raise ValidationError(_("调整后单位的个数不符合“%(k)s”。") % {"k": ChangeKind(kind).label})
    source_codes = {s.code for s in sources}
    out, seen = [], set()
    for index, raw in enumerate(results, start=1):
        where = _("调整后第 %(n)d 个单位") % {"n": index}
        code = str(raw.get("code") or "").strip()
        if not CODE.match(code):
            raise ValidationError(_("%(w)s：代码“%(v)s”不是 6 位行政区划代码。") % {"w": where, "v": code})
        if code in seen:
            raise ValidationError(_("%(w)s：代码 %(v)s 重复。") % {"w": where, "v": code})
        seen.add(code)
        existing = OrgUnit.objects.filter(code=code).first()
        taken = existing is not None and code not in source_codes
        if taken and existing is not None and (kind != ChangeKind.MERGE or not existing.is_current()):
            raise ValidationError(
                _("%(w)s：代码 %(v)s 已被“%(n)s”使用。") % {"w": where, "v": code, "n": existing.name}
            )
        parent_code = str(raw.get("parent") or (existing.parent.code if existing and existing.parent else "")).strip()
        parent_code = parent_code or (sources[0].parent.code if sources[0].parent else "")
        if not OrgUnit.objects.filter(code=parent_code).exists():
            raise ValidationError(_("%(w)s：上级代码 %(v)s 不存在。") % {"w": where, "v": parent_code})
        name = str(raw.get("name") or (existing.name if existing else "")).strip()
        if not name:
            raise ValidationError(_("%(w)s：名称不能为空。") % {"w": where})
        entry: dict[str, Any] = {"code": code, "name": name, "parent": parent_code, "share": "1"}
        if kind == ChangeKind.SPLIT:
            subs = raw.get("sub_units") or []
            if subs:
                entry["sub_units"] = [
                    {"name": str(s.get("name", "")).strip(), "share": str(_share(s.get("share"), where))} for s in subs
                ]
                entry["share"] = str(sum((Decimal(s["share"]) for s in entry["sub_units"]), Decimal(0)))
            else:
                entry["share"] = str(_share(raw.get("share"), where))
        out.append(entry)
    if kind == ChangeKind.SPLIT and sum(Decimal(r["share"]) for r in out) != ONE:
        raise ValidationError(
            _("拆分后各单位的份额合计应为 1（现为 %(s)s）。") % {"s": sum(Decimal(r["share"]) for r in out)}
        )
    if kind == ChangeKind.MOVE and out[0]["parent"] == (sources[0].parent.code if sources[0].parent else ""):
        raise ValidationError(_("变更隶属须换一个上级单位。"))
    if kind == ChangeKind.MOVE and out[0]["code"] == sources[0].code:
        # The code's first digits name the city: a new parent means a new code, and the old unit
        # ends, so the old parent's past totals keep it (history as reported).
        raise ValidationError(_("变更隶属须使用新的行政区划代码（代码前四位表示所属市）。"))
    if kind == ChangeKind.RENAME and out[0]["code"] == sources[0].code and out[0]["name"] == sources[0].name:
        raise ValidationError(_("更名后的名称和代码与原来相同。"))
    return out


def propose(
    *,
    actor: Any,
    kind: str,
    effective: datetime.date,
    sources: list[str],
    results: list[dict[str, Any]],
    heir: str = "",
    document: str = "",
    note: str = "",
) -> DivisionChange:
    """Record a proposed change after checking it; nothing in the tree changes yet."""
    _require_admin(actor)
    if kind not in ChangeKind.values:
        raise ValidationError(_("未知的调整类型：%(k)s") % {"k": kind})
    effective = effective.replace(day=1)
    units = []
    for code in sources:
        unit = OrgUnit.objects.filter(code=str(code).strip()).first()
        if unit is None or unit.kind not in ADMIN_DIVISION_KINDS:
            raise ValidationError(_("调整前单位 %(c)s 不是现有的行政区划。") % {"c": code})
        if not unit.is_current(effective - datetime.timedelta(days=1)):
            raise ValidationError(_("调整前单位“%(n)s”在生效月份之前已停用。") % {"n": unit.name})
        units.append(unit)
    if len({u.code for u in units}) != len(units):
        raise ValidationError(_("调整前单位重复。"))
    clean = _normalise_results(kind, units, results)
    heir = heir.strip() or clean[0]["code"]
    if heir not in {r["code"] for r in clean}:
        raise ValidationError(_("承接单位 %(c)s 须是调整后的单位之一。") % {"c": heir})
    with transaction.atomic():
        change = DivisionChange.objects.create(
            kind=kind,
            effective=effective,
            sources=[{"code": u.code, "name": u.name, "parent": u.parent.code if u.parent else ""} for u in units],
            results=clean,
            heir=heir,
            document=document.strip()[:200],
            note=note.strip(),
            proposed_by=actor_name(actor),
            proposed_at=clock.now(),
        )
        record_event(actor=actor, action="orgs.change.propose", obj=change, after=_snapshot(change))
    return change


def _snapshot(change: DivisionChange) -> dict[str, Any]:
    return {
        "kind": change.kind,
        "effective": change.effective.isoformat(),
        "state": change.state,
        "sources": change.sources,
        "results": change.results,
        "heir": change.heir,
    }


def _locked(change_id: int, version: int | None) -> DivisionChange:
    change = DivisionChange.objects.select_for_update().filter(pk=change_id).first()
    if change is None:
        raise ValidationError(_("区划调整 %(id)s 不存在。") % {"id": change_id})
    if version is not None and change.version != version:
        raise ValidationError(_("这项区划调整已被他人修改，请刷新后重试。"), code="stale")
    return change


def review(
    *, actor: Any, change_id: int, approve: bool = True, version: int | None = None, note: str = ""
) -> DivisionChange:
    """A second administrator reviews a proposal: approved (reviewed) or sent back (rejected)."""
    _require_admin(actor)
    with transaction.atomic():
        change = _locked(change_id, version)
        if change.state != ChangeState.PROPOSED:
            raise ValidationError(_("只有“已提出”的调整可以审核（现为“%(s)s”）。") % {"s": change.get_state_display()})
        if not is_system_actor(actor) and change.proposed_by == actor_name(actor):
            raise PermissionDenied(_("提出人不能审核自己提出的调整。"))
        before = _snapshot(change)
        change.state = ChangeState.REVIEWED if approve else ChangeState.REJECTED
        change.reviewed_by, change.reviewed_at = actor_name(actor), clock.now()
        if note:
            change.note = f"{change.note}\n{note}".strip()
        change.version += 1
        change.save()
        record_event(actor=actor, action="orgs.change.review", obj=change, before=before, after=_snapshot(change))
    return change


def moves_of(change: DivisionChange) -> Moves:
    """The change as the movers read it: each source's results with shares, and its heir."""
    shares: dict[str, list[tuple[str, Decimal]]] = {}
    heirs: dict[str, str] = {}
    for source in change.sources:
        code = source["code"]
        shares[code] = [(r["code"], Decimal(r["share"])) for r in change.results]
        heirs[code] = change.heir or change.results[0]["code"]
    codes = [*shares, *(r["code"] for r in change.results)]
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    return Moves(change=change, effective=change.effective, shares=shares, heirs=heirs, units=units)


def dry_run(change: DivisionChange) -> list[Affected]:
    """Everything applying `change` would touch (units, figures, targets, tasks, projects, accounts)."""
    moves = moves_of(change)
    out = [
        Affected(_("单位"), r["code"], r["name"], _("新设") if r["code"] not in moves.units else _("保留"))
        for r in change.results
    ]
    result_codes = {r["code"] for r in change.results}
    for source in change.sources:
        if source["code"] not in result_codes:
            day = change.effective - datetime.timedelta(days=1)
            out.append(Affected(_("单位"), source["code"], source["name"], _("于 %(d)s 停用") % {"d": day}))
    for mover in movers():
        out.extend(mover(moves, actor=None, commit=False))
    return out


def apply(*, actor: Any, change_id: int, version: int | None = None) -> tuple[DivisionChange, list[Affected]]:
    """Apply a reviewed change to the tree and let every area move what it carries; one transaction."""
    _require_admin(actor)
    with transaction.atomic():
        change = _locked(change_id, version)
        if change.state != ChangeState.REVIEWED:
            raise ValidationError(_("只有“已审核”的调整可以实施（现为“%(s)s”）。") % {"s": change.get_state_display()})
        ended = change.effective - datetime.timedelta(days=1)
        sources = {s["code"]: OrgUnit.objects.select_for_update().get(code=s["code"]) for s in change.sources}
        results: dict[str, OrgUnit] = {}
        for entry in change.results:
            existing = OrgUnit.objects.filter(code=entry["code"]).first()
            parent = OrgUnit.objects.get(code=entry["parent"])
            model = existing or next(iter(sources.values()))
            unit, _outcome = upsert_unit(
                actor=actor,
                code=entry["code"],
                name=entry["name"],
                kind=model.kind,
                parent=parent,
                short_name=short_name_for(entry["name"], model.kind),
                valid_from=existing.valid_from if existing else change.effective,
                valid_to=existing.valid_to if existing else None,
                sort_order=existing.sort_order if existing else int(entry["code"]),
            )
            if existing is not None and existing.path != unit.path:
                _repath_descendants(existing.path, unit.path)
            results[unit.code] = unit
        heir = results[change.heir or change.results[0]["code"]]
        for code, unit in sources.items():
            if code in results:
                continue
            for child in OrgUnit.objects.filter(parent=unit).current(change.effective):
                upsert_unit(
                    actor=actor,
                    code=child.code,
                    name=child.name,
                    kind=child.kind,
                    parent=heir,
                    short_name=child.short_name,
                    valid_from=child.valid_from,
                    valid_to=child.valid_to,
                    platform_type=child.platform_type,
                    sort_order=child.sort_order,
                )
                _repath_descendants(child.path, f"{heir.path}{child.code}/")
            upsert_unit(
                actor=actor,
                code=unit.code,
                name=unit.name,
                kind=unit.kind,
                parent=unit.parent,
                short_name=unit.short_name,
                valid_from=unit.valid_from,
                valid_to=ended,
                sort_order=unit.sort_order,
            )
        for source in change.sources:
            for entry in change.results:
                DivisionLineage.objects.create(
                    change=change,
                    predecessor=OrgUnit.objects.get(code=source["code"]),
                    successor=results[entry["code"]],
                    share=Decimal(entry["share"]),
                    effective=change.effective,
                )
        moves = moves_of(change)
        moved: list[Affected] = []
        for mover in movers():
            moved.extend(mover(moves, actor=actor, commit=True))
        before = _snapshot(change)
        change.state = ChangeState.APPLIED
        change.applied_by, change.applied_at = actor_name(actor), clock.now()
        change.moved = [a.line() for a in moved]
        change.version += 1
        change.save()
        record_event(
            actor=actor,
            action="orgs.change.apply",
            obj=change,
            before=before,
            after={**_snapshot(change), "moved": change.moved},
        )
    return change, moved


def _repath_descendants(old_prefix: str, new_prefix: str) -> None:
    """Keep the materialised paths below a re-parented unit right."""
    if old_prefix == new_prefix:
        return
    for unit in OrgUnit.objects.filter(path__startswith=old_prefix).exclude(path=old_prefix):
        unit.path = new_prefix + unit.path[len(old_prefix) :]
        unit.depth = unit.path.strip("/").count("/")
        unit.save(update_fields=["path", "depth"])


def record_past(
    *,
    actor: Any,
    kind: str,
    effective: datetime.date,
    sources: list[tuple[str, str]],
    results: list[tuple[str, str]],
    document: str = "",
) -> DivisionChange:
    """Record a change that happened before the system kept operations (the tree already shows it:
    辽中县 → 辽中区 in 2016): the change, applied, with its lineage; nothing moves. Idempotent."""
    _require_admin(actor)
    effective = effective.replace(day=1)
    source_rows = [{"code": c, "name": n} for c, n in sources]
    result_rows = [{"code": c, "name": n, "share": "1"} for c, n in results]
    existing = DivisionChange.objects.filter(kind=kind, effective=effective, sources=source_rows).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        change = DivisionChange.objects.create(
            kind=kind,
            effective=effective,
            state=ChangeState.APPLIED,
            sources=source_rows,
            results=result_rows,
            heir=results[0][0],
            document=document,
            note=_("系统启用前已实施的区划调整，仅记录沿革。"),
            proposed_by=actor_name(actor),
            reviewed_by=actor_name(actor),
            applied_by=actor_name(actor),
            reviewed_at=clock.now(),
            applied_at=clock.now(),
        )
        for code, _name in sources:
            for result_code, _result_name in results:
                DivisionLineage.objects.create(
                    change=change,
                    predecessor=OrgUnit.objects.get(code=code),
                    successor=OrgUnit.objects.get(code=result_code),
                    share=ONE,
                    effective=effective,
                )
        record_event(actor=actor, action="orgs.change.record_past", obj=change, after=_snapshot(change))
    return change
