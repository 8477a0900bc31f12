"""Logins, logouts and failed logins go to the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from kaifang.audit.services import record_event


@receiver(user_logged_in)
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_event(actor=user, action="auth.login", obj=user, unit=user.unit)


@receiver(user_logged_out)
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record_event(actor=user, action="auth.logout", obj=user, unit=user.unit)


@receiver(user_login_failed)
def audit_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    locked = bool(getattr(request, "kaifang_login_locked", False))
    record_event(
        actor=username,
        action="auth.login_failed",
        object_type="accounts.user",
        object_repr=username,
        after={"locked": locked},
    )
