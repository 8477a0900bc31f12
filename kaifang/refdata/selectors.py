"""Reads of the reference lists (published to every area): entries valid on a day, names, and
strategy-group membership on a day (a project signed in 2018 is tagged by the 2018 membership)."""

from __future__ import annotations

import datetime
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.db.models.signals import post_delete, post_save

from kaifang.refdata import files
from kaifang.refdata.models import GroupMembership, RefEntry


@dataclass(frozen=True)
class Entry:
    code: str
    name: str
    parent_code: str
    level: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    source: str

    def covers(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or self.valid_to >= day)


def entries(list_code: str, *, on: datetime.date | None = None) -> list[Entry]:
    """A list's entries (valid on `on` when given), from the database; the published file while the
    database holds none of the list yet (a fresh or emptied database)."""
    rows: list[Any] = list(RefEntry.objects.filter(list_code=list_code).order_by("sort_order", "code"))
    if not rows:
        rows = [_FileRow(r) for r in files.list_rows(list_code)]
    found = [Entry(r.code, r.name, r.parent_code, r.level, r.valid_from, r.valid_to, r.source) for r in rows]
    return [e for e in found if on is None or e.covers(on)]


class _FileRow:
    def __init__(self, row: dict[str, Any]) -> None:
        self.code, self.name = row["code"], row["name"]
        self.parent_code = row.get("parent_code", "")
        self.level = row.get("level", "") or row.get("kind", "")
        self.valid_from, self.valid_to, self.source = row["valid_from"], row["valid_to"], row["source"]


def names(list_code: str) -> dict[str, str]:
    return {e.code: e.name for e in entries(list_code)}


# --- Strategy groups ------------------------------------------------------------------------------

Span = tuple[datetime.date | None, datetime.date | None]


@dataclass(frozen=True)
class Memberships:
    """Every membership, by group: member → its spans."""

    spans: dict[str, dict[str, list[Span]]]
    order: list[str]

    def tags_of(self, member: str, day: datetime.date | None) -> list[str]:
        """The groups `member` belonged to on `day` (no day: today's view of every span)."""
        return [g for g in self.order if _in(self.spans.get(g, {}).get(member, []), day)]

    def members_of(self, group: str, day: datetime.date | None) -> set[str]:
        return {m for m, spans in self.spans.get(group, {}).items() if _in(spans, day)}


def _in(spans: list[Span], day: datetime.date | None) -> bool:
    if day is None:
        return bool(spans)
    return any((a is None or a <= day) and (b is None or b >= day) for a, b in spans)


_cache: dict[str, Any] = {}
_lock = threading.Lock()
TTL_SECONDS = 60.0


def memberships() -> Memberships:
    """The strategy groups and their members with dates (read once a minute per process, and again
    at once after an edit in this process)."""
    with _lock:
        hit = _cache.get("m")
        if hit is not None and time.monotonic() - hit[0] < TTL_SECONDS:
            return hit[1]  # type: ignore[no-any-return]
    spans: dict[str, dict[str, list[Span]]] = {}
    rows = list(GroupMembership.objects.values_list("group", "member", "valid_from", "valid_to"))
    if not rows:
        rows = [
            (r["group"], r["member"], r["valid_from"], r["valid_to"])
            for r in files.read_csv(files.MEMBERSHIPS, required={"group", "member", "valid_from", "valid_to", "source"})
        ]
    for group, member, start, end in rows:
        spans.setdefault(group, {}).setdefault(member, []).append((start, end))
    order = [e.code for e in entries("strategy_tag")]
    order += sorted(g for g in spans if g not in order)
    found = Memberships(spans, order)
    with _lock:
        _cache["m"] = (time.monotonic(), found)
    return found


def forget(**_kwargs: Any) -> None:
    with _lock:
        _cache.clear()


post_save.connect(forget, sender=GroupMembership, dispatch_uid="refdata-membership-saved")
post_delete.connect(forget, sender=GroupMembership, dispatch_uid="refdata-membership-deleted")
post_save.connect(forget, sender=RefEntry, dispatch_uid="refdata-entry-saved")


def tag_codes() -> list[str]:
    return memberships().order


def membership_q(group: str, *, member_field: str, day_field: str) -> Q:
    """A Q selecting rows whose `member_field` belonged to `group` on the row's `day_field`."""
    where = Q(pk__in=[])
    for member, spans in memberships().spans.get(group, {}).items():
        for start, end in spans:
            clause = Q(**{member_field: member})
            if start is not None:
                clause &= Q(**{f"{day_field}__gte": start})
            if end is not None:
                clause &= Q(**{f"{day_field}__lte": end})
            where |= clause
    return where
