"""Authentication with lock-out: after N failed sign-ins an account is locked for a while, and a
client address with too many failures is refused for every account (SEC-04)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from kaifang.accounts.models import User
from kaifang.audit.models import AuditEvent
from kaifang.audit.services import record_event
from kaifang.core import clock, context
from kaifang.core.actors import UnverifiedName

FAILURE_ACTIONS = ("auth.login_failed", "auth.2fa.failed")


def ip_is_throttled(ip: str | None) -> bool:
    """Too many failed sign-ins from this address within the window (counted from the audit trail,
    so every app server sees the same number)."""
    if not ip:
        return False
    # App clock: compared with the audit events' `at`, which the app clock stamps.
    since = clock.now() - datetime.timedelta(minutes=settings.KAIFANG_LOGIN_IP_WINDOW_MINUTES)
    failures = AuditEvent.objects.filter(at__gte=since, ip=ip, action__in=FAILURE_ACTIONS).count()
    return failures >= settings.KAIFANG_LOGIN_MAX_FAILURES_PER_IP


class LockoutModelBackend(ModelBackend):
    """Django's model backend, refusing locked accounts and counting failures in their own transaction.

    The user name is matched case-insensitively after trimming (SEC-01: names are unique in that form).
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if not username or password is None:
            return None

        username = username.strip()
        user = User.objects.filter(username__iexact=username).first()
        if ip_is_throttled(context.current().ip) or (user is not None and user.is_locked()):
            if request is not None:
                request.kaifang_login_locked = True  # type: ignore[attr-defined]
            spend_one_hash(password, user)
            return None
        canonical = user.username if user is not None else username
        authenticated = super().authenticate(request, username=canonical, password=password, **kwargs)
        if user is not None:
            if authenticated is None:
                register_failure(user)  # the lock shows from the next attempt: no hint on this one
            elif user.failed_logins:
                User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        return authenticated  # type: ignore[return-value]


def spend_one_hash(password: str, user: User | None) -> None:
    """Hash the password once, as a real check would, and ignore the result: a refused (locked or
    throttled) sign-in takes as long as a wrong password or an unknown account, so the answer's
    timing does not tell that the account exists (issue 15, SEC-04)."""
    if user is not None and user.password:
        check_password(password, user.password)  # no setter: never upgrades or saves anything
    else:
        make_password(password)


def register_failure(user: User) -> bool:
    """Count one failed password or code; lock the account (and audit it) at the limit. Returns
    whether this failure locked it."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins"])
        if user.failed_logins < settings.KAIFANG_LOGIN_MAX_FAILURES:
            return False
        # Wall clock: a lock-out lasts real minutes.
        until = timezone.now() + datetime.timedelta(minutes=settings.KAIFANG_LOCKOUT_MINUTES)
        User.objects.filter(pk=user.pk).update(locked_until=until, failed_logins=0)
        record_event(
            actor=UnverifiedName(user.username),  # the sign-in never succeeded: the name is recorded, not trusted
            action="auth.login_locked",
            obj=user,
            unit=user.unit,
            after={"minutes": settings.KAIFANG_LOCKOUT_MINUTES},
        )
    return True
