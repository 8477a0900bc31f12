"""The message channels (issue 16): how one message is put to a WeCom group robot, a DingTalk group
robot (with its signature) or the SMS gateway. Each `send_*` returns None when the channel accepted
the message and raises `SendError` (with a reason free of any key or secret) when it did not.

Request formats, as the vendors document them:
- WeCom 群机器人: POST `<url>?key=<key>`, JSON `{"msgtype": "text", "text": {"content": …}}`; answer
  `{"errcode": 0, "errmsg": "ok"}` (45009: over 20 messages a minute).
- DingTalk 自定义机器人 (加签): POST `<url>?access_token=<token>&timestamp=<ms>&sign=<sign>` where sign =
  urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}"))), same JSON body shape;
  answer `{"errcode": 0, "errmsg": "ok"}`.
- SMS gateway (the province's, HTTP): POST `<url>` JSON `{"mobile", "template_id", "params",
  "request_id"}` with `X-Api-Key: <key>`, `X-Timestamp` and `X-Signature` = hex HMAC-SHA256(key,
  f"{timestamp}\\n{body}"); answer `{"code": "0"}`. `request_id` lets the gateway drop a repeat.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import quote_plus

import requests
from django.conf import settings

from kaifang.notifications.models import Channel, ChannelRoute

WECOM_MAX_BYTES = 2048


class SendError(Exception):
    """The channel did not take the message. `retry` False: trying again cannot help (e.g. a wrong key)."""

    def __init__(self, reason: str, *, retry: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry


def scrub(text: str, route: ChannelRoute) -> str:
    """A reason fit for the record and the log: no key, token or secret, no query string."""
    for secret in (route.token, route.secret):
        if secret:
            text = text.replace(secret, "***").replace(quote_plus(secret), "***")
    if "?" in text:
        text = text.split("?")[0] + "?…"
    return text[:300]


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def sms_signature(key: str, timestamp: str, body: str) -> str:
    return hmac.new(key.encode("utf-8"), f"{timestamp}\n{body}".encode(), hashlib.sha256).hexdigest()


def _text(title: str, body: str, limit: int | None = None) -> str:
    content = f"【{title}】\n{body}".strip() if body else f"【{title}】"
    if limit is not None:
        encoded = content.encode("utf-8")
        if len(encoded) > limit:
            content = encoded[: limit - 3].decode("utf-8", "ignore") + "…"
    return content


def _post(route: ChannelRoute, url: str, **kwargs: Any) -> requests.Response:
    timeout = settings.KAIFANG_CHANNEL_TIMEOUT_SECONDS
    try:
        return requests.post(url, timeout=timeout, **kwargs)
    except requests.Timeout:
        raise SendError(f"超时（{timeout} 秒）未收到应答") from None
    except requests.RequestException as exc:
        raise SendError(scrub(f"连接失败：{type(exc).__name__}", route)) from None


def _errcode(route: ChannelRoute, response: requests.Response) -> None:
    if response.status_code >= 500:
        raise SendError(f"服务端错误 HTTP {response.status_code}")
    if response.status_code != 200:
        raise SendError(f"请求被拒绝 HTTP {response.status_code}", retry=response.status_code == 429)
    try:
        answer = response.json()
    except ValueError:
        raise SendError("应答不是 JSON") from None
    code = answer.get("errcode")
    if code not in (0, "0"):
        message = scrub(str(answer.get("errmsg", "")), route)[:120]
        # 45009 / 130101: over the per-minute limit, worth retrying later; anything else is a setup fault
        raise SendError(f"错误码 {code}：{message}", retry=code in (45009, 130101, -1))


def send_wecom(route: ChannelRoute, title: str, body: str, recipient: str = "") -> None:
    payload = {"msgtype": "text", "text": {"content": _text(title, body, WECOM_MAX_BYTES)}}
    _errcode(route, _post(route, route.url, params={"key": route.token}, json=payload))


def send_dingtalk(route: ChannelRoute, title: str, body: str, recipient: str = "") -> None:
    timestamp = int(time.time() * 1000)  # wall clock: the robot refuses a timestamp an hour off
    params = f"access_token={quote_plus(route.token)}&timestamp={timestamp}"
    if route.secret:
        params += f"&sign={dingtalk_sign(route.secret, timestamp)}"
    payload = {"msgtype": "text", "text": {"content": _text(title, body)}}
    joiner = "&" if "?" in route.url else "?"
    _errcode(route, _post(route, f"{route.url}{joiner}{params}", json=payload))


def send_sms(route: ChannelRoute, title: str, body: str, recipient: str = "", request_id: str = "") -> None:
    if not recipient:
        raise SendError("没有手机号", retry=False)
    payload = json.dumps(
        {
            "mobile": recipient,
            "template_id": route.template_id,
            "params": {"title": title[:60], "body": body[:200]},
            "request_id": request_id,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Api-Key": route.token,
        "X-Timestamp": timestamp,
        "X-Signature": sms_signature(route.token, timestamp, payload),
    }
    response = _post(route, route.url, data=payload.encode("utf-8"), headers=headers)
    if response.status_code >= 500:
        raise SendError(f"服务端错误 HTTP {response.status_code}")
    try:
        answer = response.json()
    except ValueError:
        raise SendError(f"应答不是 JSON（HTTP {response.status_code}）") from None
    if response.status_code != 200 or str(answer.get("code")) != "0":
        message = scrub(str(answer.get("message", "")), route)[:120]
        raise SendError(f"网关拒绝：{answer.get('code')} {message}", retry=response.status_code in (429, 503))


SENDERS = {Channel.WECOM: send_wecom, Channel.DINGTALK: send_dingtalk}
