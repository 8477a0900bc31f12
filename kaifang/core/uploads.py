"""An uploaded file kept between its dry run and its apply.

A setup page (accounts, catalogue, targets, schemes) checks an upload and lists its problems;
when the user confirms, the very bytes that were checked are applied, not a second upload. The
bytes wait in the user's own server-side session under a random token (one file per kind), so
they end with the session — logout, time-out — and never touch the web root (SEC-29, SEC-46).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

SESSION_KEY = "kaifang_staged"
MAX_STAGED_BYTES = 4 * 1024 * 1024  # bigger files go through the command line


def read_upload(request: HttpRequest, field: str = "file") -> tuple[bytes, str]:
    """The uploaded file's bytes and name, refused when missing or over the upload limit."""
    upload = request.FILES.get(field)
    if upload is None:
        raise ValidationError(_("请选择要上传的文件。"))
    limit = min(getattr(settings, "KAIFANG_MAX_UPLOAD_BYTES", MAX_STAGED_BYTES), MAX_STAGED_BYTES)
    if upload.size is None or upload.size > limit:
        raise ValidationError(_("文件超过上限 %(n)s MB；更大的文件请用命令行导入。") % {"n": f"{limit / 1048576:.0f}"})
    return upload.read(), str(upload.name or "upload")[:200]


def stage(request: HttpRequest, *, kind: str, data: bytes, filename: str) -> str:
    """Keep a checked file for its apply; returns the token the confirm form carries."""
    token = secrets.token_urlsafe(16)
    staged_files = dict(request.session.get(SESSION_KEY, {}))
    staged_files[kind] = {
        "token": token,
        "name": filename,
        "sha256": hashlib.sha256(data).hexdigest(),
        "data": base64.b64encode(data).decode("ascii"),
    }
    request.session[SESSION_KEY] = staged_files
    return token


def staged(request: HttpRequest, *, kind: str, token: str) -> tuple[bytes, str] | None:
    """The file staged under `token` for `kind`, or None (expired, replaced, never staged)."""
    entry = request.session.get(SESSION_KEY, {}).get(kind)
    if not entry or not token or not secrets.compare_digest(entry["token"], token):
        return None
    data = base64.b64decode(entry["data"])
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        return None
    return data, str(entry["name"])


def unstage(request: HttpRequest, *, kind: str) -> None:
    staged_files = dict(request.session.get(SESSION_KEY, {}))
    if staged_files.pop(kind, None) is not None:
        request.session[SESSION_KEY] = staged_files


class ImportReport(Protocol):
    """What every setup import returns: a summary, row-precise problems, whether it was applied."""

    problems: list[Any]
    committed: bool

    @property
    def ok(self) -> bool: ...

    def summary(self) -> str: ...


def check_or_apply(
    request: HttpRequest, *, kind: str, run: Callable[[bytes, str, bool], ImportReport]
) -> tuple[ImportReport | None, str]:
    """The two steps of a setup import page. A POST with a file checks it (`run(data, name,
    False)`) and, when it has no problem, stages it and returns the token its confirm form carries;
    a POST with that token applies the staged bytes (`run(data, name, True)`). Returns the report
    (None on GET) and the token ("" when there is nothing to confirm). Problems of the upload
    itself (too big, expired) go to the page's messages."""
    from django.contrib import messages

    if request.method != "POST":
        return None, ""
    try:
        if request.POST.get("token"):
            found = staged(request, kind=kind, token=request.POST["token"])
            if found is None:
                raise ValidationError(_("待导入的文件已失效，请重新上传。"))
            report = run(found[0], found[1], True)
            if report.committed:
                unstage(request, kind=kind)
            return report, ""
        data, name = read_upload(request)
        report = run(data, name, False)
        return report, stage(request, kind=kind, data=data, filename=name) if report.ok else ""
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return None, ""
