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

    def get_invalid_login_error(self) -> forms.ValidationError:
        """A directory person whose password was right but whom the mapping does not map is told so
        (the password was right, so this tells nothing a guesser could use)."""
        from kaifang.accounts.directory import UNMAPPED_MESSAGE
        from kaifang.accounts.ldap_backend import UNMAPPED_FLAG

        if getattr(self.request, UNMAPPED_FLAG, False):
            return forms.ValidationError(UNMAPPED_MESSAGE, code="directory_unmapped")
        return super().get_invalid_login_error()

    def clean_username(self) -> str:
        return str(self.cleaned_data.get("username", "")).strip()

    def confirm_login_allowed(self, user: Any) -> None:
        from kaifang.accounts.services.lifecycle import initial_password_expired

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


# --- User administration (三员) ---------------------------------------------------------------------


def unit_choices(units: list[Any]) -> list[tuple[str, str]]:
    """Units as choices, indented by depth so the tree reads in a plain select."""
    return [(u.code, f"{'　' * u.depth}{u.name}（{u.code}）") for u in units]


def business_role_choices() -> list[tuple[str, str]]:
    from kaifang.accounts.models import Role
    from kaifang.accounts.permissions import ADMIN_ROLES

    return [(r.value, str(r.label)) for r in Role if r not in ADMIN_ROLES]


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("账号、姓名或电话"), required=False, max_length=50)
    unit = forms.ChoiceField(label=_("单位（含下级）"), required=False)
    role = forms.ChoiceField(label=_("角色"), required=False)
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[
            ("", _("全部")),
            ("pending", _("待授权")),
            ("granted", _("已授权")),
            ("locked", _("已锁定")),
            ("inactive", _("已停用")),
        ],
    )
    imported = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: list[Any], **kwargs: Any) -> None:
        from kaifang.accounts.models import Role

        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("全部")), *unit_choices([u for u in units if u.depth <= 1])]  # type: ignore[attr-defined]
        self.fields["role"].choices = [("", _("全部")), *[(r.value, r.label) for r in Role]]  # type: ignore[attr-defined]


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("账号"), max_length=150, help_text=_("全省唯一，字母、数字和 @ . + - _"))
    display_name = forms.CharField(label=_("姓名"), max_length=50)
    unit = forms.ChoiceField(label=_("所属单位"))
    role = forms.ChoiceField(label=_("角色（申请）"), help_text=_("由安全管理员审核授予后生效"))
    phone = forms.CharField(label=_("电话"), max_length=32, required=False)

    def __init__(self, *args: Any, units: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = unit_choices(units)  # type: ignore[attr-defined]
        self.fields["role"].choices = business_role_choices()  # type: ignore[attr-defined]


class UserEditForm(forms.Form):
    display_name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("电话"), max_length=32, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class MoveForm(forms.Form):
    unit = forms.ChoiceField(label=_("调往单位"))
    role = forms.ChoiceField(label=_("角色（申请）"))
    reason = forms.CharField(label=_("调动原因"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = unit_choices(units)  # type: ignore[attr-defined]
        self.fields["role"].choices = business_role_choices()  # type: ignore[attr-defined]


class GrantForm(forms.Form):
    role = forms.ChoiceField(label=_("授予角色"))
    unit = forms.ChoiceField(label=_("权限范围（单位）"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = unit_choices(units)  # type: ignore[attr-defined]
        self.fields["role"].choices = business_role_choices()  # type: ignore[attr-defined]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("文件"))
