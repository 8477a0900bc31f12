"""A small test-only CAS server written to the CAS 3.0 protocol (apereo.github.io/cas/…/CAS-Protocol-
Specification): `/cas/login` (credential form; a ticket-granting cookie makes the next login single
sign-on), `/cas/serviceValidate` and `/cas/p3/serviceValidate` (XML, attributes), `/cas/logout`.
Service tickets are single-use, expire, and are valid only for the service they were issued for.
Runs in a thread on a free loopback port; `make test` needs nothing else running."""

from __future__ import annotations

import html
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse
from xml.sax.saxutils import escape

PASSWORD = "Cas-2018!ln"
TICKET_SECONDS = 30

# username → attributes (multi-valued)
CAS_PEOPLE: dict[str, dict[str, list[str]]] = {
    "zhang.hn": {
        "cn": ["浑南区 张统一"],
        "departmentNumber": ["210112"],
        "memberOf": ["cn=reporters,ou=groups,dc=ln,dc=gov,dc=cn"],
    },
    "li.sy": {"cn": ["沈阳市 李统一"], "departmentNumber": ["210100"], "memberOf": ["cn=city-officers,ou=groups"]},
    "wang.xx": {"cn": ["未映射 王统一"], "departmentNumber": ["999999"], "memberOf": ["cn=reporters,ou=groups"]},
}


@dataclass
class CasState:
    tickets: dict[str, tuple[str, str, float]] = field(default_factory=dict)  # ST → (user, service, issued)
    sessions: dict[str, str] = field(default_factory=dict)  # TGC → user
    validations: list[str] = field(default_factory=list)  # paths validated, for the tests
    lock: threading.Lock = field(default_factory=threading.Lock)

    def issue(self, user: str, service: str) -> str:
        ticket = "ST-" + secrets.token_urlsafe(24)
        with self.lock:
            self.tickets[ticket] = (user, service, time.monotonic())
        return ticket

    def redeem(self, ticket: str, service: str) -> tuple[str | None, str]:
        with self.lock:
            found = self.tickets.pop(ticket, None)  # single use, whatever the outcome
        if found is None:
            return None, "INVALID_TICKET"
        user, issued_for, at = found
        if time.monotonic() - at > TICKET_SECONDS:
            return None, "INVALID_TICKET"
        if issued_for != service:
            return None, "INVALID_SERVICE"
        return user, ""


LOGIN_FORM = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>统一身份认证</title>
<h1>统一身份认证（测试）</h1>{error}<form method="post">
<input type="hidden" name="service" value="{service}">
<label>账号 <input name="username" id="cas-username"></label>
<label>密码 <input type="password" name="password" id="cas-password"></label>
<button type="submit" id="cas-submit">登录</button></form></html>"""


def make_handler(state: CasState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return

        def _send(self, status: int, body: str, content_type: str = "text/html; charset=utf-8", **headers: str) -> None:
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(data)

        def _redirect(self, location: str, cookie: str | None = None) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            if cookie is not None:
                self.send_header("Set-Cookie", cookie)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _tgc_user(self) -> str | None:
            cookie = SimpleCookie(self.headers.get("Cookie", ""))
            tgc = cookie.get("TGC")
            return state.sessions.get(tgc.value) if tgc else None

        def _to_service(self, user: str, service: str, cookie: str | None = None) -> None:
            ticket = state.issue(user, service)
            joiner = "&" if "?" in service else "?"
            self._redirect(f"{service}{joiner}{urlencode({'ticket': ticket})}", cookie)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            service = query.get("service", "")
            if url.path == "/cas/login":
                user = self._tgc_user()
                if user and service and query.get("renew") != "true":
                    return self._to_service(user, service)
                return self._send(200, LOGIN_FORM.format(error="", service=html.escape(service)))
            if url.path in ("/cas/serviceValidate", "/cas/p3/serviceValidate"):
                state.validations.append(url.path)
                return self._validate(query.get("ticket", ""), service, attributes=True)
            if url.path == "/cas/logout":
                cookie = SimpleCookie(self.headers.get("Cookie", ""))
                if cookie.get("TGC"):
                    state.sessions.pop(cookie["TGC"].value, None)
                if service:
                    return self._redirect(service, "TGC=; Path=/cas; Max-Age=0")
                return self._send(200, "<p>已退出统一身份认证。</p>")
            return self._send(404, "not found")

        def do_POST(self) -> None:
            url = urlparse(self.path)
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode("utf-8")).items()}
            if url.path != "/cas/login":
                return self._send(404, "not found")
            service = form.get("service", "")
            user = form.get("username", "")
            if user not in CAS_PEOPLE or not secrets.compare_digest(form.get("password", ""), PASSWORD):
                error = "<p role=alert>账号或密码错误</p>"
                return self._send(401, LOGIN_FORM.format(error=error, service=html.escape(service)))
            tgc = "TGT-" + secrets.token_urlsafe(24)
            state.sessions[tgc] = user
            cookie = f"TGC={tgc}; Path=/cas; HttpOnly"
            if not service:
                return self._send(200, "<p>登录成功</p>", Set_Cookie=cookie)
            return self._to_service(user, service, cookie)

        def _validate(self, ticket: str, service: str, *, attributes: bool) -> None:
            ns = 'xmlns:cas="http://www.yale.edu/tp/cas"'
            user, code = state.redeem(ticket, service) if ticket and service else (None, "INVALID_REQUEST")
            if user is None:
                body = (
                    f'<cas:serviceResponse {ns}><cas:authenticationFailure code="{code}">'
                    f"Ticket {escape(ticket)} not recognized</cas:authenticationFailure></cas:serviceResponse>"
                )
                return self._send(200, body, "application/xml; charset=utf-8")
            pairs = [(name, value) for name, values in CAS_PEOPLE[user].items() for value in values]
            attrs = "".join(f"<cas:{name}>{escape(value)}</cas:{name}>" for name, value in pairs)
            body = (
                f"<cas:serviceResponse {ns}><cas:authenticationSuccess><cas:user>{escape(user)}</cas:user>"
                f"<cas:attributes>{attrs}</cas:attributes></cas:authenticationSuccess></cas:serviceResponse>"
            )
            return self._send(200, body, "application/xml; charset=utf-8")

    return Handler


@dataclass
class CasServer:
    url: str
    state: CasState


@contextmanager
def running_cas() -> Iterator[CasServer]:
    state = CasState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield CasServer(url=f"http://127.0.0.1:{server.server_address[1]}/cas/", state=state)
    finally:
        server.shutdown()
        server.server_close()
