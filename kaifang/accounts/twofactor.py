"""The second factor (等保 8.1.4.1d): TOTP (RFC 6238) with one-time recovery codes.

After the password a user who needs a second factor is signed in but *pending*: the session
middleware lets them reach only the code page (or the enrolment page) and logout. Codes are
single-use (the step of the last accepted code is stored), expire with their 30-second step (one
step of clock drift accepted) and failures count towards the same lock-out as passwords.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
import time
from typing import Any

import pyotp
import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from kaifang.accounts.models import RecoveryCode, TotpDevice, User
from kaifang.accounts.permissions import can_manage_security
from kaifang.audit.services import record_event
from kaifang.core import clock
from kaifang.core.actors import is_system_actor

STATE = "kaifang_2fa"  # session key: "pending" (code asked), "enrol" (must set one up), "done"
PENDING, ENROL, DONE = "pending", "enrol", "done"
ENROL_SECRET = "kaifang_2fa_secret"  # noqa: S105 (a session key name)
RECOVERY_CODES = 10
STEP = 30


def has_device(user: Any) -> bool:
    pk = getattr(user, "pk", None)
    return pk is not None and TotpDevice.objects.filter(user_id=pk, confirmed_at__isnull=False).exists()


def required_for(user: Any) -> bool:
    """Roles listed in KAIFANG_2FA_ROLES must use it (when KAIFANG_REQUIRE_2FA is on); anyone who
    enrolled uses it."""
    if has_device(user):
        return True
    return bool(settings.KAIFANG_REQUIRE_2FA) and getattr(user, "role", None) in settings.KAIFANG_2FA_ROLES


def state_after_password(user: Any) -> str:
    if has_device(user):
        return PENDING
    if getattr(user, "directory", "") == "cas":
        return DONE  # single sign-on: the province's identity service asked for its own factors
    return ENROL if required_for(user) else DONE


def second_factor_done(request: HttpRequest) -> bool:
    return request.session.get(STATE, DONE) == DONE


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=settings.KAIFANG_TOTP_ISSUER)


def qr_svg(uri: str) -> bytes:
    """The otpauth URI as an SVG QR code, drawn on the server (no script, no external service)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=5, border=2, xmldecl=False)
    return out.getvalue()


def _matching_step(secret: str, code: str, *, now: float | None = None) -> int | None:
    """The time step whose code equals `code` (current step ± 1), or None."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    # Wall clock: TOTP codes follow the real time on the user's phone.
    now = time.time() if now is None else now
    current = int(now // STEP)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _digest(user: User, code: str) -> str:
    normalised = code.strip().replace("-", "").replace(" ", "").lower()
    return hashlib.sha256(f"{user.pk}:{normalised}".encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = []
    for _i in range(RECOVERY_CODES):
        raw = secrets.token_hex(5)
        code = f"{raw[:5]}-{raw[5:]}"
        RecoveryCode.objects.create(user=user, digest=_digest(user, code))
        codes.append(code)
    return codes


def confirm_enrolment(*, user: User, secret: str, code: str) -> list[str] | None:
    """Save the device when `code` proves the app holds `secret`; returns the recovery codes (shown
    once) or None for a wrong code."""
    step = _matching_step(secret, code)
    if step is None:
        return None
    with transaction.atomic():
        TotpDevice.objects.filter(user=user).delete()
        TotpDevice.objects.create(user=user, secret=secret, confirmed_at=clock.now(), last_step=step)
        codes = _new_recovery_codes(user)
        record_event(actor=user, action="auth.2fa.enrol", obj=user, unit=user.unit)
    return codes


def verify_code(*, user: User, code: str) -> bool:
    """Accept a current TOTP code not used before, or an unused recovery code. Audited either way;
    a wrong code counts as a failed sign-in (lock-out)."""
    from kaifang.accounts.backends import register_failure

    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
        step = _matching_step(device.secret, code) if device else None
        if device is not None and step is not None and step > device.last_step:
            TotpDevice.objects.filter(pk=device.pk).update(last_step=step)
            record_event(actor=user, action="auth.2fa.verify", obj=user, unit=user.unit)
            return True
        recovery = (
            RecoveryCode.objects.select_for_update()
            .filter(user=user, digest=_digest(user, code), used_at__isnull=True)
            .first()
        )
        if recovery is not None:
            RecoveryCode.objects.filter(pk=recovery.pk).update(used_at=clock.now())
            left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
            record_event(actor=user, action="auth.2fa.recovery_code", obj=user, unit=user.unit, after={"left": left})
            return True
        reused = device is not None and step is not None
        record_event(actor=user, action="auth.2fa.failed", obj=user, unit=user.unit, after={"reused": reused})
    register_failure(user)
    return False


def reset_second_factor(*, actor: Any, user: User) -> None:
    """Remove a user's device and recovery codes (lost phone); they enrol again at next sign-in."""
    from kaifang.accounts.services import deny

    if not is_system_actor(actor) and not can_manage_security(actor):
        raise deny(actor=actor, action="auth.2fa.reset", message=_("只有安全管理员可以重置动态口令。"), user=user)
    with transaction.atomic():
        TotpDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        record_event(actor=actor, action="auth.2fa.reset", obj=user, unit=user.unit)
