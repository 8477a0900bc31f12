"""User administration pages (三员): the system administrator creates, edits, moves, deactivates and
imports accounts; the security administrator grants roles and scopes, issues one-time passwords,
unlocks, resets second factors and ends sessions; the audit administrator reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kaifang.accounts import selectors, services, twofactor
from kaifang.accounts.forms import GrantForm, MoveForm, UserCreateForm, UserEditForm, UserFilterForm
from kaifang.accounts.models import User
from kaifang.accounts.permissions import can_manage_security, can_manage_users, can_read_users, user_of
from kaifang.accounts.services import imports, lifecycle
from kaifang.core import uploads
from kaifang.orgs.models import OrgUnit

MAX_SHEET = 200  # one-time passwords per printed batch (hashing each takes a moment)


def _reader(request: HttpRequest) -> User:
    user = user_of(request)
    if not can_read_users(user):
        raise PermissionDenied(_("只有系统管理员、安全管理员和审计管理员可以查看账号。"))
    return user


def _unit(user: User, code: str) -> OrgUnit:
    unit = OrgUnit.objects.visible_to(user).filter(code=code).first()
    if unit is None:
        raise ValidationError(_("单位不存在或不在您的管理范围内。"))
    return unit


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    units = selectors.assignable_units(user)
    form = UserFilterForm(request.GET or None, units=units)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.UserFilters(**{k: v for k, v in data.items() if v not in (None, "")})
    page = Paginator(selectors.visible_users(user, filters), 50).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "query": request.GET.copy().urlencode() if "page" not in request.GET else "",
        "can_manage": can_manage_users(user),
        "can_secure": can_manage_security(user),
        "pending": selectors.pending_count(user),
        "imports": selectors.recent_imports(user, 5),
        "max_sheet": MAX_SHEET,
    }
    return render(request, "accounts/users.html", context)


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    account = selectors.get_user_for_admin(user, pk)
    units = selectors.assignable_units(user)
    version = {"version": account.version}
    context = {
        "account": account,
        "postings": selectors.postings_of(account),
        "has_device": twofactor.has_device(account),
        "can_manage": can_manage_users(user) and account.pk != user.pk,
        "can_secure": can_manage_security(user) and account.pk != user.pk,
        "edit_form": UserEditForm(initial={**version, "display_name": account.display_name, "phone": account.phone}),
        "move_form": MoveForm(units=units, initial={**version, "role": account.role}),
        "grant_form": GrantForm(units=units, initial={**version, "role": account.role, "unit": _code(account.unit)}),
    }
    return render(request, "accounts/user_detail.html", context)


@login_required
def user_new(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    if not can_manage_users(user):
        raise PermissionDenied(_("只有系统管理员可以创建用户。"))
    form = UserCreateForm(request.POST or None, units=selectors.assignable_units(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = services.create_user(
                actor=user,
                username=data["username"],
                unit=_unit(user, data["unit"]),
                role=data["role"],
                display_name=data["display_name"],
                phone=data["phone"],
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            created = _("已创建账号 %(u)s，待安全管理员授权并签发一次性密码。") % {"u": account.username}
            messages.success(request, created)
            return redirect("accounts:user_detail", pk=account.pk)
    return render(request, "accounts/user_new.html", {"form": form}, status=400 if form.errors else 200)


def _code(unit: OrgUnit | None) -> str:
    return unit.code if unit is not None else ""


def _attach(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- Actions on one account: (who may, what it does) ----------------------------------------------


def _edit(user: User, account: User, post: Any) -> str:
    form = UserEditForm(post)
    if not form.is_valid():
        raise ValidationError(_("请填写姓名。"))
    data = form.cleaned_data
    services.update_user(
        actor=user,
        user=account,
        display_name=data["display_name"],
        phone=data["phone"],
        expected_version=data["version"],
    )
    return _("已保存。")


def _move(user: User, account: User, post: Any) -> str:
    form = MoveForm(post, units=selectors.assignable_units(user))
    if not form.is_valid():
        raise ValidationError(_("请选择调往的单位和角色。"))
    data = form.cleaned_data
    moved = services.move_user(
        actor=user,
        user=account,
        unit=_unit(user, data["unit"]),
        role=data["role"],
        reason=data["reason"],
        expected_version=data["version"],
    )
    return _("已调往%(unit)s；原授权已收回，待安全管理员重新授权。") % {"unit": moved.unit}


def _set_active(user: User, account: User, post: Any) -> str:
    active = post.get("active") == "1"
    lifecycle.set_active(actor=user, user=account, active=active, reason=str(post.get("reason", ""))[:200])
    return _("账号已启用。") if active else _("账号已停用，其会话已结束。")


def _grant(user: User, account: User, post: Any) -> str:
    form = GrantForm(post, units=selectors.assignable_units(user))
    if not form.is_valid():
        raise ValidationError(_("请选择角色和单位。"))
    data = form.cleaned_data
    granted = services.set_role(
        actor=user, user=account, role=data["role"], unit=_unit(user, data["unit"]), expected_version=data["version"]
    )
    return _("已授予“%(role)s”，权限范围：%(unit)s。") % {"role": granted.get_role_display(), "unit": granted.unit}


def _revoke(user: User, account: User, post: Any) -> str:
    services.revoke_scope(actor=user, user=account, expected_version=int(post.get("version") or 0))
    return _("已撤销授权。")


def _unlock(user: User, account: User, post: Any) -> str:
    lifecycle.unlock(actor=user, user=account)
    return _("已解除锁定。")


def _reset_2fa(user: User, account: User, post: Any) -> str:
    twofactor.reset_second_factor(actor=user, user=account)
    return _("已重置动态口令，该用户下次登录时重新设置。")


def _end_sessions(user: User, account: User, post: Any) -> str:
    ended = lifecycle.force_logout(actor=user, user=account)
    return _("已结束 %(n)d 个会话。") % {"n": ended}


ACTIONS: dict[str, Callable[[User, User, Any], str]] = {
    "edit": _edit,
    "move": _move,
    "active": _set_active,
    "grant": _grant,
    "revoke": _revoke,
    "unlock": _unlock,
    "reset_2fa": _reset_2fa,
    "end_sessions": _end_sessions,
}


@login_required
@require_POST
def user_act(request: HttpRequest, pk: int) -> HttpResponse:
    """One action on one account; the service checks who may (and audits a refusal)."""
    user = _reader(request)
    account = selectors.get_user_for_admin(user, pk)
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        raise PermissionDenied
    try:
        messages.success(request, action(user, account, request.POST))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("accounts:user_detail", pk=account.pk)


@never_cache
@login_required
@require_POST
def issue_passwords(request: HttpRequest) -> HttpResponse:
    """The security administrator grants the selected accounts their roles (when not yet granted)
    and issues one-time passwords: a printable sheet, shown this once."""
    user = _reader(request)
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()][: MAX_SHEET + 1]
    accounts = selectors.users_by_ids(user, ids)
    if len(accounts) > MAX_SHEET:
        messages.error(request, _("一次最多签发 %(n)d 个账号，请分批。") % {"n": MAX_SHEET})
        return redirect("accounts:users")
    try:
        issued = lifecycle.issue_one_time_passwords(actor=user, users=accounts, grant=request.POST.get("grant") == "1")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("accounts:users")
    response = render(request, "accounts/password_sheet.html", {"issued": issued})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def import_users(request: HttpRequest) -> HttpResponse:
    """Upload → dry run with every problem by row → confirm applies the very file that was checked."""
    user = _reader(request)
    if not can_manage_users(user):
        raise PermissionDenied(_("只有系统管理员可以批量导入账号。"))
    result, token = uploads.check_or_apply(
        request,
        kind="accounts",
        run=lambda data, name, commit: imports.import_accounts(actor=user, data=data, filename=name, commit=commit),
    )
    if isinstance(result, imports.UserImportResult) and result.committed:
        messages.success(request, result.summary())
        return redirect(reverse("accounts:users") + f"?imported={result.batch.pk if result.batch else ''}")
    status = 400 if result is not None and not result.ok else 200
    return render(request, "accounts/user_import.html", {"result": result, "token": token}, status=status)


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    if not can_manage_users(user):
        raise PermissionDenied
    response = HttpResponse(
        imports.account_template(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="accounts-template.xlsx"'
    return response
