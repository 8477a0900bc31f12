"""Display preferences a reader keeps from visit to visit: the "大字" (large text) switch.

A preference of this browser, not of the account (an official reads on an office PC and on a phone),
so it lives in a cookie the base template reads; no audit record, it changes nothing official.
The switch is a form that works without script; kaifang/js/a11y.js flips it in place instead, so
what is typed in a form is not lost.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

TEXT_SIZE_COOKIE = "kaifang_text"
LARGE = "large"
ONE_YEAR = 365 * 24 * 3600


@require_POST
def text_size(request: HttpRequest) -> HttpResponse:
    large = request.POST.get("size") == LARGE
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if large:
        response.set_cookie(
            TEXT_SIZE_COOKIE, LARGE, max_age=ONE_YEAR, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE
        )
    else:
        response.delete_cookie(TEXT_SIZE_COOKIE, samesite="Lax")
    return response
