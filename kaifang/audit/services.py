"""Writing the audit trail. Every service calls `record_event` inside its own transaction."""

from __future__ import annotations

import datetime
import hashlib
import json
from contextvars import ContextVar
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from kaifang.audit.models import AuditChainHead, AuditEvent, DenialWindow
from kaifang.core import clock, context
from kaifang.core.actors import UnverifiedName, actor_name, actor_user

DENIAL_WINDOW = datetime.timedelta(minutes=1)
# What this request has already written to the trail ("export", "denied"), so the request-level
# backstop (kaifang.audit.middleware) does not write it twice.
_written: ContextVar[tuple[str, frozenset[str]]] = ContextVar("kaifang_audit_written", default=("", frozenset()))


def mark_written(kind: str) -> None:
    request_id, kinds = _written.get()
    current_id = context.current().request_id
    _written.set((current_id, (kinds if request_id == current_id else frozenset()) | {kind}))


def written_in_this_request(kind: str) -> bool:
    request_id, kinds = _written.get()
    return bool(request_id) and request_id == context.current().request_id and kind in kinds


def jsonable(value: Any) -> Any:
    """Decimals, dates and model instances as JSON-safe values (Decimals keep every digit as text)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def event_digest(event: AuditEvent) -> str:
    payload = {
        "prev": event.prev_hash,
        "at": event.at.isoformat(),
        "actor": event.actor_username,
        "role": event.actor_role,
        "unit_code": event.actor_unit_code,
        "action": event.action,
        "type": event.object_type,
        "id": event.object_id,
        "repr": event.object_repr,
        "unit": event.unit_id,
        "before": event.before,
        "after": event.after,
        "channel": event.channel,
        "ip": event.ip,
    }
    algorithm = event.algorithm or SHA256
    if algorithm != SHA256:
        payload["alg"] = algorithm  # the choice is itself under the hash
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return digest_text(canonical, algorithm)


SHA256, HMAC_SM3 = "sha256", "hmac-sm3"


def chosen_algorithm() -> str:
    """KAIFANG_AUDIT_DIGEST: "sha256" (default) or "hmac-sm3" (国密), for new rows and snapshots."""
    from django.conf import settings

    return str(getattr(settings, "KAIFANG_AUDIT_DIGEST", SHA256) or SHA256)


def digest_text(canonical: str, algorithm: str) -> str:
    """SHA-256, or HMAC-SM3 keyed with KAIFANG_AUDIT_HMAC_KEY, of a canonical text, as hex."""
    if algorithm == SHA256:
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    if algorithm == HMAC_SM3:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        from kaifang.core.gm import hmac_sm3

        key = str(getattr(settings, "KAIFANG_AUDIT_HMAC_KEY", "") or "")
        if len(key) < 16:
            raise ImproperlyConfigured("KAIFANG_AUDIT_HMAC_KEY (at least 16 characters) is needed for HMAC-SM3")
        return hmac_sm3(key.encode("utf-8"), canonical.encode("utf-8"))
    raise ValueError(f"unknown digest algorithm {algorithm!r}")


def record_event(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    unit: Any = None,
    before: Any = None,
    after: Any = None,
    object_repr: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
) -> AuditEvent:
    """Append one audit event, chained to the previous one, in the caller's transaction."""
    return record_events(
        [
            dict(
                actor=actor,
                action=action,
                obj=obj,
                unit=unit,
                before=before,
                after=after,
                object_repr=object_repr,
                object_type=object_type,
                object_id=object_id,
            )
        ]
    )[0]


def record_events(events: list[dict[str, Any]]) -> list[AuditEvent]:
    """Append several audit events (each given as `record_event`'s keyword arguments) in order,
    chained, with one lock of the chain head and one insert: a 100-unit import writes its 100 events
    in three statements instead of three hundred."""
    if not events:
        return []
    ctx = context.current()
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            # Only after the audit store was wiped (a test flush, a restore): create the head without
            # an IntegrityError when two writers race here, then lock it like everyone else.
            AuditChainHead.objects.bulk_create([AuditChainHead(pk=1)], ignore_conflicts=True)
            head = AuditChainHead.objects.select_for_update().get(pk=1)
        built: list[AuditEvent] = []
        previous = head.last_hash
        now = clock.now()
        algorithm = chosen_algorithm()
        for spec in events:
            event = _build(ctx, now, spec)
            event.algorithm = algorithm
            event.prev_hash = previous
            event.hash = previous = event_digest(event)
            built.append(event)
        if len(built) == 1:
            built[0].save()
        else:
            AuditEvent.objects.bulk_create(built)
        AuditChainHead.objects.filter(pk=1).update(last_hash=previous, count=models.F("count") + len(built))
    return built


def _build(ctx: context.ChangeContext, now: Any, spec: dict[str, Any]) -> AuditEvent:
    """An unsaved event from `record_event`'s keyword arguments (without the chain fields)."""
    actor, obj, unit = spec["actor"], spec.get("obj"), spec.get("unit")
    actor_obj = actor_user(actor)
    actor_unit = getattr(actor_obj, "unit", None)
    if unit is None and obj is not None:
        unit = getattr(obj, "unit", None) if not _is_unit(obj) else obj
    return AuditEvent(
        at=now,
        actor=actor_obj,
        actor_username=actor_name(actor),
        actor_role=getattr(actor_obj, "role", "") or "",
        actor_unit_code=getattr(actor_unit, "code", "") or "",
        action=spec["action"],
        object_type=spec.get("object_type") or (obj._meta.label_lower if obj is not None else ""),
        object_id=spec.get("object_id") or (str(obj.pk) if obj is not None and obj.pk is not None else ""),
        object_repr=(spec.get("object_repr") or (str(obj) if obj is not None else ""))[:255],
        unit=unit,
        before=jsonable(spec.get("before")),
        after=jsonable(spec.get("after")),
        channel=ctx.channel,
        ip=ctx.ip,
        request_id=ctx.request_id,
    )


def _is_unit(obj: models.Model) -> bool:
    return obj._meta.label_lower == "orgs.orgunit"


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of `obj` as a dict for the before/after columns."""
    return {name: getattr(obj, name) for name in fields}


def verify_chain() -> tuple[int, list[int]]:
    """Recompute every hash; returns (events checked, ids whose hash or link is wrong)."""
    count, problems = chain_problems()
    return count, [pk for pk, _ in problems]


def chain_problems() -> tuple[int, list[tuple[int, str]]]:
    """Every broken link with its reason: a row whose content no longer matches its hash was changed;
    a row whose `prev_hash` is not its predecessor's hash follows a deleted, inserted or changed row."""
    problems: list[tuple[int, str]] = []
    previous = ""
    count = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        count += 1
        if event_digest(event) != event.hash:
            problems.append((event.pk, "content changed"))
        elif event.prev_hash != previous:
            problems.append((event.pk, "link to the previous event broken"))
        previous = event.hash
    return count, problems


def record_export(
    *,
    actor: Any,
    what: str,
    rows: int | None,
    filters: dict[str, Any] | None = None,
    unit: Any = None,
    file_format: str = "xlsx",
) -> AuditEvent:
    """Audit an export or download of data (SEC-20). Call it from the view that builds the file,
    e.g. `record_export(actor=user, what="reporting.values", rows=len(rows), filters={...}, unit=unit)`.
    The action is `export.<what>`."""
    mark_written("export")
    with transaction.atomic():
        return record_event(
            actor=actor,
            action=f"export.{what}"[:64],
            unit=unit,
            object_type=what[:64],
            object_repr=f"{what} ({'?' if rows is None else rows})",
            after={"rows": rows, "format": file_format, "filters": filters or {}},
        )


def record_denial(*, user: Any, method: str, path: str, query: str, status: int) -> None:
    """Count one refused request of a signed-in user (403, or 404 for an object outside their scope).
    Identical refusals (user, method, address, status) within a minute become one audit event
    `access.denied` with their count, written when the minute is over (SEC-20)."""
    # A hostile address may carry NUL bytes, which PostgreSQL text refuses: keep them visible, storable.
    path, query = path.replace("\x00", "\\x00")[:255], query.replace("\x00", "\\x00")[:255]
    now = clock.now()
    ctx = context.current()
    key = hashlib.sha256(f"{user.pk}|{method}|{path}|{query}|{status}".encode()).hexdigest()
    mark_written("denied")
    with transaction.atomic():
        flush_denials(now=now)
        if DenialWindow.objects.filter(key=key).update(count=models.F("count") + 1, last_at=now):
            return
        DenialWindow.objects.create(
            key=key,
            actor=user,
            username=user.username,
            method=method[:8],
            path=path[:255],
            query=query[:255],
            status=status,
            channel=ctx.channel,
            ip=ctx.ip,
            request_id=ctx.request_id,
            first_at=now,
            last_at=now,
        )


def flush_denials(*, now: datetime.datetime | None = None, everything: bool = False) -> int:
    """Write every counted minute that is over (or, with `everything`, every one) to the trail as one
    `access.denied` event each; returns how many. Run by each refusal and by the recurring jobs."""
    cutoff = (now or clock.now()) - DENIAL_WINDOW
    with transaction.atomic():
        windows = DenialWindow.objects.select_for_update(of=("self",)).select_related("actor", "actor__unit")
        windows = windows.order_by("first_at")
        if not everything:
            windows = windows.filter(first_at__lte=cutoff)
        done = list(windows)
        for window in done:
            with context.change_context(channel=window.channel, ip=window.ip, request_id=window.request_id):
                record_event(
                    actor=window.actor or UnverifiedName(window.username),
                    action="access.denied",
                    object_type="http.request",
                    object_repr=f"{window.method} {window.path}"[:255],
                    unit=getattr(window.actor, "unit", None),
                    after={
                        "method": window.method,
                        "path": window.path,
                        "query": window.query,
                        "status": window.status,
                        "count": window.count,
                        "first_at": window.first_at.isoformat(),
                        "last_at": window.last_at.isoformat(),
                    },
                )
        DenialWindow.objects.filter(pk__in=[w.pk for w in done]).delete()
    return len(done)
