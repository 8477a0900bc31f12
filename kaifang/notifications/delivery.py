"""Messages out through the channels (issue 16): `dispatch` records one `Delivery` per route (and
phone, for SMS) in the caller's transaction; after commit a background task sends each. A send
claims its row first, so a retried or repeated task never sends twice; a failure is retried with
exponential backoff up to KAIFANG_CHANNEL_MAX_ATTEMPTS and then given up; each route keeps to its
per-minute limit (WeCom and DingTalk robots take 20 a minute). Every outcome stays on the row
(sent / failed / gave up) for the sender to read; logs name the row, never a key or secret."""

from __future__ import annotations

import datetime
import hashlib
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.tasks import default_task_backend, task
from django.utils import timezone

from kaifang.notifications import channels
from kaifang.notifications.models import Channel, ChannelRoute, Delivery, DeliveryStatus

logger = logging.getLogger(__name__)
STALE_SENDING = datetime.timedelta(minutes=10)


def routes_for(unit: Any, kind: str) -> list[ChannelRoute]:
    """The unit's own routes for this kind (or for every kind); failing those, the province-wide ones."""
    wanted = (Q(kind="") | Q(kind=kind)) & (Q(unit=unit) | Q(unit__isnull=True))
    found = list(ChannelRoute.objects.filter(wanted, enabled=True).order_by("id"))  # one query per notice
    own = [r for r in found if r.unit_id is not None]
    return own or found


def _phones(unit: Any) -> list[str]:
    from kaifang.notifications.services import recipients_for

    users, _relay = recipients_for(unit)
    return sorted({u.phone.strip() for u in users if u.phone.strip()})


def dispatch(*, unit: Any, kind: str, title: str, body: str, dedup_key: str, sender: Any = None) -> list[Delivery]:
    """Record the sends of one notice to a unit (idempotent by `dedup_key`) and send them after commit."""
    if unit is None:
        return []
    created: list[Delivery] = []
    sender_name = str(getattr(sender, "username", None) or sender or "")[:150]
    for route in routes_for(unit, kind):
        recipients = _phones(unit) if route.channel == Channel.SMS else [""]
        for recipient in recipients:
            raw = f"{route.pk}|{unit.pk}|{recipient}|{dedup_key}"
            key = hashlib.sha256(raw.encode("utf-8")).hexdigest()
            delivery, new = Delivery.objects.get_or_create(
                key=key,
                defaults={
                    "route": route,
                    "unit": unit,
                    "kind": kind[:40],
                    "title": title[:200],
                    "body": body,
                    "recipient": recipient,
                    "sender": sender_name,
                    "next_attempt_at": timezone.now(),
                },
            )
            if new:
                created.append(delivery)
    ids = [d.pk for d in created]
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return created


def send_test(*, route: ChannelRoute, unit: Any, sender: Any = None) -> tuple[str, Delivery]:
    """Send one test message through `route` now (the operator's check of a route); recorded like
    every send. Returns the attempt's outcome and the delivery."""
    now = timezone.now()  # wall clock, as for every attempt
    delivery = Delivery.objects.create(
        route=route,
        unit=unit,
        kind="channel_test",
        title="开放平台消息渠道测试",
        body="收到本消息说明渠道配置正确。",
        recipient="",
        key=f"test:{route.pk}:{now.timestamp()}",
        sender=str(getattr(sender, "username", None) or sender or "")[:150],
        next_attempt_at=now,
    )
    outcome = attempt(delivery.pk)
    delivery.refresh_from_db()
    return outcome, delivery


def _enqueue(ids: list[int], run_after: datetime.datetime | None = None) -> None:
    for pk in ids:
        try:
            if run_after is not None and default_task_backend.supports_defer:
                send_delivery.using(run_after=run_after).enqueue(pk)
            elif run_after is None:
                send_delivery.enqueue(pk)
            # else: the recurring job `deliver_due` picks it up when it is due
        except Exception:
            logger.exception("could not enqueue delivery %s; the recurring job will send it", pk)


def backoff(attempts: int) -> datetime.timedelta:
    """Wait before attempt `attempts + 1`: base, 2×base, 4×base … capped at an hour."""
    base = settings.KAIFANG_CHANNEL_BACKOFF_SECONDS
    return datetime.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def _claim(pk: int, now: datetime.datetime) -> Delivery | datetime.datetime | None:
    """Take the row for one attempt. None: nothing to do (sent, given up, being sent, not due). A
    datetime: the route is at its per-minute limit; try again then."""
    with transaction.atomic():
        delivery = Delivery.objects.select_related("route").filter(pk=pk).first()
        if delivery is None or delivery.status not in (DeliveryStatus.PENDING, DeliveryStatus.FAILED):
            return None
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return None
        route = ChannelRoute.objects.select_for_update().get(pk=delivery.route_id)  # one claimer per route
        window = now - datetime.timedelta(minutes=1)
        recent = Delivery.objects.filter(route=route).filter(
            Q(sent_at__gte=window) | Q(status=DeliveryStatus.SENDING, claimed_at__gte=window)
        )
        if route.per_minute and recent.count() >= route.per_minute:
            oldest = recent.order_by("sent_at").values_list("sent_at", flat=True).first() or now
            later = max(oldest + datetime.timedelta(minutes=1), now + datetime.timedelta(seconds=1))
            Delivery.objects.filter(pk=pk).update(next_attempt_at=later)
            return later
        claimed = Delivery.objects.filter(
            pk=pk, status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED], attempts=delivery.attempts
        ).update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now)
        if not claimed:
            return None
    delivery.refresh_from_db()
    return delivery


def attempt(pk: int) -> str:
    """One attempt at one delivery; returns its outcome ("sent", "failed", "gave_up", "deferred", "skipped")."""
    now = timezone.now()  # wall clock: retries and rate limits are real time
    claimed = _claim(pk, now)
    if claimed is None:
        return "skipped"
    if isinstance(claimed, datetime.datetime):
        _enqueue([pk], run_after=claimed)
        return "deferred"
    delivery = claimed
    route = delivery.route
    try:
        if route.channel == Channel.SMS:
            channels.send_sms(route, delivery.title, delivery.body, delivery.recipient, request_id=delivery.key)
        else:
            channels.SENDERS[Channel(route.channel)](route, delivery.title, delivery.body)
    except channels.SendError as exc:
        return _failed(delivery, exc.reason, retry=exc.retry)
    except Exception as exc:  # a bug must not leave the row "sending"
        logger.exception("delivery %s: unexpected error", delivery.pk)
        return _failed(delivery, channels.scrub(type(exc).__name__, route), retry=True)
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="")
    return "sent"


def _failed(delivery: Delivery, reason: str, *, retry: bool) -> str:
    reason = channels.scrub(reason, delivery.route)
    if retry and delivery.attempts < settings.KAIFANG_CHANNEL_MAX_ATTEMPTS:
        later = timezone.now() + backoff(delivery.attempts)
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, last_error=reason, next_attempt_at=later
        )
        logger.warning("delivery %s attempt %s failed: %s", delivery.pk, delivery.attempts, reason)
        _enqueue([delivery.pk], run_after=later)
        return "failed"
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.GAVE_UP, last_error=reason)
    logger.warning("delivery %s given up after %s attempts: %s", delivery.pk, delivery.attempts, reason)
    return "gave_up"


@task
def send_delivery(pk: int) -> str:
    return attempt(pk)


def deliver_due(limit: int = 500) -> str:
    """The recurring job: send what is due (new rows whose task was lost, retries when the task
    backend cannot run later), and settle rows a dead worker left "sending" — given up, not resent,
    since the channel may have taken the message."""
    now = timezone.now()
    stale = Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_SENDING)
    settled = stale.update(status=DeliveryStatus.GAVE_UP, last_error="发送中断，结果不明；为免重复未再发送")
    due = Delivery.objects.filter(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED], next_attempt_at__lte=now
    ).order_by("next_attempt_at", "id")
    outcomes: dict[str, int] = {}
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        outcome = attempt(pk)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return f"settled {settled}; " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
