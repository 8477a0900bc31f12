"""Account lifecycle: password expiry, administrator resets, deactivation, unlocking, ending
sessions and disabling accounts nobody has used for a long time (等保 8.1.4.1a, 8.1.4.2b/c)."""

from __future__ import annotations

import datetime
import secrets
import string
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kaifang.accounts.models import User
from kaifang.accounts.permissions import can_manage_security, can_manage_users
from kaifang.accounts.services import deny
from kaifang.audit.services import record_event
from kaifang.core import clock

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
    """A random password that passes the policy (all four character classes, no words)."""
    alphabet = string.ascii_letters + string.digits + "!#%+-=?@"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if (
            any(c.islower() for c in candidate)
            and any(c.isupper() for c in candidate)
            and any(c.isdigit() for c in candidate)
            and any(c in "!#%+-=?@" for c in candidate)
        ):
            return candidate


def end_user_sessions(*, user: User, keep: str | None = None) -> int:
    """Delete every live server-side session of `user` except `keep`; returns how many ended."""
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
    """The system administrator issues a random, single-use, short-lived password; the user must
    change it at the next sign-in. Ends the user's sessions. Returns the password (shown once)."""
    if not isinstance(actor, str) and not can_manage_users(actor):
        raise deny(
            actor=actor, action="accounts.user.reset_password", message=_("只有系统管理员可以重置密码。"), user=user
        )
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


def set_active(*, actor: Any, user: User, active: bool, reason: str = "") -> User:
    """Deactivate (never delete: the audit trail keeps pointing at the person) or reactivate."""
    if not isinstance(actor, str) and not can_manage_users(actor):
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
    if not isinstance(actor, str) and not can_manage_security(actor):
        raise deny(actor=actor, action="accounts.user.unlock", message=_("只有安全管理员可以解除锁定。"), user=user)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        record_event(actor=actor, action="accounts.user.unlock", obj=user, unit=user.unit)
    user.refresh_from_db()
    return user


def force_logout(*, actor: Any, user: User) -> int:
    """End all of a user's sessions (the security administrator)."""
    if not isinstance(actor, str) and not can_manage_security(actor):
        raise deny(
            actor=actor, action="accounts.user.end_sessions", message=_("只有安全管理员可以结束会话。"), user=user
        )
    ended = end_user_sessions(user=user)
    with transaction.atomic():
        record_event(actor=actor, action="accounts.user.end_sessions", obj=user, unit=user.unit, after={"ended": ended})
    return ended


def disable_stale_accounts(*, now: datetime.datetime | None = None) -> int:
    """The daily job: disable accounts unused for KAIFANG_STALE_ACCOUNT_DAYS (never signed in: counted
    from creation). Each one gets an audit event. Returns how many were disabled."""
    days = settings.KAIFANG_STALE_ACCOUNT_DAYS
    if days <= 0:
        return 0
    cutoff = (now or clock.now()) - datetime.timedelta(days=days)
    stale = User.objects.filter(is_active=True).filter(
        Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)
    )
    count = 0
    for user in stale:
        set_active(actor="system", user=user, active=False, reason=f"{days} 天未登录")
        count += 1
    return count
