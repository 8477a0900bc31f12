from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from kaifang.accounts.models import User


class LoginForm(AuthenticationForm):
    """One message, in the same time, for an unknown account, a wrong password and a locked or
    throttled one (SEC-04, issue 15): the answer never tells that an account exists. The lock-out
    itself is in the audit trail."""

    error_messages = {
        "invalid_login": _(
            "账号或密码不正确，或因连续输错已被临时锁定。请核对后重试；仍无法登录请稍后再试或联系管理员。"
        ),
        "inactive": _("账号或密码不正确，或因连续输错已被临时锁定。请核对后重试；仍无法登录请稍后再试或联系管理员。"),
        "initial_expired": _("管理员设置的初始密码已过期，请联系管理员重新设置。"),
    }

    def clean_username(self) -> str:
        return str(self.cleaned_data.get("username", "")).strip()

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
