"""Logins, logouts and failed logins go to the audit trail."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from kaifang.audit.services import record_event


@receiver(user_logged_in)
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Every sign-in, however it happens, starts in the second-factor state the user needs."""
    from kaifang.accounts import twofactor
    from kaifang.accounts.middleware import LAST_SEEN, STARTED

    state = twofactor.state_after_password(user)
    if request is not None and hasattr(request, "session"):
        request.session[twofactor.STATE] = state
        request.session[STARTED] = request.session[LAST_SEEN] = time.time()
    record_event(actor=user, action="auth.login", obj=user, unit=user.unit, after={"second_factor": state})


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
