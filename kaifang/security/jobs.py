"""Scheduled security housekeeping."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings


def clear_expired_sessions() -> str:
    """Delete expired server-side sessions (what `clearsessions` does), so no stale session rows stay."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
    return "ok"
