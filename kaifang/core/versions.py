"""Optimistic locking in one place: `check_version` raises `StaleVersion`; pages and the API answer 409.

A service reads the row `select_for_update()`, then `check_version(row, expected_version, message)`.
`StaleVersion` is a `ValidationError` (code "stale"), so forms and imports that already show
validation messages show it too; `is_stale(exc)` tells the 409 apart from an ordinary 400 — the
API's one exception handler (`kaifang.api`) and pages (`error_status`) both ask it, and a page
answering 409 re-renders the form with what the user typed; `change_page` is that tail of a page
written once (apply → message → redirect, or the page again with 400/409).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

STALE = "stale"
DEFAULT_MESSAGE = _("该记录已被他人修改，请刷新后核对再提交。")


class StaleVersion(ValidationError):
    """Someone changed the record since the user read it; nothing was written."""

    def __init__(self, message: Any = None, code: str = STALE, params: Any = None) -> None:
        super().__init__(message or DEFAULT_MESSAGE, code=code, params=params)


def check_version(
    current: Any, expected: int | None, message: Any = None, *, params: Any = None, absent_is_new: bool = False
) -> None:
    """Refuse when `expected` (None: the caller did not ask) differs from `current` — a version number
    or a row with a `version` field. `params` fill the message's %(name)s places. With `absent_is_new`
    (create-or-change writes), None on either side means "no row": expecting none refuses a row that
    exists, and expecting a version refuses a row that is gone."""
    version = getattr(current, "version", current)
    if (expected is not None or absent_is_new) and version != expected:
        raise StaleVersion(message, params=params)


def is_stale(exc: ValidationError) -> bool:
    """Did `exc` refuse a change only because something changed since the user looked (409)?"""
    if hasattr(exc, "error_dict"):
        errors = [e for group in exc.error_dict.values() for e in group]
        return bool(errors) and all(getattr(e, "code", None) == STALE for e in errors)
    if hasattr(exc, "error_list") and len(exc.error_list) > 1:
        return all(getattr(e, "code", None) == STALE for e in exc.error_list)
    return getattr(exc, "code", None) == STALE


def error_status(exc: ValidationError) -> int:
    """The HTTP status a page answers a refused form with: 409 when stale, else 400."""
    return 409 if is_stale(exc) else 400


def change_page(
    request: HttpRequest,
    write: Callable[[], Any],
    *,
    done: Any,
    then: str,
    refused: Callable[[int, str], HttpResponse],
) -> HttpResponse:
    """The tail of a page that applies one change: run `write`; when a service refuses, answer
    `refused(status, messages)` (the page again, 409 when stale, else 400); else flash `done` (a text,
    or a function of what `write` returned) and redirect to `then`."""
    try:
        result = write()
    except ValidationError as exc:
        return refused(error_status(exc), "；".join(exc.messages))
    messages.success(request, done(result) if callable(done) else done)
    return redirect(then)
