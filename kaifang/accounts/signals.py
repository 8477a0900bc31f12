"""Logins, logouts and failed logins go to the audit trail; a sign-in stamps `last_login` with the
app clock (Django's own receiver, which uses the wall clock, is disconnected in AccountsConfig)."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from kaifang.audit.services import record_event
from kaifang.core import clock
from kaifang.core.actors import UnverifiedName


@receiver(user_logged_in)
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Every sign-in, however it happens, starts in the second-factor state the user needs."""
    from kaifang.accounts import twofactor
    from kaifang.accounts.middleware import LAST_SEEN, STARTED

    user.last_login = clock.now()
    user.save(update_fields=["last_login"])
    state = twofactor.state_after_password(user)
    if request is not None and hasattr(request, "session"):
        request.session[twofactor.STATE] = state
        # Wall clock: session time-outs are real time.
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
        actor=UnverifiedName(username),
        action="auth.login_failed",
        object_type="accounts.user",
        object_repr=username,
        after={"locked": locked},
    )
