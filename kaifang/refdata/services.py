"""Writes to the reference lists: loading the published files (idempotent) and an administrator's
edits, each audited in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kaifang.audit.services import record_event
from kaifang.refdata import files
from kaifang.refdata.models import GroupMembership, RefEntry

ENTRY_FIELDS = ["name", "parent_code", "level", "valid_from", "valid_to", "source", "sort_order"]
MEMBER_FIELDS = ["valid_to", "source", "verification"]


def load_reference(*, actor: Any, text_of: dict[str, str] | None = None) -> dict[str, int]:
    """Load every list and the strategy groups from `data/reference/` (or `text_of`: file name →
    text, for a check before writing). All rows are checked first; then upserted; loading the same
    files again changes nothing. Returns how many rows were created or changed per list."""
    text_of = text_of or {}
    lists = {
        code: files.read_csv(
            name, required={"code", "name", "valid_from", "valid_to", "source"}, text=text_of.get(name)
        )
        for code, name in files.LISTS.items()
    }
    members = files.read_csv(
        files.MEMBERSHIPS,
        required={"group", "member", "valid_from", "valid_to", "source"},
        text=text_of.get(files.MEMBERSHIPS),
    )
    changed: dict[str, int] = {}
    with transaction.atomic():
        for list_code, rows in lists.items():
            changed[list_code] = 0
            for index, row in enumerate(rows):
                values = {
                    "name": row["name"],
                    "parent_code": row.get("parent_code", ""),
                    "level": row.get("level", "") or row.get("kind", ""),
                    "valid_from": row["valid_from"],
                    "valid_to": row["valid_to"],
                    "source": row["source"],
                    "sort_order": index,
                }
                changed[list_code] += save_entry(actor=actor, list_code=list_code, code=row["code"], values=values)
        changed["membership"] = 0
        for row in members:
            values = {"valid_to": row["valid_to"], "source": row["source"], "verification": row.get("verification", "")}
            changed["membership"] += save_membership(
                actor=actor, group=row["group"], member=row["member"], valid_from=row["valid_from"], values=values
            )
    return changed


def save_entry(*, actor: Any, list_code: str, code: str, values: dict[str, Any]) -> int:
    """Create or change one entry; 1 when something changed (audited), 0 when it was already so."""
    with transaction.atomic():
        entry = RefEntry.objects.select_for_update().filter(list_code=list_code, code=code).first()
        if entry is None:
            entry = RefEntry.objects.create(list_code=list_code, code=code, **values)
            record_event(actor=actor, action="refdata.entry.create", obj=entry, after=_plain(values))
            return 1
        before = {f: getattr(entry, f) for f in ENTRY_FIELDS}
        if before == {**before, **values}:
            return 0
        for key, value in values.items():
            setattr(entry, key, value)
        entry.version += 1
        entry.save()
        record_event(actor=actor, action="refdata.entry.update", obj=entry, before=_plain(before), after=_plain(values))
        return 1


def save_membership(*, actor: Any, group: str, member: str, valid_from: Any, values: dict[str, Any]) -> int:
    with transaction.atomic():
        row = (
            GroupMembership.objects.select_for_update()
            .filter(group=group, member=member, valid_from=valid_from)
            .first()
        )
        if row is None:
            row = GroupMembership.objects.create(group=group, member=member, valid_from=valid_from, **values)
            record_event(
                actor=actor,
                action="refdata.membership.create",
                obj=row,
                after=_plain({"valid_from": valid_from, **values}),
            )
            return 1
        before = {f: getattr(row, f) for f in MEMBER_FIELDS}
        if before == {**before, **values}:
            return 0
        for key, value in values.items():
            setattr(row, key, value)
        row.version += 1
        row.save()
        record_event(
            actor=actor, action="refdata.membership.update", obj=row, before=_plain(before), after=_plain(values)
        )
        return 1


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}
