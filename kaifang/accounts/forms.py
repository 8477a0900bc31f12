from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from kaifang.accounts.models import User


class LoginForm(AuthenticationForm):
    """One message for an unknown account and a wrong password (SEC-04); a lock-out has its own."""

    error_messages = {
        "invalid_login": _("账号或密码不正确。连续输错多次后账号将被临时锁定。"),
        "inactive": _("账号或密码不正确。连续输错多次后账号将被临时锁定。"),
        "locked": _("连续登录失败次数过多，账号已临时锁定，请稍后再试或联系管理员。"),
        "initial_expired": _("管理员设置的初始密码已过期，请联系管理员重新设置。"),
    }

    def clean_username(self) -> str:
        return str(self.cleaned_data.get("username", "")).strip()

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, "kaifang_login_locked", False):
                raise forms.ValidationError(self.error_messages["locked"], code="locked") from None
            raise

    def confirm_login_allowed(self, user: Any) -> None:
        from kaifang.accounts.lifecycle import initial_password_expired

        super().confirm_login_allowed(user)
        if initial_password_expired(user):
            raise forms.ValidationError(self.error_messages["initial_expired"], code="initial_expired")


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("原密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label=_("新密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label=_("确认新密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self) -> str:
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("原密码不正确。"))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        return data


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("动态口令或恢复码"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )
