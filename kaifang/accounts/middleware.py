"""What a signed-in session may do: idle and absolute time-outs (SEC-05), the second-factor step
(SEC-08) and a required password change (SEC-03), all enforced on the server for every request.

The idle limit is also SESSION_COOKIE_AGE with save-every-request; this middleware additionally
ends the server-side session itself, so a replayed cookie is anonymous.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.sessions.models import Session
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from kaifang.accounts import twofactor
from kaifang.accounts.services.lifecycle import password_expired

LAST_SEEN = "kaifang_last_seen"
STARTED = "kaifang_started"
ALWAYS_ALLOWED = ("/static/", "/i18n/", "/accounts/logout/", "/healthz")
ALLOWED_WHILE_CHANGING = ("/accounts/password/", *ALWAYS_ALLOWED)
ALLOWED_WHILE_SECOND_FACTOR = ("/accounts/2fa/", *ALWAYS_ALLOWED)


def _blocked(request: HttpRequest, url_name: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=403)
    target = reverse(url_name)
    if request.method == "GET" and request.path != "/":
        target += "?" + urlencode({"next": request.get_full_path()[:500]})
    return redirect(target)


def _delete_expired_session(request: HttpRequest) -> None:
    """A cookie naming a session that has expired: remove the server-side row now (SEC-05), rather
    than waiting for the nightly `clearsessions`."""
    cookie = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if cookie and request.session.session_key is None:
        # Wall clock: session expiry is real time (Django stamps expire_date with it).
        Session.objects.filter(session_key=cookie[:40], expire_date__lte=timezone.now()).delete()


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            # Wall clock: idle and absolute session time-outs are real time.
            now = time.time()
            last_seen = request.session.get(LAST_SEEN, now)
            started = request.session.setdefault(STARTED, now)
            idle_limit = settings.KAIFANG_SESSION_IDLE_MINUTES * 60
            absolute_limit = settings.KAIFANG_SESSION_ABSOLUTE_HOURS * 3600
            if now - last_seen > idle_limit or now - started > absolute_limit:
                logout(request)
                request.kaifang_session_expired = True  # type: ignore[attr-defined]
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": "会话已超时，请重新登录"}, status=401)
            else:
                request.session[LAST_SEEN] = now
                state = request.session.get(twofactor.STATE, twofactor.DONE)
                if state != twofactor.DONE and not request.path.startswith(ALLOWED_WHILE_SECOND_FACTOR):
                    name = "accounts:two_factor" if state == twofactor.PENDING else "accounts:two_factor_setup"
                    return _blocked(request, name, "须先完成动态口令验证")
                if (
                    state == twofactor.DONE
                    and password_expired(request.user)
                    and not request.path.startswith(ALLOWED_WHILE_CHANGING)
                ):
                    return _blocked(request, "accounts:password_change", "须先修改密码")
        else:
            _delete_expired_session(request)
        return self.get_response(request)
