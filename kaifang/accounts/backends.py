"""Authentication with lockout: after N failed passwords an account is locked for a while."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from kaifang.accounts.models import User


class LockoutModelBackend(ModelBackend):
    """Django's model backend, refusing locked accounts and counting failures in their own transaction."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if not username or password is None:
            return None
        user = User.objects.filter(username=username).first()
        if user is not None and user.is_locked():
            if request is not None:
                request.kaifang_login_locked = True  # type: ignore[attr-defined]
            return None
        authenticated = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            if authenticated is None:
                register_failure(user)
            elif user.failed_logins:
                User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        return authenticated  # type: ignore[return-value]


def register_failure(user: User) -> None:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins"])
        if user.failed_logins >= settings.KAIFANG_LOGIN_MAX_FAILURES:
            until = timezone.now() + datetime.timedelta(minutes=settings.KAIFANG_LOCKOUT_MINUTES)
            User.objects.filter(pk=user.pk).update(locked_until=until, failed_logins=0)
