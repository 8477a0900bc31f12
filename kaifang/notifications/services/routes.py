"""Writes about message channel routes (the system administrator, from the command line:
`kaifang channel_route`). Keys and secrets are stored but never written to the audit trail."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kaifang.audit.services import record_event
from kaifang.notifications.models import Channel, ChannelRoute
from kaifang.orgs.models import OrgUnit


def _snapshot(route: ChannelRoute) -> dict[str, Any]:
    return {
        "unit": route.unit.code if route.unit else None,
        "kind": route.kind,
        "channel": route.channel,
        "url": route.url.split("?")[0],
        "has_token": bool(route.token),
        "has_secret": bool(route.secret),
        "template_id": route.template_id,
        "per_minute": route.per_minute,
        "enabled": route.enabled,
    }


def add_route(
    *,
    actor: Any,
    channel: str,
    url: str,
    token: str,
    unit: OrgUnit | None = None,
    kind: str = "",
    secret: str = "",
    template_id: str = "",
    per_minute: int = 20,
) -> ChannelRoute:
    errors: dict[str, list[str]] = {}
    if channel not in Channel.values:
        errors["channel"] = ["渠道应为 wecom、dingtalk 或 sms。"]
    if not url.startswith(("http://", "https://")) or "?" in url:
        errors["url"] = ["接口地址应以 http(s):// 开头，且不含 ?key= 等参数（密钥另行填写）。"]
    if not token:
        errors["token"] = ["请提供密钥（企业微信 key、钉钉 access_token 或短信 API key）。"]
    if channel == Channel.SMS and not template_id:
        errors["template_id"] = ["短信渠道须填写模板编号。"]
    if not 1 <= per_minute <= 6000:
        errors["per_minute"] = ["每分钟上限应为 1–6000。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        route = ChannelRoute.objects.create(
            unit=unit,
            kind=kind,
            channel=channel,
            url=url,
            token=token,
            secret=secret,
            template_id=template_id,
            per_minute=per_minute,
        )
        record_event(actor=actor, action="notifications.route.add", obj=route, unit=unit, after=_snapshot(route))
    return route


def set_enabled(*, actor: Any, route: ChannelRoute, enabled: bool) -> ChannelRoute:
    with transaction.atomic():
        locked = ChannelRoute.objects.select_for_update().get(pk=route.pk)
        before = _snapshot(locked)
        locked.enabled, locked.version = enabled, locked.version + 1
        locked.save(update_fields=["enabled", "version"])
        record_event(
            actor=actor,
            action="notifications.route.enable" if enabled else "notifications.route.disable",
            obj=locked,
            unit=locked.unit,
            before=before,
            after=_snapshot(locked),
        )
    return locked
