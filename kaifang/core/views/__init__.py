"""A health check and error pages that leak nothing (the home page is `kaifang.project.views`)."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    from kaifang.core.context import current

    request_id = current().request_id  # the same id is on the log lines of this request
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "request_id": request_id}, status=status)
    context = {"status": status, "title": title, "message": message, "request_id": request_id}
    return render(request, "error.html", context, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, _("请求有误"), _("请求格式不正确或内容过大，请检查后重试。"))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, _("无权操作"), _("您没有权限执行此操作。如需开通，请联系本单位管理员。"))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused form post (missing or stale CSRF token, foreign origin): the app's own page with the
    request id, never Django's stock page; the reason goes to the log, not to the page."""
    import logging

    logging.getLogger("kaifang.security").warning("CSRF refused: %s", reason[:200])
    return _error(request, 403, _("页面已过期"), _("页面已过期或来源不符，请刷新页面后重新提交。"))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, _("未找到"), _("您要访问的页面或数据不存在，或不在您的权限范围内。"))


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(
        request, 500, _("系统繁忙"), _("系统出现问题，已记录。请稍后重试；您已填写的数据未丢失时可直接重新提交。")
    )
