"""Account lifecycle: password expiry, administrator resets, deactivation, unlocking and ending
sessions (等保 8.1.4.1a, 8.1.4.2b/c); the job disabling accounts nobody has used for a long time is
in `kaifang.accounts.jobs`."""

from __future__ import annotations

import datetime
import secrets
import string
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaifang.accounts.models import User
from kaifang.accounts.permissions import can_manage_security, can_manage_users
from kaifang.accounts.services import deny
from kaifang.audit.services import record_event
from kaifang.core import clock
from kaifang.core.actors import is_system_actor

# Default passwords nobody may keep (SEC-11); `kaifang check_accounts` tries them on every account.
DEFAULT_PASSWORDS = ["Demo-2018!open", "admin", "Admin@123", "Admin123!", "123456", "Passw0rd!", "kaifang"]


def password_expired(user: Any, *, now: datetime.datetime | None = None) -> bool:
    """Must the user change the password before doing anything else? First sign-in after an
    administrator set it, or older than KAIFANG_PASSWORD_MAX_AGE_DAYS."""
    if getattr(user, "must_change_password", False):
        return True
    max_age = settings.KAIFANG_PASSWORD_MAX_AGE_DAYS
    if max_age <= 0:
        return False
    changed = getattr(user, "password_changed_at", None) or getattr(user, "date_joined", None)
    if changed is None:
        return False
    return (now or clock.now()) - changed > datetime.timedelta(days=max_age)


def initial_password_expired(user: User, *, now: datetime.datetime | None = None) -> bool:
    """An administrator-issued password is short-lived: unusable after KAIFANG_INITIAL_PASSWORD_HOURS."""
    if not user.must_change_password or user.password_changed_at is None:
        return False
    limit = datetime.timedelta(hours=settings.KAIFANG_INITIAL_PASSWORD_HOURS)
    return (now or clock.now()) - user.password_changed_at > limit


def random_password(length: int = 16) -> str:
    """A random password that passes the policy (all four character classes, no words). It is
    handed out on paper, so characters that read alike (0 O, 1 l I) are left out."""
    alphabet = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI") + "!#%+-=?@"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if (
            candidate[0].isalnum()  # a sheet cell starting with = + - @ would be read as a formula
            and any(c.islower() for c in candidate)
            and any(c.isupper() for c in candidate)
            and any(c.isdigit() for c in candidate)
            and any(c in "!#%+-=?@" for c in candidate)
        ):
            return candidate


def end_user_sessions(*, user: User, keep: str | None = None) -> int:
    """Delete every live server-side session of `user` except `keep`; returns how many ended."""
    if user.last_login is None:
        return 0  # never signed in: no session to end (a batch of new accounts skips the scan)
    ended = 0
    # Wall clock: session expiry is real time.
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.session_key == keep:
            continue
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended


def reset_password(*, actor: Any, user: User) -> str:
    """The security administrator issues a one-time password: random, short-lived, to be changed at
    the next sign-in. Ends the user's sessions and lifts a lock-out. Returns the password (shown
    once, never stored)."""
    if not is_system_actor(actor) and not can_manage_security(actor):
        raise deny(
            actor=actor,
            action="accounts.user.reset_password",
            message=_("只有安全管理员可以签发一次性密码。"),
            user=user,
        )
    if getattr(actor, "pk", None) == user.pk:
        raise deny(
            actor=actor, action="accounts.user.reset_password", message=_("不能为自己签发一次性密码。"), user=user
        )
    if not user.is_active:
        raise ValidationError(_("账号“%(u)s”已停用，不能签发密码。") % {"u": user.username})
    password = random_password()
    with transaction.atomic():
        user.set_password(password)
        user.password_changed_at = clock.now()
        user.must_change_password = True
        user.failed_logins, user.locked_until = 0, None
        user.save(
            update_fields=["password", "password_changed_at", "must_change_password", "failed_logins", "locked_until"]
        )
        record_event(actor=actor, action="accounts.user.reset_password", obj=user, unit=user.unit)
    end_user_sessions(user=user)
    return password


@dataclass(frozen=True)
class IssuedPassword:
    """One line of the sheet of one-time passwords handed out on paper."""

    user: User
    password: str
    valid_until: datetime.datetime


def issue_one_time_passwords(*, actor: Any, users: list[User], grant: bool = False) -> list[IssuedPassword]:
    """The security administrator's batch for distribution: for each account (optionally granting
    the role it was created for, at its unit, first) a one-time password. All or nothing."""
    from kaifang.accounts.services import set_role

    if not users:
        raise ValidationError(_("请选择账号。"))
    limit = datetime.timedelta(hours=settings.KAIFANG_INITIAL_PASSWORD_HOURS)
    issued = []
    with transaction.atomic():
        for user in users:
            if grant and user.scope_granted_at is None:
                if user.unit is None:
                    raise ValidationError(_("账号“%(u)s”没有所属单位。") % {"u": user.username})
                user = set_role(actor=actor, user=user, role=user.role, unit=user.unit, expected_version=user.version)
            password = reset_password(actor=actor, user=user)
            issued.append(IssuedPassword(user=user, password=password, valid_until=timezone.now() + limit))
    return issued


def set_active(*, actor: Any, user: User, active: bool, reason: str = "") -> User:
    """Deactivate (never delete: the audit trail keeps pointing at the person) or reactivate."""
    if not is_system_actor(actor) and not can_manage_users(actor):
        raise deny(
            actor=actor, action="accounts.user.set_active", message=_("只有系统管理员可以停用或启用账号。"), user=user
        )
    if getattr(actor, "pk", None) == user.pk:
        raise ValidationError(_("不能停用自己的账号。"))
    with transaction.atomic():
        before = user.is_active
        user.is_active = active
        user.save(update_fields=["is_active"])
        record_event(
            actor=actor,
            action="accounts.user.activate" if active else "accounts.user.deactivate",
            obj=user,
            unit=user.unit,
            before={"is_active": before},
            after={"is_active": active, "reason": reason},
        )
    if not active:
        end_user_sessions(user=user)
    return user


def unlock(*, actor: Any, user: User) -> User:
    """Lift a lock-out early (the security administrator)."""
    if not is_system_actor(actor) and not can_manage_security(actor):
        raise deny(actor=actor, action="accounts.user.unlock", message=_("只有安全管理员可以解除锁定。"), user=user)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        record_event(actor=actor, action="accounts.user.unlock", obj=user, unit=user.unit)
    user.refresh_from_db()
    return user


def force_logout(*, actor: Any, user: User) -> int:
    """End all of a user's sessions (the security administrator)."""
    if not is_system_actor(actor) and not can_manage_security(actor):
        raise deny(
            actor=actor, action="accounts.user.end_sessions", message=_("只有安全管理员可以结束会话。"), user=user
        )
    ended = end_user_sessions(user=user)
    with transaction.atomic():
        record_event(actor=actor, action="accounts.user.end_sessions", obj=user, unit=user.unit, after={"ended": ended})
    return ended
