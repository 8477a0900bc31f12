"""Which requests read from a replica, and read-your-writes after a write (issue 17).

A GET/HEAD whose path matches `KAIFANG_REPLICA_PATHS` (cockpit, explorer, rankings, exports,
bulletins, API GETs) is read-only work, unless the same user wrote (any POST/PUT/PATCH/DELETE)
within `KAIFANG_REPLICA_READ_YOUR_WRITES_SECONDS`: then it reads the primary. The window is kept
in a signed cookie bound to the user (so it holds across app servers) and in this process. A
replica failing mid-request is marked down and the GET is answered again from the primary.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.core import signing
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse

from kaifang.core import replicas

COOKIE = "kf_rw"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_SALT = "kaifang.replicas.read-your-writes"
_recent_writers: dict[int, float] = {}  # user id → until (wall clock), this process


@cache
def _patterns(raw: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in raw))


def is_read_only_path(path: str) -> bool:
    return bool(_patterns(tuple(settings.KAIFANG_REPLICA_PATHS)).match(path))


def _user_id(request: HttpRequest) -> int | None:
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def wrote_recently(request: HttpRequest) -> bool:
    user_id = _user_id(request)
    now = time.time()
    if user_id is not None and _recent_writers.get(user_id, 0) > now:
        return True
    raw = request.COOKIES.get(COOKIE)
    if not raw:
        return False
    try:
        owner, until = signing.loads(raw, salt=_SALT)
    except signing.BadSignature:
        return False
    return owner == user_id and float(until) > now


def _remember_write(request: HttpRequest, response: HttpResponse) -> None:
    window = settings.KAIFANG_REPLICA_READ_YOUR_WRITES_SECONDS
    if window <= 0:
        return
    user_id = _user_id(request)
    until = time.time() + window
    if user_id is not None:
        _recent_writers[user_id] = until
    response.set_cookie(
        COOKIE,
        signing.dumps([user_id, until], salt=_SALT),
        max_age=window,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


class ReplicaRoutingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replicas.replica_aliases():
            return self.get_response(request)
        if request.method not in SAFE_METHODS:
            response = self.get_response(request)
            _remember_write(request, response)
            return response
        if request.method == "OPTIONS" or not is_read_only_path(request.path) or wrote_recently(request):
            with replicas.primary():
                return self.get_response(request)
        with replicas.reading():
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A replica that fails mid-request: skip it and answer the (safe) request from the primary."""
        if not replicas.is_read_only() or not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        failed = [alias for alias in replicas.replica_aliases() if _broken(alias)]
        if not failed:
            return None
        for alias in failed:
            replicas.mark_down(alias, str(exception))
        with replicas.primary():
            return self.get_response(request)


def _broken(alias: str) -> bool:
    from django.db import connections

    connection = connections[alias]
    if connection.connection is None:
        return False
    try:
        return not connection.is_usable()
    except DatabaseError:
        return True
