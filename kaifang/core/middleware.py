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


def allowed_methods(view: Callable[..., object]) -> list[str]:
    """The methods a resolved view answers: a class-based view's handlers, an API path's
    operations, else what every page may receive."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return [m.upper() for m in view_class.http_method_names if hasattr(view_class, m)]
    for cell in getattr(view, "__closure__", None) or ():
        operations = getattr(cell.cell_contents, "operations", None)
        if operations is not None:  # a django-ninja path: its operations' methods
            return sorted({method for operation in operations for method in operation.methods} | {"OPTIONS"})
    return ["GET", "HEAD", "POST", "OPTIONS"]


class OptionsAndIdsMiddleware:
    """OPTIONS is answered with the Allow header alone (no page is rendered for it), and an id in a
    URL larger than any record can have is a 404 before a view turns it into a database overflow
    (issue 15: absurd ids and offsets)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., object], args: tuple[object, ...], kwargs: dict[str, object]
    ) -> HttpResponse | None:
        from kaifang.core.schemas import MAX_ID

        if any(isinstance(value, int) and not 0 <= value <= MAX_ID for value in (*args, *kwargs.values())):
            from kaifang.core.views import page_not_found

            return page_not_found(request)
        if request.method == "OPTIONS":
            response = HttpResponse(status=200)
            response["Allow"] = ", ".join(allowed_methods(view))
            response["Content-Length"] = "0"
            return response
        return None
