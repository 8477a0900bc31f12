"""People, their roles and their API tokens."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower, Trim
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaifang.core import clock


class Role(models.TextChoices):
    """Business roles, plus the three separated administrators (三员): the system administrator
    (`province_admin`: org tree, catalogue, accounts), the security administrator (roles, second
    factors, lock-outs, sessions) and the audit administrator (`auditor`: reads the audit trail)."""

    PROVINCE_ADMIN = "province_admin", _("系统管理员")
    PROVINCE_SUPERVISOR = "province_supervisor", _("省级督查")
    CITY_OFFICER = "city_officer", _("市级管理员")
    REPORTER = "reporter", _("填报员")
    LEADER = "leader", _("领导（只读）")
    AUDITOR = "auditor", _("审计管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")


class User(AbstractUser):
    """A person bound to one unit with one role; the unit and role bound everything they see and do.

    Only a province admin changes a user's unit or role (`accounts.services.set_role`), and never
    their own, so nobody widens their own scope.
    """

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, default=Role.REPORTER)
    phone = models.CharField(_("电话"), max_length=32, blank=True)
    failed_logins = models.PositiveIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    password_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    date_joined = models.DateTimeField(_("注册时间"), default=clock.now)  # Django's, stamped by the app clock
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]
        constraints = [
            # SEC-01: one person, one name; "Alice" and "alice " are the same account.
            models.UniqueConstraint(Lower(Trim("username")), name="accounts_user_username_normalised_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def is_locked(self) -> bool:
        # Wall clock: a lock-out lasts real minutes.
        return self.locked_until is not None and self.locked_until > timezone.now()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A bearer token for programs. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100, blank=True)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=clock.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.user.username}:{self.prefix}…"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TotpDevice(models.Model):
    """A user's authenticator app (RFC 6238 TOTP). `last_step` makes every code single-use."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("动态口令设备")
        verbose_name_plural = _("动态口令设备")

    def __str__(self) -> str:
        return f"{self.user.username} TOTP"


class RecoveryCode(models.Model):
    """A one-time recovery code; only its SHA-256 is stored and it is spent on first use."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("恢复码")
        verbose_name_plural = _("恢复码")
        constraints = [models.UniqueConstraint(fields=["user", "digest"], name="accounts_recovery_code_unique")]

    def __str__(self) -> str:
        return f"{self.user.username} recovery code"
