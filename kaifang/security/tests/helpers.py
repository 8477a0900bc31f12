"""Shared helpers for the security checklist tests."""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any
from unittest import mock

from django.test import Client

from kaifang.accounts.demo import DEMO_PASSWORD
from kaifang.accounts.models import Role, User
from kaifang.accounts.services import create_user
from kaifang.core.actors import SystemActor
from kaifang.orgs.models import OrgUnit

REPO = Path(__file__).resolve().parents[3]
SETTINGS_FILE = REPO / "kaifang" / "settings.py"
PRODUCTION_ENV = {
    "KAIFANG_SECRET_KEY": "s" * 10 + "7Hq!9zK2_Lm4pX8wR1vB6nT3yC5uJ0eD",
    "KAIFANG_HTTPS": "1",
    "KAIFANG_ALLOWED_HOSTS": "kaifang.example.gov.cn",
    "KAIFANG_BEHIND_PROXY": "1",
}


def production_settings(**env: str) -> ModuleType:
    """kaifang/settings.py evaluated afresh under a production environment (not installed)."""
    values = {**PRODUCTION_ENV, **env}
    with mock.patch.dict(os.environ, values):
        spec = importlib.util.spec_from_file_location("kaifang_settings_probe", SETTINGS_FILE)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    sys.modules.pop("kaifang_settings_probe", None)
    return module


def login(client: Client, username: str, password: str = DEMO_PASSWORD, **extra: Any) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def error_text(response) -> str:  # type: ignore[no-untyped-def]
    """The error block of a login page (the part that must not tell accounts apart)."""
    match = re.search(r'<div class="errors"[^>]*>(.*?)</div>', response.content.decode(), re.S)
    return match.group(1) if match else ""


GOOD = "Blue-river-47!"


def make_user(username: str, *, role: str = Role.REPORTER, code: str = "210112", password: str = GOOD, **kw) -> User:
    return create_user(
        actor=SystemActor("test"),
        username=username,
        password=password,
        unit=OrgUnit.objects.get(code=code),
        role=role,
        must_change_password=kw.pop("must_change_password", False),
        grant=kw.pop("grant", True),
        **kw,
    )
