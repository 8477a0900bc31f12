"""Copying the audit trail to separate storage (SEC-23) and the retention rule (SEC-24).

The application never deletes audit events: the database refuses it (triggers) and the trail is
kept at least KAIFANG_AUDIT_RETENTION_DAYS (≥ 180). The nightly job verifies the hash chain and
appends every new event to JSON-lines files under KAIFANG_AUDIT_ARCHIVE_DIR, each with a SHA-256
beside it; operators ship that directory off the host (docs/operations.md). Events older than the
retention period *and* already archived are what an operator may remove offline, if ever.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from kaifang.audit.models import AuditEvent, AuditEventQuerySet
from kaifang.audit.services import chain_problems, record_event
from kaifang.core import clock
from kaifang.core.actors import SystemActor

FIELDS = [
    "id", "at", "actor_username", "actor_role", "actor_unit_code", "action", "object_type", "object_id",
    "object_repr", "unit_id", "before", "after", "channel", "ip", "request_id", "prev_hash", "hash",
]  # fmt: skip
MARK = "last_archived_id"


def archive_dir() -> Path | None:
    value = settings.KAIFANG_AUDIT_ARCHIVE_DIR
    return Path(value) if value else None


def last_archived_id(directory: Path | None = None) -> int:
    directory = directory or archive_dir()
    if directory is None or not (directory / MARK).exists():
        return 0
    return int((directory / MARK).read_text().strip() or 0)


def purge_eligible(*, now: datetime.datetime | None = None) -> AuditEventQuerySet:
    """Events an operator could remove: older than the retention period and already archived.
    Nothing is eligible while archiving is off."""
    directory = archive_dir()
    if directory is None:
        return AuditEvent.objects.none()
    cutoff = (now or clock.now()) - datetime.timedelta(days=settings.KAIFANG_AUDIT_RETENTION_DAYS)
    return AuditEvent.objects.filter(at__lt=cutoff, id__lte=last_archived_id(directory))


def archive_new_events() -> tuple[int, Path | None]:
    """Verify the chain, then append events newer than the last archived one to a new file.
    Returns (events written, file). Raises RuntimeError when the chain is broken."""
    directory = archive_dir()
    if directory is None:
        return 0, None
    _, problems = chain_problems()
    if problems:
        raise RuntimeError(f"audit chain broken at event {problems[0][0]}: {problems[0][1]}")
    directory.mkdir(parents=True, exist_ok=True)
    start = last_archived_id(directory)
    events = AuditEvent.objects.filter(id__gt=start).order_by("id").values(*FIELDS)
    rows = list(events.iterator(chunk_size=2000))
    if not rows:
        return 0, None
    path = directory / f"audit-{rows[0]['id']:012d}-{rows[-1]['id']:012d}.jsonl"
    digest = hashlib.sha256()
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            line = json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True) + "\n"
            out.write(line)
            digest.update(line.encode("utf-8"))
    path.with_suffix(".jsonl.sha256").write_text(f"{digest.hexdigest()}  {path.name}\n")
    (directory / MARK).write_text(str(rows[-1]["id"]))
    with transaction.atomic():
        record_event(
            actor=SystemActor("system"),
            action="audit.archive",
            object_type="audit.archive",
            object_repr=path.name,
            after={"events": len(rows), "first": rows[0]["id"], "last": rows[-1]["id"], "sha256": digest.hexdigest()},
        )
    return len(rows), path


def nightly_audit_job() -> str:
    """The scheduled job: archive when due (once a day), report what was written."""
    directory = archive_dir()
    if directory is None:
        return "archive off"
    stamp = directory / "last_run"
    # Wall clock: compared with the file's real modification time (once a real day).
    if stamp.exists() and timezone.now().timestamp() - stamp.stat().st_mtime < 23 * 3600:
        return "not due"
    written, path = archive_new_events()
    directory.mkdir(parents=True, exist_ok=True)
    # Wall clock: records when the copy was really made.
    stamp.write_text(timezone.now().isoformat())
    return f"archived {written}" + (f" to {path.name}" if path else "")
