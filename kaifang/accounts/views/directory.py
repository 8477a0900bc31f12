"""The directory mapping page (目录映射): the security administrator lists, adds and removes the
rules that give directory (LDAP/CAS) people their unit and role; the three administrators read it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kaifang.accounts import directory
from kaifang.accounts.models import DirectoryRule, Role
from kaifang.accounts.permissions import can_manage_security, can_read_users, user_of
from kaifang.orgs.models import OrgUnit


class RuleForm(forms.Form):
    source = forms.ChoiceField(label=gettext_lazy("依据"), choices=DirectoryRule.Source.choices)
    attribute = forms.CharField(
        label=gettext_lazy("属性名"), required=False, max_length=64, help_text=gettext_lazy("例如 departmentNumber、ou")
    )
    value = forms.CharField(
        label=gettext_lazy("属性值或组"),
        max_length=255,
        help_text=gettext_lazy("组可填 cn 或完整 DN；属性值填“*”表示按属性值匹配单位代码"),
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("单位"), queryset=OrgUnit.objects.none(), required=False, empty_label="—"
    )
    role = forms.ChoiceField(label=gettext_lazy("角色"), choices=[("", "—"), *Role.choices], required=False)
    priority = forms.IntegerField(label=gettext_lazy("优先级"), min_value=0, max_value=100000, initial=100)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["unit"].queryset = OrgUnit.objects.current()  # type: ignore[attr-defined]


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if not can_read_users(user):
        raise PermissionDenied
    form = RuleForm(request.POST or None)
    if request.method == "POST":
        if not can_manage_security(user):
            raise PermissionDenied
        if form.is_valid():
            try:
                directory.add_rule(actor=user, **form.cleaned_data)
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, _("映射规则已添加，下次登录起生效。"))
                return redirect("accounts:directory_rules")
    context = {
        "form": form,
        "rules": DirectoryRule.objects.select_related("unit"),
        "can_edit": can_manage_security(user),
    }
    return render(request, "accounts/directory_rules.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    if not can_manage_security(user):
        raise PermissionDenied
    directory.delete_rule(actor=user, rule=get_object_or_404(DirectoryRule, pk=pk))
    messages.success(request, _("映射规则已删除，下次登录起生效。"))
    return redirect("accounts:directory_rules")
