"""The REST API: one NinjaAPI under /api/v1/, session auth for the browser, bearer tokens for programs.

Each business area has an `api.py` with a Router; they are mounted here explicitly.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ConfigError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.security import APIKeyCookie, HttpBearer

from kaifang.accounts.services import token_for
from kaifang.core.schemas import ErrorOut
from kaifang.core.versions import is_stale

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` for programs (tokens from `kaifang create_token`): refused when
    expired, revoked, or its account is inactive, locked or must change its password; a read-only
    token reads and changes nothing."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = token_for(token)
        if row is None:
            return None
        if row.read_only and request.method not in SAFE_METHODS:
            raise PermissionDenied("只读令牌不能修改数据。")
        request.user = row.user
        return row.user


class Session(APIKeyCookie):
    """The browser's Django session (CSRF checked on unsafe methods)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


class UniqueNamesSchema(OpenAPISchema):
    """The OpenAPI document, refusing two different schemas under one component name: django-ninja
    would keep only the last, and the document would describe another operation's body (issue 15:
    two `TransitionIn` made the project stage change lose its required `effective_on`)."""

    def add_schema_definitions(self, definitions: dict[str, Any]) -> None:
        for name, definition in definitions.items():
            if name in self.schemas and self.schemas[name] != definition:
                raise ConfigError(f"Two API schemas are both named {name!r}: give each a unique class name.")
        super().add_schema_definitions(definitions)


class KaifangAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return UniqueNamesSchema(self, path_prefix)


api = KaifangAPI(
    title="Kaifang API",
    version="1",
    description="开放工作督考合一平台接口。浏览器使用会话认证；程序使用 `Authorization: Bearer <令牌>`。",
    urls_namespace="api",
    auth=[BearerToken(), Session()],
)


def error_messages(exc: ValidationError) -> list[str] | dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else exc.messages


@api.exception_handler(ValidationError)
def django_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """400 with the messages; 409 when the record changed since the client read it (`StaleVersion`)."""
    if is_stale(exc):
        return api.create_response(request, {"detail": "；".join(exc.messages)}, status=409)
    return api.create_response(request, {"detail": error_messages(exc)}, status=400)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "无权操作"}, status=403)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "未找到，或不在您的权限范围内"}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "未登录或令牌无效"}, status=401)


@api.exception_handler(NinjaValidationError)
def request_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.errors}, status=422)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


def mount_routers() -> None:
    from kaifang.accounts.api import router as accounts_router
    from kaifang.assessment.api import router as assessment_router
    from kaifang.corrections.api import router as corrections_router
    from kaifang.indicators.api import indicators_router, targets_router, values_router
    from kaifang.ledgers.api import projects_router, talents_router
    from kaifang.meetings.api import router as meetings_router
    from kaifang.orgs.api import router as orgs_router
    from kaifang.reporting.api import rounds_router, submissions_router
    from kaifang.supervision.api import router as tasks_router

    api.add_router("/", accounts_router)
    api.add_router("/orgunits", orgs_router)
    api.add_router("/indicators", indicators_router)
    api.add_router("/values", values_router)
    api.add_router("/targets", targets_router)
    api.add_router("/projects", projects_router)
    api.add_router("/talents", talents_router)
    api.add_router("/assessment", assessment_router)
    api.add_router("/tasks", tasks_router)
    api.add_router("/meetings", meetings_router)
    api.add_router("/rounds", rounds_router)
    api.add_router("/submissions", submissions_router)
    api.add_router("/corrections", corrections_router)
    document_error_responses()


# Answers any operation can give besides its own: a refused or invalid request (the exception
# handlers above), so the document lists every status the server really sends.
COMMON_ERRORS = (400, 401, 403, 404, 422)


def document_error_responses() -> None:
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                models = operation.response_models
                if len(models) == 1 and 200 not in models:
                    continue  # a single non-200 answer is the operation's default status: keep it single
                for status in COMMON_ERRORS:
                    models.setdefault(status, operation._create_response_model(ErrorOut))


mount_routers()
