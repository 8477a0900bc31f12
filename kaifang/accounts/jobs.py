"""Background work of accounts (run by the recurring-job cycle, `kaifang.jobs`): disabling accounts
nobody has used for a long time (等保 8.1.4.1a) and warning owners of API tokens about to end."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kaifang.accounts.models import User
from kaifang.accounts.services.lifecycle import set_active
from kaifang.audit.services import record_event
from kaifang.core import clock
from kaifang.core.actors import SystemActor
from kaifang.notifications.services import notify


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
        set_active(actor=SystemActor("system"), user=user, active=False, reason=f"{days} 天未登录")
        count += 1
    return count


def warn_expiring_tokens(*, now: datetime.datetime | None = None) -> int:
    """Put a warning in the owner's inbox for each usable API token that ends within
    KAIFANG_TOKEN_WARN_DAYS (once per token); returns how many were warned. A recurring job."""
    from kaifang.accounts.models import ApiToken

    now = now or timezone.now()
    soon = now + datetime.timedelta(days=settings.KAIFANG_TOKEN_WARN_DAYS)
    due = ApiToken.objects.filter(
        revoked_at__isnull=True, user__is_active=True, expires_at__gt=now, expires_at__lte=soon, expiry_warned_at=None
    ).select_related("user", "user__unit")
    warned = 0
    for token in due:
        with transaction.atomic():
            # Claim the token first: two runs at once warn once (the second updates nothing).
            if not ApiToken.objects.filter(pk=token.pk, expiry_warned_at=None).update(expiry_warned_at=now):
                continue
            ends = timezone.localtime(token.expires_at)
            notify(
                recipient=token.user,
                kind="token_expiry",
                title=_("API 令牌 %(prefix)s… 将于 %(day)s 到期") % {"prefix": token.prefix, "day": f"{ends:%Y-%m-%d}"},
                body=_("到期后使用该令牌的程序将无法访问接口。请联系管理员用 kaifang create_token 换发新令牌。"),
                dedup_key=f"token-expiry-{token.pk}",
                unit=token.user.unit,
            )
            record_event(
                actor=SystemActor("system"),
                action="accounts.token.expiry_warned",
                obj=token,
                unit=token.user.unit,
                after={"prefix": token.prefix, "expires_at": token.expires_at.isoformat()},
            )
            warned += 1
    return warned
