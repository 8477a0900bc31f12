"""Local stand-ins for the WeCom group robot, the DingTalk custom robot and the SMS gateway, each
checking the request as the vendor documents it (key, JSON shape, DingTalk's timestamp+HMAC-SHA256
signature, the gateway's API key and signature) and answering the way it does. Tests queue faults
(`fail_next`: "500", "timeout", "ratelimit") to see retries, backoff and giving up."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlparse

WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DING_TOKEN = "ding-access-token-0001"
DING_SECRET = "SECb3d5e0a1c2f4ding-test-secret-only"
SMS_KEY = "sms-api-key-test-0001"
SMS_TEMPLATE = "SMS_0001"
HANG_SECONDS = 3.0


@dataclass
class Channels:
    base: str
    received: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {"wecom": [], "dingtalk": [], "sms": []})
    refused: list[str] = field(default_factory=list)
    fail_next: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    fail_every: int = 0  # bench: every n-th request answers 500
    count: int = 0

    def fault(self) -> str | None:
        with self.lock:
            self.count += 1
            if self.fail_next:
                return self.fail_next.pop(0)
            if self.fail_every and self.count % self.fail_every == 0:
                return "500"
        return None


def _handler(state: Channels) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            return

        def _answer(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _refuse(self, why: str, payload: dict[str, Any], status: int = 200) -> None:
            state.refused.append(why)
            self._answer(status, payload)

        def do_POST(self) -> None:
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            fault = state.fault()
            if fault == "timeout":
                time.sleep(HANG_SECONDS)
                return self._answer(200, {"errcode": 0, "errmsg": "ok"})
            if fault == "500":
                return self._answer(500, {"errcode": -1, "errmsg": "system busy"})
            if url.path == "/cgi-bin/webhook/send":
                return self._wecom(query, raw, fault)
            if url.path == "/robot/send":
                return self._dingtalk(url.query, raw, fault)
            if url.path == "/sms/send":
                return self._sms(raw, fault)
            return self._answer(404, {"errcode": 404, "errmsg": "not found"})

        def _body(self, raw: bytes) -> dict[str, Any] | None:
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                return None
            return body if isinstance(body, dict) else None

        def _wecom(self, query: dict[str, str], raw: bytes, fault: str | None) -> None:
            if query.get("key") != WECOM_KEY:
                return self._refuse("wecom key", {"errcode": 93000, "errmsg": "invalid webhook url"})
            body = self._body(raw)
            content = ((body or {}).get("text") or {}).get("content")
            if not body or body.get("msgtype") != "text" or not isinstance(content, str):
                return self._refuse("wecom body", {"errcode": 40008, "errmsg": "invalid message type"})
            if len(content.encode("utf-8")) > 2048:
                return self._refuse("wecom size", {"errcode": 40058, "errmsg": "content exceed max length"})
            if fault == "ratelimit":
                return self._answer(200, {"errcode": 45009, "errmsg": "api freq out of limit"})
            state.received["wecom"].append(body)
            return self._answer(200, {"errcode": 0, "errmsg": "ok"})

        def _dingtalk(self, raw_query: str, raw: bytes, fault: str | None) -> None:
            pairs = dict(part.split("=", 1) for part in raw_query.split("&") if "=" in part)
            if unquote_plus(pairs.get("access_token", "")) != DING_TOKEN:
                return self._refuse("ding token", {"errcode": 300001, "errmsg": "token is not exist"})
            try:
                timestamp = int(pairs.get("timestamp", ""))
            except ValueError:
                return self._refuse("ding timestamp", {"errcode": 310000, "errmsg": "invalid timestamp"})
            if abs(time.time() * 1000 - timestamp) > 3600 * 1000:
                return self._refuse("ding timestamp", {"errcode": 310000, "errmsg": "invalid timestamp"})
            digest = hmac.new(DING_SECRET.encode(), f"{timestamp}\n{DING_SECRET}".encode(), hashlib.sha256).digest()
            if not hmac.compare_digest(unquote_plus(pairs.get("sign", "")), base64.b64encode(digest).decode()):
                return self._refuse("ding sign", {"errcode": 310000, "errmsg": "sign not match"})
            body = self._body(raw)
            if not body or body.get("msgtype") != "text" or not (body.get("text") or {}).get("content"):
                return self._refuse("ding body", {"errcode": 40035, "errmsg": "missing parameter"})
            if fault == "ratelimit":
                return self._answer(200, {"errcode": 130101, "errmsg": "send too fast"})
            state.received["dingtalk"].append(body)
            return self._answer(200, {"errcode": 0, "errmsg": "ok"})

        def _sms(self, raw: bytes, fault: str | None) -> None:
            if self.headers.get("X-Api-Key") != SMS_KEY:
                return self._refuse("sms key", {"code": "401", "message": "bad api key"}, 401)
            timestamp = self.headers.get("X-Timestamp", "")
            expected = hmac.new(SMS_KEY.encode(), f"{timestamp}\n".encode() + raw, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(self.headers.get("X-Signature", ""), expected):
                return self._refuse("sms signature", {"code": "403", "message": "bad signature"}, 403)
            if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
                return self._refuse("sms timestamp", {"code": "403", "message": "stale request"}, 403)
            body = self._body(raw)
            if not body or body.get("template_id") != SMS_TEMPLATE or not isinstance(body.get("params"), dict):
                return self._refuse("sms body", {"code": "400", "message": "bad template or params"}, 400)
            if not re.fullmatch(r"1\d{10}", str(body.get("mobile", ""))):
                return self._refuse("sms mobile", {"code": "400", "message": "bad mobile"}, 400)
            if fault == "ratelimit":
                return self._answer(429, {"code": "429", "message": "too many requests"})
            state.received["sms"].append(body)
            return self._answer(200, {"code": "0", "message": "ok"})

    return Handler


@contextmanager
def running_channels() -> Iterator[Channels]:
    state = Channels(base="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
