"""The rotating sign-in code (动态签到码) shown at the main venue.

code = 6 digits of HMAC-SHA256(meeting secret, number of the 30-second window). A sub-venue types
what it sees on the main venue's screen; the current and the previous window are accepted, so a
code read just before it changes still works, and a code passed on later does not.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

WINDOW_SECONDS = 30
DIGITS = 6


def new_secret() -> str:
    return secrets.token_hex(32)


def window_of(moment: datetime.datetime) -> int:
    return int(moment.timestamp()) // WINDOW_SECONDS


def code_for_window(secret: str, window: int) -> str:
    digest = hmac.new(secret.encode(), str(window).encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big") % 10**DIGITS
    return f"{number:0{DIGITS}d}"


def current_code(secret: str, moment: datetime.datetime) -> tuple[str, int]:
    """The code at `moment` and the seconds until it changes."""
    window = window_of(moment)
    remaining = WINDOW_SECONDS - int(moment.timestamp()) % WINDOW_SECONDS
    return code_for_window(secret, window), remaining


def code_is_valid(secret: str, code: str, moment: datetime.datetime) -> bool:
    """Accept the code of the current window or the one before; nothing older, nothing ahead."""
    typed = "".join(ch for ch in (code or "") if not ch.isspace())
    if len(typed) != DIGITS or not typed.isdigit():
        return False
    window = window_of(moment)
    return any(hmac.compare_digest(typed, code_for_window(secret, w)) for w in (window, window - 1))
