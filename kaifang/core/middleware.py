"""Request-wide middleware: sets the change context (channel and client IP) the audit trail records."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from kaifang.core import context


def client_ip(request: HttpRequest) -> str | None:
    """The client address. Behind the configured reverse proxy (KAIFANG_BEHIND_PROXY) it is the
    address the proxy appended last to X-Forwarded-For: earlier entries come from the client and
    can be forged (SEC-21). Without a proxy the header is ignored."""
    if getattr(settings, "KAIFANG_BEHIND_PROXY", False):
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = "api" if request.path.startswith("/api/") else "web"
        token = context.start_request(channel=channel, ip=client_ip(request))
        request_id = context.current().request_id
        try:
            response = self.get_response(request)
        finally:
            context.end_request(token)
        response["X-Request-ID"] = request_id  # also on every log line and on the 500 page (SEC-49)
        return response
