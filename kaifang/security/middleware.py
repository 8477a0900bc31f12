"""Security headers every response carries, and the guard in front of the Django admin.

The Content-Security-Policy itself comes from `SECURE_CSP` (Django's CSP middleware); this module
relaxes it for the API documentation page only, whose Swagger UI styles itself inline.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import reverse

from kaifang.core.middleware import client_ip

DOCS_PREFIX = "/api/v1/docs"
DOCS_CSP = {
    **{k: v for k, v in settings.SECURE_CSP.items()},
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
}
LOGOUT_PATH = "/accounts/logout/"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    """no-store on anything a signed-in user sees, Clear-Site-Data on logout, no TRACE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in {"TRACE", "TRACK", "CONNECT"}:
            return HttpResponseNotAllowed(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        if request.path == LOGOUT_PATH and request.method == "POST":
            response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        if request.path.startswith(DOCS_PREFIX):
            response._csp_config = DOCS_CSP  # type: ignore[attr-defined]
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


def admin_prefix() -> str:
    return reverse("admin:index")


def ip_allowed(ip: str | None, networks: list[str]) -> bool:
    if not ip:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in networks)


class AdminGuardMiddleware:
    """The Django admin (read-only, system administrators) answers 404 to any client outside
    KAIFANG_ADMIN_ALLOWED_NETWORKS (SEC-18). Inside, the admin's own permission check applies, and
    the session middleware has already required the second factor."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(admin_prefix()) and not ip_allowed(
            client_ip(request), settings.KAIFANG_ADMIN_ALLOWED_NETWORKS
        ):
            raise Http404("admin")
        return self.get_response(request)


TRANSIENT_MARKERS = ("database is locked", "could not serialize", "deadlock detected", "database table is locked")


def is_transient(exc: BaseException) -> bool:
    """SQLite busy past its timeout, or a PostgreSQL serialization failure / deadlock (40001, 40P01)."""
    from django.db import OperationalError

    cause = getattr(exc, "__cause__", None)
    sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if sqlstate in {"40001", "40P01"}:
        return True
    return isinstance(exc, OperationalError) and any(m in str(exc).lower() for m in TRANSIENT_MARKERS)


class TransientErrorMiddleware:
    """A write that lost a race with the database (SEC-40) never ends on a 500 page that drops what
    the user typed: the transaction has rolled back, and the answer is a 503 page holding the same
    form data (with its idempotency key) behind one "重新提交" button, or a JSON 503 with
    `retry: true` for the API. Services are atomic and keyed, so resubmitting applies once."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_transient(exception):
            return None
        import logging

        from django.http import JsonResponse
        from django.shortcuts import render

        logging.getLogger("kaifang.security").warning("transient database error on %s: %s", request.path, exception)
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(
                {"detail": "数据库繁忙，未保存任何内容，请稍后重试。", "retry": True}, status=503
            )
        elif request.method == "POST" and not request.FILES:
            fields = [(k, v) for k, values in request.POST.lists() for v in values]
            response = render(
                request, "security/resubmit.html", {"fields": fields, "action": request.get_full_path()}, status=503
            )
        else:
            response = render(
                request,
                "error.html",
                {"status": 503, "title": "系统繁忙", "message": "系统繁忙，未保存任何内容，请稍后重试。"},
                status=503,
            )
        response["Retry-After"] = "2"
        return response
