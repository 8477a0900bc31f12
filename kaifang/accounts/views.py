"""Login, logout, password change."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kaifang.accounts.forms import LoginForm, PasswordChangeForm
from kaifang.accounts.services import change_password


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        try:
            change_password(user=request.user, new_password=form.cleaned_data["new_password"])  # type: ignore[arg-type]
        except ValidationError as exc:
            form.add_error("new_password", exc)
        else:
            update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
            messages.success(request, _("密码已修改。"))
            return redirect("core:home")
    return render(request, "accounts/password_change.html", {"form": form})
