"""Sending and reading notifications. Scheduled jobs call `notify_unit` with a dedup key."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from kaifang.accounts.models import Role, User
from kaifang.notifications.models import Notification
from kaifang.orgs.models import OrgUnit


def notify(
    *,
    recipient: User,
    kind: str,
    title: str,
    dedup_key: str,
    body: str = "",
    url: str = "",
    unit: OrgUnit | None = None,
) -> Notification | None:
    """Create one notification unless this recipient already has one with `dedup_key` (returns None then)."""
    if Notification.objects.filter(recipient=recipient, dedup_key=dedup_key).exists():
        return None
    try:
        with transaction.atomic():
            return Notification.objects.create(
                recipient=recipient,
                kind=kind,
                title=title[:200],
                body=body,
                url=url[:300],
                dedup_key=dedup_key[:200],
                unit=unit,
            )
    except IntegrityError:  # a concurrent run created it first
        return None


def unit_recipients(unit: OrgUnit) -> list[User]:
    """Who hears about a unit's work: its own active users (reporters, or a city's officers)."""
    users = list(User.objects.filter(unit=unit, is_active=True).exclude(role__in=[Role.LEADER, Role.AUDITOR]))
    return users


def notify_unit(*, unit: OrgUnit, kind: str, title: str, dedup_key: str, body: str = "", url: str = "") -> int:
    """Notify every active user of `unit`; returns how many notifications were newly created."""
    created = 0
    for user in unit_recipients(unit):
        if notify(recipient=user, kind=kind, title=title, dedup_key=dedup_key, body=body, url=url, unit=unit):
            created += 1
    return created


def mark_read(*, user: Any, notification_ids: list[int] | None = None) -> int:
    """Mark the user's own notifications read (all unread when no ids are given)."""
    qs = Notification.objects.for_user(user).unread()
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())
