"""Request-wide middleware: sets the change context (channel and client IP) the audit trail records."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from kaifang.core import context


def client_ip(request: HttpRequest) -> str | None:
    """The client address; X-Forwarded-For is trusted only behind a configured reverse proxy."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = "api" if request.path.startswith("/api/") else "web"
        token = context.start_request(channel=channel, ip=client_ip(request))
        try:
            return self.get_response(request)
        finally:
            context.end_request(token)
