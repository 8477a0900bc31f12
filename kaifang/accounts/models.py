"""People, their roles and their API tokens."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower, Trim
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaifang.core import clock
from kaifang.core.personal import EncryptedCharField
from kaifang.orgs.roles import Role  # re-exported: the roles' one home is orgs, beside the scope rule
from kaifang.orgs.scope import unit_scope_q


class UserQuerySet(models.QuerySet["User"]):
    def visible_to(self, user: Any) -> UserQuerySet:
        """The accounts `user` may see on the user administration pages: the three administrators
        (三员) see the accounts of their unit's subtree; nobody else sees any."""
        from kaifang.accounts.permissions import can_read_users

        if not can_read_users(user):
            return self.none()
        return self.filter(unit_scope_q(user, prefix="unit__"))

    def awaiting_grant(self) -> UserQuerySet:
        """Active accounts the security administrator has not yet given a scope."""
        return self.filter(is_active=True, scope_granted_at__isnull=True)


class AccountManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    """Django's user manager with the queryset methods above (`User.objects.visible_to(user)`)."""


class User(AbstractUser):
    """A person bound to one unit with one role; the unit and role bound everything they see and do.

    Deny by default: an account has no scope (sees nothing, `scope_granted_at` empty) until the
    security administrator grants its role at its unit (`accounts.services.set_role`). The system
    administrator creates, edits, moves and deactivates accounts but never grants; a move withdraws
    the grant until it is given again for the new unit. Nobody changes their own unit or role.
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
    phone = EncryptedCharField(_("电话"), max_length=32, blank=True)  # SM4 at rest when keys are set
    failed_logins = models.PositiveIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    password_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    date_joined = models.DateTimeField(_("注册时间"), default=clock.now)  # Django's, stamped by the app clock
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    scope_granted_at = models.DateTimeField(_("授权时间"), null=True, blank=True, editable=False)
    # Where the person signs in: "" a local account (password, break-glass), "ldap" or "cas" the
    # province's identity service (unit and role from the directory mapping, no local password).
    directory = models.CharField(_("身份来源"), max_length=8, blank=True, default="", editable=False)
    version = models.PositiveIntegerField(default=1)

    objects: ClassVar[AccountManager] = AccountManager()

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

    @property
    def has_scope(self) -> bool:
        return self.scope_granted_at is not None


class UnitAssignment(models.Model):
    """One stretch of a person's posting: the unit and role from `since` until `until` (empty while
    current). A move or a new grant closes the stretch and opens the next, so where someone worked,
    and as what, stays on record after they move."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey("orgs.OrgUnit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    since = models.DateTimeField(_("起"), default=timezone.now)
    until = models.DateTimeField(_("止"), null=True, blank=True)
    changed_by = models.CharField(_("经办人"), max_length=150, blank=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("任职记录")
        verbose_name_plural = _("任职记录")
        ordering = ["user_id", "-since", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(until__isnull=True), name="accounts_one_current_assignment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.unit_id} {self.role}"


class UserImport(models.Model):
    """One applied bulk import of accounts: the file's SHA-256 (a second import of the same file
    says when the first was), who imported it and the accounts it created."""

    sha256 = models.CharField(max_length=64, db_index=True)
    filename = models.CharField(_("文件名"), max_length=200)
    imported_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    imported_by_name = models.CharField(_("导入人"), max_length=150, blank=True)
    at = models.DateTimeField(_("导入时间"), default=timezone.now)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    created_usernames = models.JSONField(_("新建账号"), default=list)

    class Meta:
        verbose_name = _("账号导入")
        verbose_name_plural = _("账号导入")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.at:%Y-%m-%d})"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        """Not revoked, not expired, of an active account (whether the account may use it now —
        locked, password to change — is decided per request: `accounts.services.token_for`)."""
        return self.filter(revoked_at__isnull=True, user__is_active=True, expires_at__gt=timezone.now())


def token_expiry() -> datetime.datetime:
    from django.conf import settings

    return timezone.now() + datetime.timedelta(days=settings.KAIFANG_TOKEN_DAYS)


class ApiToken(models.Model):
    """A bearer token for programs. Only its SHA-256 is stored; the token is shown once. It expires
    (KAIFANG_TOKEN_DAYS, default 90), may be read-only, and records when it was last used."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100, blank=True)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField(_("有效期至"), default=token_expiry)
    read_only = models.BooleanField(_("只读"), default=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expiry_warned_at = models.DateTimeField(null=True, blank=True, editable=False)

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


class DirectoryRule(models.Model):
    """One line of the directory mapping table (LDAP and CAS sign-in): a directory attribute value
    or group gives a unit and/or a role. A person signs in only when the rules give both; the first
    matching rule (lowest `priority`) decides each. An attribute rule with value `*` and no unit
    takes the unit whose code equals the attribute's value (e.g. departmentNumber 210112 → 浑南区)."""

    class Source(models.TextChoices):
        ATTRIBUTE = "attribute", _("目录属性")
        GROUP = "group", _("目录组")

    source = models.CharField(_("依据"), max_length=16, choices=Source.choices)
    attribute = models.CharField(_("属性名"), max_length=64, blank=True)
    value = models.CharField(_("属性值或组"), max_length=255)
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, blank=True)
    priority = models.PositiveIntegerField(_("优先级"), default=100)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("目录映射")
        verbose_name_plural = _("目录映射")
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        what = f"{self.attribute}={self.value}" if self.source == self.Source.ATTRIBUTE else self.value
        return f"{what} → {self.unit_id or ''} {self.role}"
