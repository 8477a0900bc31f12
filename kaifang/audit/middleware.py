"""The request-level backstop of the audit trail (SEC-20): every refusal of a signed-in user and every
file download is recorded, whichever view answered."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from kaifang.audit.services import record_denial, record_export, written_in_this_request

DENIALS = (403, 404)


class AccessAuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)  # for the API, the bearer token's user
        if user is None or not user.is_authenticated:
            return response
        if response.status_code in DENIALS and not written_in_this_request("denied"):
            record_denial(
                user=user,
                method=request.method or "",
                path=request.path,
                query=request.META.get("QUERY_STRING", ""),
                status=response.status_code,
            )
        elif (
            response.status_code == 200
            and "attachment" in response.get("Content-Disposition", "")
            and not written_in_this_request("export")
        ):
            match = request.resolver_match
            record_export(
                actor=user,
                what=(match.view_name if match else request.path)[:56],
                rows=int(response["X-Row-Count"]) if response.has_header("X-Row-Count") else None,
                filters=dict(request.GET.items()),
                unit=getattr(user, "unit", None),
                file_format=request.path.rsplit(".", 1)[-1][:8] if "." in request.path else "file",
            )
        return response
