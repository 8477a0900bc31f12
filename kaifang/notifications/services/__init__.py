"""Sending and reading notifications. Scheduled jobs call `notify_unit` with a dedup key."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from kaifang.core import clock
from kaifang.notifications.models import Notification
from kaifang.orgs.models import OrgUnit
from kaifang.orgs.roles import Role

if TYPE_CHECKING:  # typing only: notifications sit above accounts' users without importing them
    from kaifang.accounts.models import User


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
    """Who hears about a unit's work (see `recipients_for`)."""
    return recipients_for(unit)[0]


def recipients_for(unit: OrgUnit) -> tuple[list[User], OrgUnit | None]:
    """Who hears about a unit's work: its own active users (reporters, or a city's officers). A unit
    with no account yet (a county still being set up) is not left out: the nearest unit above it
    that has users hears instead, and is named as the relay (second value; None when the unit's own
    users hear)."""
    own = _active_users([unit.pk], NOT_NOTIFIED)
    if own.get(unit.pk):
        return own[unit.pk], None
    above = list(unit.ancestors())
    found = _active_users([a.pk for a in above], NOT_RELAYING)
    for ancestor in reversed(above):  # nearest first
        if found.get(ancestor.pk):
            return found[ancestor.pk], ancestor
    return [], None


NOT_NOTIFIED = [Role.LEADER, Role.AUDITOR]  # read-only roles: nothing to act on
NOT_RELAYING = [*NOT_NOTIFIED, Role.PROVINCE_ADMIN, Role.SECURITY_ADMIN]  # administrators relay no business


def _active_users(unit_ids: list[int], excluded: list[Role]) -> dict[int, list[User]]:
    out: dict[int, list[User]] = {}
    for user in get_user_model().objects.filter(unit_id__in=unit_ids, is_active=True).exclude(role__in=excluded):
        if user.unit_id is not None:
            out.setdefault(user.unit_id, []).append(user)
    return out


def notify_unit(
    *,
    unit: OrgUnit,
    kind: str,
    title: str,
    dedup_key: str,
    body: str = "",
    url: str = "",
    relay: bool = False,
    sender: Any = None,
) -> int:
    """Notify every active user of `unit`; returns how many notifications were newly created.

    With `relay=True` (the reminder jobs: deadlines nobody else is watching) a unit with no users yet
    is not skipped: the unit above it that has users hears, and the notice says so. Notices that
    follow someone's action (an approval, a task issued, an urge) are not relayed: the unit above is
    usually the one that acted. `sender` (the person who acted, if any) is recorded on the channel
    sends, which the sender reads on the send-record page."""
    users, relayed_by = recipients_for(unit)
    if relayed_by is not None and not relay:
        return 0  # nobody at the unit, and the unit above already knows (it acted)
    if relayed_by is not None:
        note = f"{unit.name}尚未开通系统账号，本通知转{relayed_by.name}，请转告该单位或代为办理。"
        body = f"{note}\n{body}" if body else note
    created = 0
    for user in users:
        if notify(recipient=user, kind=kind, title=title, dedup_key=dedup_key, body=body, url=url, unit=unit):
            created += 1
    # The same notice through the unit's message channels (WeCom / DingTalk / SMS), when it has any.
    from kaifang.notifications.delivery import dispatch

    dispatch(unit=unit, kind=kind, title=title, body=body, dedup_key=dedup_key, sender=sender)
    return created


def mark_read(*, user: Any, notification_ids: list[int] | None = None) -> int:
    """Mark the user's own notifications read (all unread when no ids are given)."""
    qs = Notification.objects.for_user(user).unread()
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=clock.now())
