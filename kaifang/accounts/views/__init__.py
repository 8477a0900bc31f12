"""Login (password, then the second factor), logout, password change, second-factor enrolment."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from kaifang.accounts import twofactor
from kaifang.accounts.forms import CodeForm, LoginForm, PasswordChangeForm
from kaifang.accounts.permissions import user_of
from kaifang.accounts.services import change_password


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from django.conf import settings

        return {**super().get_context_data(**kwargs), "cas_enabled": bool(settings.CAS_SERVER_URL)}

    def get_success_url(self) -> str:
        state = self.request.session.get(twofactor.STATE, twofactor.DONE)
        if state == twofactor.PENDING:
            return reverse("accounts:two_factor") + self._next_query()
        if state == twofactor.ENROL:
            return reverse("accounts:two_factor_setup") + self._next_query()
        return super().get_success_url()

    def _next_query(self) -> str:
        target = self.get_redirect_url()
        return "?" + urlencode({"next": target}) if target else ""


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("core:home")


@never_cache
@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Step two of signing in: the six-digit code from the authenticator app, or a recovery code."""
    user = user_of(request)
    if request.session.get(twofactor.STATE) != twofactor.PENDING:
        return redirect(_safe_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if twofactor.verify_code(user=user, code=form.cleaned_data["code"]):
            request.session.cycle_key()
            request.session[twofactor.STATE] = twofactor.DONE
            return redirect(_safe_next(request))
        user.refresh_from_db(fields=["locked_until"])
        if user.is_locked():
            logout(request)
            messages.error(request, _("连续验证失败次数过多，账号已临时锁定，请稍后再试或联系管理员。"))
            return redirect("accounts:login")
        form.add_error("code", _("动态口令不正确或已使用过，请输入验证器上的最新口令。"))
    return render(request, "accounts/two_factor.html", {"form": form, "next": _safe_next(request)})


@never_cache
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code (or type the key), confirm with one code, then
    note the recovery codes, which are shown only this once."""
    user = user_of(request)
    state = request.session.get(twofactor.STATE, twofactor.DONE)
    if state == twofactor.PENDING or (state == twofactor.DONE and twofactor.has_device(user)):
        return redirect("core:home")
    secret = request.session.get(twofactor.ENROL_SECRET) or twofactor.new_secret()
    request.session[twofactor.ENROL_SECRET] = secret
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = twofactor.confirm_enrolment(user=user, secret=secret, code=form.cleaned_data["code"])
        if codes is not None:
            request.session.pop(twofactor.ENROL_SECRET, None)
            request.session.cycle_key()
            request.session[twofactor.STATE] = twofactor.DONE
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _safe_next(request)})
        form.add_error("code", _("口令不正确，请确认手机时间准确后输入验证器上的最新口令。"))
    context = {
        "form": form,
        "secret": secret,
        "uri": twofactor.provisioning_uri(user, secret),
        "next": _safe_next(request),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@never_cache
@login_required
def two_factor_qr(request: HttpRequest) -> HttpResponse:
    """The enrolment QR code as SVG (only while enrolling; the secret never leaves the session otherwise)."""
    user = user_of(request)
    secret = request.session.get(twofactor.ENROL_SECRET)
    if not secret:
        return HttpResponse(status=404)
    response = HttpResponse(twofactor.qr_svg(twofactor.provisioning_uri(user, secret)), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                change_password(
                    user=user, new_password=form.cleaned_data["new_password"], keep_session=request.session.session_key
                )
            except ValidationError as exc:
                form.add_error("new_password", exc)
            else:
                update_session_auth_hash(request, user)
                messages.success(request, _("密码已修改。"))
                return redirect("core:home")
        return render(request, "accounts/password_change.html", {"form": form}, status=400)
    return render(request, "accounts/password_change.html", {"form": form})
