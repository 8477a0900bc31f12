"""API tokens (SEC: bearer tokens for programs): issuing, revoking, and finding the usable token for
a bearer text. Only the SHA-256 of a token is stored; the text is shown once."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaifang.accounts.models import ApiToken, User
from kaifang.audit.services import record_event
from kaifang.core import clock


def create_token(
    *, actor: Any, user: User, name: str = "", days: int | None = None, read_only: bool = False
) -> tuple[ApiToken, str]:
    """A new bearer token for `user`, valid `days` (default KAIFANG_TOKEN_DAYS) and, with
    `read_only`, only for reading; returns the row and the token text, which is never stored."""
    days = settings.KAIFANG_TOKEN_DAYS if days is None else days
    if not 1 <= days <= 3660:
        raise ValidationError({"days": _("令牌有效期应为 1–3660 天。")})
    token = "kf_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        row = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=token[:10],
            digest=ApiToken.digest_of(token),
            expires_at=timezone.now() + datetime.timedelta(days=days),
            read_only=read_only,
        )
        record_event(
            actor=actor,
            action="accounts.token.create",
            obj=row,
            unit=user.unit,
            after={
                "user": user.username,
                "prefix": row.prefix,
                "name": name,
                "expires_at": row.expires_at.isoformat(),
                "read_only": read_only,
            },
        )
    return row, token


def revoke_token(*, actor: Any, token: ApiToken) -> ApiToken:
    with transaction.atomic():
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        record_event(
            actor=actor, action="accounts.token.revoke", obj=token, unit=token.user.unit, after={"prefix": token.prefix}
        )
    return token


def token_refusal(row: ApiToken) -> str:
    """Why a stored, unexpired token may not be used now ("" when it may): its account is inactive,
    locked, or must change its password first (a program cannot do that for it)."""
    from kaifang.accounts.services.lifecycle import password_expired

    user = row.user
    if not user.is_active:
        return "inactive"
    if user.is_locked():
        return "locked"
    if password_expired(user):
        return "password"
    return ""


def token_for(token: str) -> ApiToken | None:
    """The usable token row for a bearer token text, or None: unknown, revoked, expired, or its account
    inactive, locked or due to change its password. Records when it was used (once a minute at most)."""
    if not token or len(token) > 200:
        return None
    row = (
        ApiToken.objects.active().select_related("user", "user__unit").filter(digest=ApiToken.digest_of(token)).first()
    )
    if row is None or token_refusal(row):
        return None
    now = timezone.now()  # Wall clock: token use and expiry are real time
    if row.last_used_at is None or now - row.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row


def user_for_token(token: str) -> User | None:
    """The user a usable bearer token belongs to, or None (see `token_for`)."""
    row = token_for(token)
    return row.user if row is not None else None
