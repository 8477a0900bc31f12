"""Re-encrypting personal fields under the current SM4 key (`kaifang rotate_personal_keys`).

Each batch is its own transaction and picks rows by what is stored (not yet `sm4:<current id>:`),
so an interrupted run loses nothing and the next run carries on where it stopped; running it again
when everything is done changes nothing. The rows are locked while re-encrypted, so a concurrent
edit waits instead of being overwritten. One audit event per field records the counts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.db.models import Q

from kaifang.audit.services import record_event
from kaifang.core.actors import SystemActor
from kaifang.core.personal import PREFIX, current_key_id, encrypt, key_id_of

# Every personal field stored encrypted (model label, field name). Add new ones here.
PERSONAL_FIELDS: list[tuple[str, str]] = [
    ("accounts.User", "phone"),
    ("ledgers.TalentRecord", "phone"),
    ("ledgers.TalentRecord", "id_number"),
]


@dataclass
class FieldProgress:
    label: str
    field: str
    done: int = 0


def pending(label: str, field: str, kid: str) -> Q:
    """Rows of the field not yet under key `kid` (plain text, or another key); empty values aside."""
    return ~Q(**{field: ""}) & ~Q(**{f"{field}__startswith": f"{PREFIX}{kid}:"})


def remaining() -> dict[str, int]:
    kid = current_key_id()
    if kid is None:
        return {}
    out = {}
    for label, field in PERSONAL_FIELDS:
        model = apps.get_model(label)
        out[f"{label}.{field}"] = model._default_manager.filter(pending(label, field, kid)).count()
    return out


def rotate(
    *, batch: int = 500, max_batches: int | None = None, progress: Callable[[str, int], None] | None = None
) -> list[FieldProgress]:
    """Re-encrypt every personal field under the current key, `batch` rows per transaction."""
    kid = current_key_id()
    if kid is None:
        raise ValueError("KAIFANG_SM4_KEYS is empty: there is no key to encrypt with")
    report: list[FieldProgress] = []
    batches = 0
    for label, field in PERSONAL_FIELDS:
        model = apps.get_model(label)
        manager = model._default_manager
        done = FieldProgress(label, field)
        report.append(done)
        last_pk = 0
        while max_batches is None or batches < max_batches:
            with transaction.atomic():
                rows = list(
                    manager.select_for_update()
                    .filter(pending(label, field, kid), pk__gt=last_pk)
                    .order_by("pk")
                    .only("pk", field)[:batch]
                )
                if not rows:
                    break
                for row in rows:
                    # `row.<field>` is the plain value (decrypted with whichever key it had)
                    manager.filter(pk=row.pk).update(**{field: encrypt(getattr(row, field), key_id=kid)})
                last_pk = rows[-1].pk
            batches += 1
            done.done += len(rows)
            if progress is not None:
                progress(f"{label}.{field}", done.done)
        if done.done:
            with transaction.atomic():
                record_event(
                    actor=SystemActor("rotate_personal_keys"),
                    action="security.personal_keys.rotate",
                    object_type=label.lower(),
                    object_repr=f"{label}.{field}",
                    after={"field": f"{label}.{field}", "rows": done.done, "key": kid},
                )
    return report


__all__ = ["PERSONAL_FIELDS", "key_id_of", "remaining", "rotate"]
