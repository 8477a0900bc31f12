"""The audit trail: append-only, hash-chained, written in the same transaction as each change."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Actions only the audit administrator reads.
SECURITY_ACTION_PREFIXES = ("auth.", "accounts.", "security.", "audit.", "access.")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def business(self) -> AuditEventQuerySet:
        query = models.Q()
        for prefix in SECURITY_ACTION_PREFIXES:
            query |= models.Q(action__startswith=prefix)
        return self.exclude(query)


class AuditEvent(models.Model):
    """Who did what to which object, when, through which channel, and the before → after values.

    Rows are never updated or deleted: `save()` refuses updates, `delete()` refuses, and a database
    trigger enforces the same for raw SQL. `hash` chains each row to the previous one (`kaifang
    verify_audit` recomputes the chain).
    """

    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_username = models.CharField(_("账号"), max_length=150, blank=True)
    actor_role = models.CharField(_("角色"), max_length=32, blank=True)
    actor_unit_code = models.CharField(_("所属单位"), max_length=32, blank=True)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=255, blank=True)
    unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("相关单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    channel = models.CharField(_("渠道"), max_length=16, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    request_id = models.CharField(max_length=36, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)
    # How `hash` was computed: "sha256" (also when empty: rows from before the choice existed) or
    # "hmac-sm3" (国密, KAIFANG_AUDIT_DIGEST). Nullable without default, so adding it altered the
    # table in place on SQLite too (its append-only triggers stay).
    algorithm = models.CharField(max_length=16, null=True, blank=True)  # noqa: DJ001 (see above)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["actor_username", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("audit events are append-only")


class AuditChainHead(models.Model):
    """One row holding the hash of the latest event; locked while appending so the chain is linear."""

    last_hash = models.CharField(max_length=64, blank=True)
    count = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.count} events, head {self.last_hash[:12]}"


class DenialWindow(models.Model):
    """Refused requests of one user to one address, counted for a minute before they become one audit
    event with the count (issue 15: every denial is audited, without flooding the trail). Not part of
    the audit trail itself: rows are deleted once written to it (`flush_denials`)."""

    key = models.CharField(max_length=64, unique=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    username = models.CharField(max_length=150)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=255)
    query = models.CharField(max_length=255, blank=True)
    status = models.PositiveSmallIntegerField()
    channel = models.CharField(max_length=16, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=36, blank=True)
    first_at = models.DateTimeField(db_index=True)
    last_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.username} {self.method} {self.path} ×{self.count}"
