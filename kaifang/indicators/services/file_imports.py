"""The shape every indicators file import shares (the catalogue, the targets): the checked rows are
sorted against what is stored into new, unchanged and changed; then, with `commit`, the new and
changed rows are written through their service in one transaction with one audit event for the
file, and a refusal of any row leaves nothing written."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from kaifang.audit.services import record_event
from kaifang.core.spreadsheets import Problem


class ImportResult(Protocol):
    filename: str
    problems: list[Problem]
    committed: bool


def sort_rows[Row](
    rows: Iterable[Row], *, stored: Callable[[Row], Any], same: Callable[[Row, Any], bool]
) -> tuple[list[Row], list[Row], list[Row]]:
    """`rows` as (new, unchanged, changed) against `stored(row)` (None: nothing stored yet)."""
    new: list[Row] = []
    unchanged: list[Row] = []
    changed: list[Row] = []
    for row in rows:
        current = stored(row)
        (new if current is None else unchanged if same(row, current) else changed).append(row)
    return new, unchanged, changed


def write_rows[Row](
    *,
    actor: Any,
    result: ImportResult,
    rows: Iterable[Row],
    write: Callable[[Row], object],
    action: str,
    after: dict[str, Any],
) -> None:
    """Write every row through `write` and audit the file as `action`, all or nothing; a refusal
    becomes the result's problems, success marks it committed."""
    try:
        with transaction.atomic():
            for row in rows:
                write(row)
            record_event(
                actor=actor,
                action=action,
                object_type=action.rsplit(".", 1)[0],
                object_repr=result.filename,
                after=after,
            )
    except (ValidationError, PermissionDenied) as exc:
        result.problems = [Problem(m) for m in getattr(exc, "messages", [str(exc)])]
        return
    result.committed = True
