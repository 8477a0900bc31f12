"""Idle and absolute session time-outs (the idle one is also SESSION_COOKIE_AGE with save-every-request)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

LAST_SEEN = "kaifang_last_seen"
STARTED = "kaifang_started"
ALLOWED_WHILE_CHANGING = ("/accounts/", "/static/", "/i18n/", "/api/")


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN, now)
            started = request.session.setdefault(STARTED, now)
            idle_limit = settings.KAIFANG_SESSION_IDLE_MINUTES * 60
            absolute_limit = settings.KAIFANG_SESSION_ABSOLUTE_HOURS * 3600
            if now - last_seen > idle_limit or now - started > absolute_limit:
                logout(request)
                request.kaifang_session_expired = True  # type: ignore[attr-defined]
            else:
                request.session[LAST_SEEN] = now
                if request.user.must_change_password and not request.path.startswith(ALLOWED_WHILE_CHANGING):
                    return redirect("accounts:password_change")
        return self.get_response(request)
