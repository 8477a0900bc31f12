"""Log hygiene (SEC-26): one line per message, secrets masked, the request id on every record."""

from __future__ import annotations

import logging
import re

from kaifang.core import context

CONTROL = re.compile(r"[\x00-\x1f\x7f]")
SESSION = re.compile(r"(sessionid|csrftoken|Bearer)([=: ]+)[A-Za-z0-9_\-.]+", re.IGNORECASE)
SECRET = re.compile(r"(password|passwd|otp|token|secret|key|sign)([\"']?\s*[=:]\s*[\"']?)[^\s,&\"']+", re.IGNORECASE)
ID_CARD = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)")


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char, f"\\x{ord(char):02x}")


def clean(text: str) -> str:
    """The text as one line, with session ids, tokens, passwords and ID-card numbers masked."""
    text = CONTROL.sub(_escape, text)
    text = SESSION.sub(r"\1\2***", text)
    text = SECRET.sub(r"\1\2***", text)
    return ID_CARD.sub(r"\1********\2", text)


class SafeLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string still gets logged, as its raw text
            message = str(record.msg)
        record.msg, record.args = clean(message), None
        record.request_id = context.current().request_id or "-"
        return True
