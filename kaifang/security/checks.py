"""System checks for the security settings (run by `kaifang check`; the deploy ones by `--deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

MIN_AUDIT_RETENTION_DAYS = 180


@register(Tags.security)
def audit_retention(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if settings.KAIFANG_AUDIT_RETENTION_DAYS < MIN_AUDIT_RETENTION_DAYS:
        return [
            Error(
                "KAIFANG_AUDIT_RETENTION_DAYS must be at least 180 (网络安全法 Art. 21: logs kept six months).",
                id="kaifang.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def production_security(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    warnings = []
    if not settings.KAIFANG_REQUIRE_2FA:
        warnings.append(Warning("KAIFANG_REQUIRE_2FA is off: 等保 level 3 needs a second factor.", id="kaifang.W001"))
    if settings.SECRET_KEY.startswith("insecure-demo-key"):
        warnings.append(Warning("KAIFANG_SECRET_KEY is the demo key; set a random one.", id="kaifang.W002"))
    if settings.KAIFANG_PASSWORD_MAX_AGE_DAYS <= 0:
        warnings.append(
            Warning("KAIFANG_PASSWORD_MAX_AGE_DAYS is off: 等保 8.1.4.1a asks for regular change.", id="kaifang.W003")
        )
    return warnings
