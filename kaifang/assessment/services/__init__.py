"""Writes of the assessment area: schemes and their versions, manual entries, publication.

Every function validates, writes and records its audit event in one transaction. A scheme in use
is never edited in place: `revise_scheme` makes the next version (who and why), and
`activate_scheme` puts it in use. Publishing freezes inputs and results; republishing writes the
next version with its reason and the differences against the previous one.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from kaifang.accounts.permissions import is_province_user
from kaifang.assessment import engine
from kaifang.assessment.models import (
    AssessmentScheme,
    AssessmentSnapshot,
    Bulletin,
    BulletinFormat,
    SchemeItem,
    SchemeStatus,
)
from kaifang.audit.services import chosen_algorithm, record_event
from kaifang.core.actors import actor_name as _actor_name
from kaifang.core.actors import actor_user as _actor_user
from kaifang.core.actors import is_system_actor
from kaifang.core.versions import check_version
from kaifang.indicators.models import Indicator
from kaifang.orgs.models import UnitGroup

SCHEME_FIELDS = ["code", "number", "name", "year", "status", "tie_rule", "grading", "change_reason"]


def _require_province(actor: Any) -> None:
    if not is_system_actor(actor) and not is_province_user(actor):
        raise PermissionDenied("只有省级管理员或督查人员可以管理考核方案和发布结果")


def _check_version(obj: Any, expected_version: int | None) -> None:
    check_version(obj, expected_version, "该记录已被他人修改，请刷新后重试。")


def _clean_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Item dicts (code, name, kind, weight, params, indicator, missing) checked through the engine."""
    if not items:
        raise ValidationError("方案至少要有一个考核项")
    clean: list[dict[str, Any]] = []
    for order, raw in enumerate(items):
        kind = raw.get("kind", "")
        try:
            weight = engine.dec(raw.get("weight", 0))
            params = engine.validate_params(kind, raw.get("params") or {}, weight=weight)
        except engine.SchemeError as exc:
            raise ValidationError(f"考核项“{raw.get('name', '')}”：{exc}") from exc
        indicator = raw.get("indicator")
        if isinstance(indicator, str) and indicator:
            indicator = Indicator.objects.filter(code=indicator).first()
            if indicator is None:
                raise ValidationError(f"考核项“{raw.get('name', '')}”：指标代码“{raw['indicator']}”不存在")
        if kind in engine.INDICATOR_KINDS and not indicator:
            raise ValidationError(f"考核项“{raw.get('name', '')}”：该类型需要选择指标")
        clean.append(
            {
                "code": str(raw["code"])[:32],
                "name": str(raw["name"])[:100],
                "kind": kind,
                "weight": weight,
                "params": {k: v for k, v in params.items() if k in (raw.get("params") or {})},
                "indicator": indicator or None,
                "missing": raw.get("missing", engine.MISSING_ZERO),
                "order": order,
            }
        )
    return clean


def _validate_scheme(scheme: AssessmentScheme) -> None:
    try:
        engine.validate_scheme(scheme.to_engine())
    except engine.SchemeError as exc:
        raise ValidationError(str(exc)) from exc


def _scheme_state(scheme: AssessmentScheme) -> dict[str, Any]:
    state = {f: getattr(scheme, f) for f in SCHEME_FIELDS}
    state["group"] = scheme.group.code
    state["items"] = [
        {
            "code": i.code,
            "name": i.name,
            "kind": i.kind,
            "weight": str(i.weight),
            "params": i.params,
            "indicator": i.indicator.code if i.indicator else None,
            "missing": i.missing,
        }
        for i in scheme.items.select_related("indicator")
    ]
    return state


def create_scheme(
    *,
    actor: Any,
    code: str,
    name: str,
    year: int,
    group: UnitGroup,
    items: list[dict[str, Any]],
    tie_rule: str = "shared",
    grading: dict[str, Any] | None = None,
    description: str = "",
) -> AssessmentScheme:
    """A new scheme (version 1, draft). Put it in use with `activate_scheme`."""
    _require_province(actor)
    if AssessmentScheme.objects.filter(code=code).exists():
        raise ValidationError({"code": f"方案代码“{code}”已存在；修改请创建新版本"})
    clean = _clean_items(items)
    with transaction.atomic():
        scheme = AssessmentScheme.objects.create(
            code=code,
            name=name,
            year=year,
            group=group,
            tie_rule=tie_rule,
            grading=grading or dict(engine.Scheme("", "", ()).grading),
            description=description,
            created_by=_actor_user(actor),
            created_by_name=_actor_name(actor),
        )
        SchemeItem.objects.bulk_create([SchemeItem(scheme=scheme, **item) for item in clean])
        _validate_scheme(scheme)
        record_event(actor=actor, action="assessment.scheme.create", obj=scheme, after=_scheme_state(scheme))
    return scheme


def activate_scheme(*, actor: Any, scheme: AssessmentScheme, expected_version: int | None = None) -> AssessmentScheme:
    """Put a draft version in use; the version in use before it is retired (kept, read-only)."""
    _require_province(actor)
    with transaction.atomic():
        scheme = AssessmentScheme.objects.select_for_update().get(pk=scheme.pk)
        _check_version(scheme, expected_version)
        if scheme.status != SchemeStatus.DRAFT:
            raise ValidationError("只有草稿版本可以启用")
        _validate_scheme(scheme)
        retired = list(AssessmentScheme.objects.filter(code=scheme.code, status=SchemeStatus.ACTIVE))
        AssessmentScheme.objects.filter(pk__in=[s.pk for s in retired]).update(
            status=SchemeStatus.RETIRED, version=F("version") + 1
        )
        scheme.status = SchemeStatus.ACTIVE
        scheme.version += 1
        scheme.save(update_fields=["status", "version"])
        record_event(
            actor=actor,
            action="assessment.scheme.activate",
            obj=scheme,
            before={"status": "draft", "retired": [s.number for s in retired]},
            after={"status": "active", "number": scheme.number},
        )
    return scheme


def revise_scheme(
    *,
    actor: Any,
    scheme: AssessmentScheme,
    reason: str,
    items: list[dict[str, Any]] | None = None,
    name: str | None = None,
    tie_rule: str | None = None,
    grading: dict[str, Any] | None = None,
    activate: bool = False,
) -> AssessmentScheme:
    """The next version of a scheme: a copy with the given changes, the reason and who made it."""
    _require_province(actor)
    if not reason.strip():
        raise ValidationError({"reason": "修订方案必须说明原因"})
    latest = AssessmentScheme.objects.filter(code=scheme.code).order_by("-number").first()
    assert latest is not None
    if AssessmentScheme.objects.filter(code=scheme.code, status=SchemeStatus.DRAFT).exists():
        raise ValidationError("该方案已有未启用的草稿版本，请先启用或修改该草稿")
    clean = (
        _clean_items(items)
        if items is not None
        else [
            {
                "code": i.code,
                "name": i.name,
                "kind": i.kind,
                "weight": i.weight,
                "params": i.params,
                "indicator": i.indicator,
                "missing": i.missing,
                "order": i.order,
            }
            for i in scheme.items.select_related("indicator")
        ]
    )
    with transaction.atomic():
        new = AssessmentScheme.objects.create(
            code=scheme.code,
            number=latest.number + 1,
            name=name or scheme.name,
            year=scheme.year,
            group=scheme.group,
            tie_rule=tie_rule or scheme.tie_rule,
            grading=grading or scheme.grading,
            description=scheme.description,
            change_reason=reason.strip(),
            previous=scheme,
            created_by=_actor_user(actor),
            created_by_name=_actor_name(actor),
        )
        SchemeItem.objects.bulk_create([SchemeItem(scheme=new, **item) for item in clean])
        _validate_scheme(new)
        record_event(
            actor=actor,
            action="assessment.scheme.revise",
            obj=new,
            before=_scheme_state(scheme),
            after={**_scheme_state(new), "reason": reason.strip()},
        )
    return activate_scheme(actor=actor, scheme=new) if activate else new


# --- Manual bonus / penalty entries -----------------------------------------------------------

# --- Publication --------------------------------------------------------------------------------


def digest_of(inputs: Any, results: Any, algorithm: str | None = None) -> str:
    """SHA-256 (default) or HMAC-SM3 (KAIFANG_AUDIT_DIGEST, 国密) of the frozen inputs and results."""
    from kaifang.audit.services import SHA256, digest_text

    canonical = json.dumps({"inputs": inputs, "results": results}, sort_keys=True, ensure_ascii=False)
    return digest_text(canonical, algorithm or SHA256)


def results_diff(old: dict[str, Any] | None, new: dict[str, Any]) -> list[dict[str, Any]]:
    """Per unit: total, rank and grade before → after, and the items whose points changed."""
    if old is None:
        return []
    before = {u["code"]: u for u in old["units"]}
    changes = []
    for unit in new["units"]:
        prior = before.get(unit["code"])
        if prior is None:
            changes.append({"code": unit["code"], "name": unit["name"], "added": True, "total": [None, unit["total"]]})
            continue
        old_items = {i["code"]: i["points"] for i in prior["items"]}
        items = [
            {"code": i["code"], "name": i["name"], "points": [old_items.get(i["code"]), i["points"]]}
            for i in unit["items"]
            if old_items.get(i["code"]) != i["points"]
        ]
        if items or prior["total"] != unit["total"] or prior["rank"] != unit["rank"] or prior["grade"] != unit["grade"]:
            changes.append(
                {
                    "code": unit["code"],
                    "name": unit["name"],
                    "total": [prior["total"], unit["total"]],
                    "rank": [prior["rank"], unit["rank"]],
                    "grade": [prior["grade"], unit["grade"]],
                    "items": items,
                }
            )
    return changes


def publish_assessment(
    *, actor: Any, scheme: AssessmentScheme, period: datetime.date, reason: str = ""
) -> AssessmentSnapshot:
    """Freeze the scheme's results for `period` from the current data. A later publication of the
    same scheme and period is a new version: it needs a reason and shows what changed."""
    from kaifang.assessment.selectors import assess

    _require_province(actor)
    if scheme.status != SchemeStatus.ACTIVE:
        raise ValidationError("只能发布使用中的方案版本")
    if period.year != scheme.year:
        raise ValidationError({"period": f"期间应在{scheme.year}年内"})
    run = assess(scheme=scheme, period=period)
    inputs, results = run.inputs, run.outcome.to_dict()
    results["period"] = f"{period:%Y-%m}"
    results["scheme_number"] = scheme.number
    algorithm = chosen_algorithm()
    digest = digest_of(inputs, results, algorithm)
    with transaction.atomic():
        previous = (
            AssessmentSnapshot.objects.select_for_update()
            .filter(scheme_code=scheme.code, period=period)
            .order_by("-number")
            .first()
        )
        if previous is not None:
            if not reason.strip():
                raise ValidationError({"reason": "重新发布必须说明原因"})
            if previous.digest == digest_of(inputs, results, previous.digest_algorithm):
                raise ValidationError(f"结果与已发布的第{previous.number}版相同，无需重新发布")
        snapshot = AssessmentSnapshot.objects.create(
            scheme=scheme,
            scheme_code=scheme.code,
            period=period,
            number=previous.number + 1 if previous else 1,
            inputs=inputs,
            results=results,
            digest=digest,
            digest_algorithm=algorithm,
            reason=reason.strip(),
            diff=results_diff(previous.results if previous else None, results),
            previous=previous,
            published_by=_actor_user(actor),
            published_by_name=_actor_name(actor),
        )
        record_event(
            actor=actor,
            action="assessment.snapshot.publish",
            obj=snapshot,
            after={
                "scheme": scheme.code,
                "scheme_number": scheme.number,
                "period": f"{period:%Y-%m}",
                "number": snapshot.number,
                "digest": digest,
                "reason": snapshot.reason,
                "changed_units": len(snapshot.diff),
            },
        )
    return snapshot


# --- Bulletins ----------------------------------------------------------------------------------


def request_bulletin(
    *, actor: Any, scheme: AssessmentScheme, period: datetime.date, kind: str = "monthly", file_format: str = "pdf"
) -> Bulletin:
    """Queue a bulletin (通报) for generation in the background; the page polls its progress."""
    from kaifang.assessment.jobs import generate_bulletin

    _require_province(actor)
    if file_format not in BulletinFormat.values:
        raise ValidationError({"format": "格式只能是 pdf、docx 或 xlsx"})
    if kind not in ("monthly", "quarterly"):
        raise ValidationError({"kind": "类型只能是月度或季度"})
    if kind == "quarterly" and period.month % 3:
        raise ValidationError({"period": "季度通报的期间应为3、6、9或12月"})
    if period.year != scheme.year:
        raise ValidationError({"period": f"期间应在{scheme.year}年内"})
    with transaction.atomic():
        bulletin = Bulletin.objects.create(
            scheme_code=scheme.code,
            period=period,
            kind=kind,
            format=file_format,
            created_by=_actor_user(actor),
        )
        record_event(
            actor=actor,
            action="assessment.bulletin.request",
            obj=bulletin,
            after={"scheme": scheme.code, "period": f"{period:%Y-%m}", "kind": kind, "format": file_format},
        )
    generate_bulletin.enqueue(bulletin.pk)
    return bulletin


# Moved to `kaifang.assessment.services.adjustments`; imported at the end because it reads names defined above.
from kaifang.assessment.services.adjustments import ADJUSTMENT_TRANSITIONS as ADJUSTMENT_TRANSITIONS  # noqa: E402
from kaifang.assessment.services.adjustments import decide_adjustment as decide_adjustment  # noqa: E402
from kaifang.assessment.services.adjustments import propose_adjustment as propose_adjustment  # noqa: E402
